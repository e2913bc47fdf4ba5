#!/usr/bin/env python3
"""Boot the kernel in QEMU and judge the run (a CTest test driver).

Passes when QEMU exits with the expected status before the timeout, every
--expect pattern appears in the output, no --reject pattern does, and (with
--unity) the Unity-style summary says OK with no FAIL lines and at least
--min-tests tests. With --check-mappings the kernel is booted with `hold`,
and once it prints its mapping list this script asks QEMU's own monitor
(`info mem`) for the live page table and compares the two. With
--check-user-leaves, once a user program prints `LEAVES <va> <count> <size>`
(hex) and waits, this script reads the running task's page table through
QEMU's monitor (satp from `info registers`, each entry with `xp`) and
checks that each of the count pages from va is one leaf of that size, and
that `info mem` shows the range mapped.

With --twin-append the kernel is booted a second time with those words
added to its command line, and that run must pass the same checks; then
the lines matching --same-lines must be the same in both runs, and each
line matching --fewer-in-first (a name and a number) must show a smaller
number in the first run than the line of the same name in the second.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lib"))
import qemu  # noqa: E402

UNITY_LINE = re.compile(r"^(\S+):(\d+):(\w+):(PASS|FAIL|IGNORE)(?:: (.*))?$")
UNITY_SUMMARY = re.compile(r"^(\d+) Tests (\d+) Failures (\d+) Ignored\s*$")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", required=True)
    p.add_argument("--mem", default="128M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--numa")
    p.add_argument("--append", default="")
    p.add_argument("--initrd")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--expect-status", type=int, default=0)
    p.add_argument("--expect", action="append", default=[], help="regex that must appear")
    p.add_argument("--reject", action="append", default=[], help="regex that must not appear")
    p.add_argument("--unity", action="store_true", help="require a passing Unity summary")
    p.add_argument("--min-tests", type=int, default=1)
    p.add_argument("--check-mappings", action="store_true",
                   help="compare the kernel's mapping list with QEMU's `info mem`")
    p.add_argument("--check-user-leaves", action="store_true",
                   help="check a waiting program's `LEAVES va count size` in its page table through QEMU")
    p.add_argument("--qemu-arg", action="append", default=[])
    p.add_argument("--input-after", nargs=2, action="append", default=[], metavar=("REGEX", "TEXT"),
                   help="once output matches REGEX, type TEXT into the serial console (\\r for Enter); "
                        "in order, each after the one before")
    p.add_argument("--disk-size", help="attach a fresh sparse raw image of this size as a virtio-blk disk")
    p.add_argument("--disk-modern", action="store_true", help="the modern virtio-mmio transport (not legacy)")
    p.add_argument("--check-disk", action="store_true",
                   help="after QEMU exits, check the image holds every `DISK-PATTERN first count` the "
                        "guest printed, and zeros elsewhere")
    p.add_argument("--twin-append", help="boot again with these words added to --append")
    p.add_argument("--same-lines", help="regex: matching lines must be the same in both runs")
    p.add_argument("--fewer-in-first", help="regex with groups (name, number): smaller in the first run")
    return p.parse_args()


def fail(msg, output):
    sys.stdout.write(output)
    sys.stdout.write(f"\nqemu_test: FAIL: {msg}\n")
    sys.exit(1)


class Monitor:
    """QEMU's monitor over QMP (JSON, one reply per command), running human
    monitor commands such as `info mem` through human-monitor-command."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(200):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b""
        self._read_message()  # the greeting
        self._execute("qmp_capabilities")

    def _read_message(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def _execute(self, command, arguments=None):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read_message()
            if "return" in reply or "error" in reply:
                return reply
            # anything else is an asynchronous event: skip it

    def command(self, cmd, cpu_index=None):
        args = {"command-line": cmd}
        if cpu_index is not None:
            # Per-CPU commands (info mem) otherwise look at CPU 0, which is
            # not the kernel's hart when OpenSBI's boot-hart lottery picked
            # another: its satp is still 0 and it has no mappings.
            args["cpu-index"] = cpu_index
        reply = self._execute("human-monitor-command", args)
        if "error" in reply:
            raise OSError(f"monitor command {cmd!r} failed: {reply['error']}")
        return reply["return"].replace("\r", "").split("\n")

    def quit(self):
        try:
            self.sock.sendall(b'{"execute": "quit"}\n')
        except OSError:
            pass


def parse_info_mem(lines):
    """QEMU 7.2 `info mem` on riscv: vaddr paddr size attr(rwxugad)."""
    maps = []
    for l in lines:
        parts = l.split()
        if len(parts) == 4 and re.fullmatch(r"[0-9a-f]{16}", parts[0]):
            maps.append((int(parts[0], 16), int(parts[1], 16), int(parts[2], 16), parts[3]))
    return maps


def kernel_mappings(output):
    """Lines `MAP <va> <pa> <size> <attrs>` printed by the kernel with `hold`."""
    maps = []
    for m in re.finditer(r"^MAP ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) (\S+)$", output, re.M):
        maps.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16), m.group(4)))
    return maps


def merge(maps):
    """Merge virtually and physically contiguous ranges with equal attributes
    (QEMU's monitor merges them the same way)."""
    out = []
    for va, pa, size, attr in sorted(maps):
        if out and out[-1][0] + out[-1][2] == va and out[-1][1] + out[-1][2] == pa and out[-1][3] == attr:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + size, attr)
        else:
            out.append((va, pa, size, attr))
    return out


LEAVES_LINE = re.compile(r"LEAVES ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\r?\n")


def read_phys_u64(mon, cpu, pa):
    """One 64-bit word of guest physical memory, through the monitor's xp."""
    for line in mon.command(f"xp /1gx {pa:#x}", cpu):
        m = re.match(r"^[0-9a-f]+: 0x([0-9a-f]+)", line)
        if m:
            return int(m.group(1), 16)
    raise ValueError(f"xp at {pa:#x} gave no word")


def sv39_leaf(mon, cpu, satp, va):
    """(size, pte) of the Sv39 leaf that maps va under satp, or None."""
    table = (satp & ((1 << 44) - 1)) << 12
    for shift in (30, 21, 12):
        pte = read_phys_u64(mon, cpu, table + ((va >> shift) & 511) * 8)
        if not pte & 1:
            return None
        if pte & 0xE:  # R, W or X: a leaf
            return 1 << shift, pte
        table = (pte >> 10) << 12
    return None


def check_user_leaves(mon, cpu, output):
    """The leaves a waiting program named (LEAVES line), checked in the
    running task's page table; an error message, or None."""
    m = LEAVES_LINE.search(output)
    va, count, size = (int(g, 16) for g in m.groups())
    regs = "\n".join(mon.command("info registers", cpu))
    satp = re.search(r"\bsatp\s+([0-9a-f]+)", regs)
    if not satp:
        return "no satp in QEMU's `info registers`"
    satp = int(satp.group(1), 16)
    for i in range(count):
        leaf = sv39_leaf(mon, cpu, satp, va + i * size)
        if leaf is None:
            return f"{va + i * size:#x} is not mapped in the page table of satp {satp:#x}"
        if leaf[0] != size:
            return f"{va + i * size:#x} is mapped by a {leaf[0]:#x}-byte leaf, not {size:#x}"
    live = parse_info_mem(mon.command("info mem", cpu))
    covered = sum(max(0, min(v + n, va + count * size) - max(v, va)) for v, _, n, _ in live)
    if covered != count * size:
        return f"`info mem` maps {covered:#x} of the {count * size:#x} bytes from {va:#x}"
    print(f"qemu_test: {count} leaves of {size:#x} bytes from {va:#x} in the page table of satp "
          f"{satp:#x}, and mapped in `info mem`")
    return None


# The pattern a test writes to a disk sector (user/tests/blk: the same
# function): word k of sector s.
DISK_PATTERN_LINE = re.compile(r"^DISK-PATTERN (\d+) (\d+)\s*$", re.M)
SECTOR = 512


def pattern_word(sector, k):
    return ((sector * 0x100000001B3) ^ (k * 0x9E3779B97F4A7C15) ^ 0x7465726E) & 0xFFFFFFFFFFFFFFFF


def pattern_sector(sector):
    return b"".join(pattern_word(sector, k).to_bytes(8, "little") for k in range(SECTOR // 8))


def check_disk(path, output):
    """The image as the guest left it: every sector a DISK-PATTERN line
    names holds its pattern, every other sector is zero. None or why not."""
    written = set()
    for m in DISK_PATTERN_LINE.finditer(output):
        first, count = int(m.group(1)), int(m.group(2))
        written.update(range(first, first + count))
    if not written:
        return "the guest wrote no DISK-PATTERN lines"
    zero = bytes(SECTOR)
    with open(path, "rb") as f:
        sector = 0
        while True:
            data = f.read(SECTOR)
            if not data:
                break
            want = pattern_sector(sector) if sector in written else zero
            if data != want:
                what = "its pattern" if sector in written else "zeros (nothing was written there)"
                return f"disk sector {sector} does not hold {what}"
            sector += 1
    missing = [s for s in written if s >= sector]
    if missing:
        return f"sectors past the image's end were written: {missing[:4]}"
    print(f"qemu_test: the disk holds the {len(written)} sectors written, and zeros in the other "
          f"{sector - len(written)}")
    return None


def boot(a, append):
    """Boots once with `append` as the command line and applies every check
    of a single run; returns the output, or fails."""
    extra = list(a.qemu_arg)
    tmp = tempfile.TemporaryDirectory()
    disk = None
    if a.disk_size:
        disk = os.path.join(tmp.name, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(qemu.parse_size(a.disk_size))
        extra += qemu.disk_args(disk, modern=a.disk_modern)
    mon_path = os.path.join(tmp.name, "monitor.sock")
    if a.check_mappings:
        append = (append + " hold").strip()
    if a.check_mappings or a.check_user_leaves:
        extra += ["-qmp", f"unix:{mon_path},server,nowait"]
    cmd = qemu.command(a.kernel, mem=a.mem, smp=a.smp, numa=a.numa, append=append or None,
                       initrd=a.initrd, extra=extra)
    print("qemu_test: " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.PIPE if a.input_after else subprocess.DEVNULL)
    chunks = []
    held = threading.Event()
    inputs = [(re.compile(r, re.M), t.replace("\\r", "\r").replace("\\n", "\n")) for r, t in a.input_after]

    def type_due(buf):
        """Types each input whose pattern has appeared, in order (at the
        serial console: QEMU's stdin with -nographic)."""
        while inputs and inputs[0][0].search(buf):
            _, text = inputs.pop(0)
            try:
                proc.stdin.write(text.encode())
                proc.stdin.flush()
            except OSError:
                return

    def reader():
        buf = ""
        for raw in iter(lambda: proc.stdout.read1(4096), b""):
            text = raw.decode(errors="replace")
            chunks.append(text)
            buf += text
            type_due(buf.replace("\r", ""))
            if "memory-map-end" in buf or (a.check_user_leaves and LEAVES_LINE.search(buf)):
                held.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    mapping_error = None
    deadline = time.time() + a.timeout
    if a.check_mappings:
        if held.wait(timeout=a.timeout):
            try:
                mon = Monitor(mon_path)
                hart = re.search(r"Booting on hart (\d+)", "".join(chunks))
                live = merge(parse_info_mem(mon.command("info mem", int(hart.group(1)) if hart else None)))
            except (OSError, ValueError) as e:
                mon, live = None, []
                mapping_error = f"talking to QEMU's monitor failed: {e}"
            belief = merge(kernel_mappings("".join(chunks).replace("\r", "")))
            if mapping_error:
                pass
            elif not live:
                mapping_error = "QEMU's `info mem` returned no mappings"
            elif live != belief:
                diff = [f"  qemu:   {m[0]:016x} {m[1]:016x} {m[2]:016x} {m[3]}" for m in live if m not in belief]
                diff += [f"  kernel: {m[0]:016x} {m[1]:016x} {m[2]:016x} {m[3]}" for m in belief if m not in live]
                mapping_error = "kernel's mappings differ from QEMU's `info mem`:\n" + "\n".join(diff)
            else:
                print(f"qemu_test: {len(live)} merged mappings agree with QEMU's `info mem`")
                for m in live:
                    print(f"  {m[0]:016x} {m[1]:016x} {m[2]:016x} {m[3]}")
            if mon:
                mon.quit()
            else:
                proc.kill()
    if a.check_user_leaves:
        if held.wait(timeout=a.timeout):
            time.sleep(0.2)  # the program is waiting now
            try:
                mon = Monitor(mon_path)
                hart = re.search(r"Booting on hart (\d+)", "".join(chunks))
                mapping_error = check_user_leaves(mon, int(hart.group(1)) if hart else None, "".join(chunks))
                mon.quit()
            except (OSError, ValueError) as e:
                mapping_error = f"talking to QEMU's monitor failed: {e}"
                proc.kill()
        else:
            mapping_error = "the program never printed its LEAVES line"
            proc.kill()
    try:
        proc.wait(timeout=max(1, deadline - time.time()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        t.join(2)
        fail(f"timed out after {a.timeout:.0f} s (the kernel must never hang)", "".join(chunks))
    t.join(5)
    output = "".join(chunks).replace("\r", "")
    if mapping_error:
        fail(mapping_error, output)
    if not (a.check_mappings or a.check_user_leaves) and proc.returncode != a.expect_status:
        fail(f"QEMU exit status {proc.returncode}, expected {a.expect_status}", output)
    for pat in a.expect:
        if not re.search(pat, output, re.M):
            fail(f"expected output matching {pat!r}", output)
    for pat in a.reject:
        if re.search(pat, output, re.M):
            fail(f"output must not match {pat!r}", output)
    if a.unity:
        lines = [UNITY_LINE.match(l) for l in output.splitlines()]
        results = [m for m in lines if m]
        failed = [m for m in results if m.group(4) == "FAIL"]
        summary = [UNITY_SUMMARY.match(l) for l in output.splitlines()]
        summary = [m for m in summary if m]
        if failed:
            fail("test failures:\n" + "\n".join(m.group(0) for m in failed), output)
        if not summary:
            fail("no Unity summary line", output)
        total = sum(int(m.group(1)) for m in summary)
        fails = sum(int(m.group(2)) for m in summary)
        if fails or total < a.min_tests or not re.search(r"^OK$", output, re.M):
            fail(f"Unity summary: {total} tests, {fails} failures (need >= {a.min_tests}, 0, OK)", output)
        if total != len(results):
            fail(f"summary counts {total} tests but {len(results)} result lines were printed", output)
    if a.check_disk:
        why = check_disk(disk, output) if disk else "--check-disk needs --disk-size"
        if why:
            fail(why, output)
    return output


def compare_twins(a, first, second):
    """The checks across the two runs of --twin-append."""
    both = first + "\nqemu_test: the second run, with " + a.twin_append + ":\n" + second
    if a.same_lines:
        pat = re.compile(a.same_lines)
        one = [l for l in first.splitlines() if pat.search(l)]
        two = [l for l in second.splitlines() if pat.search(l)]
        if not one:
            fail(f"no line matches {a.same_lines!r}", both)
        if one != two:
            diff = [f"  line {i}: {x!r}\n      vs  {y!r}" for i, (x, y) in enumerate(zip(one, two)) if x != y]
            if len(one) != len(two):
                diff.append(f"  {len(one)} lines against {len(two)}")
            fail(f"lines matching {a.same_lines!r} differ between the runs:\n" + "\n".join(diff[:20]), both)
    if a.fewer_in_first:
        pat = re.compile(a.fewer_in_first, re.M)
        one = {m.group(1): int(m.group(2)) for m in pat.finditer(first)}
        two = {m.group(1): int(m.group(2)) for m in pat.finditer(second)}
        if not one:
            fail(f"no line matches {a.fewer_in_first!r}", both)
        for name, n in one.items():
            if name not in two or not n < two[name]:
                fail(f"{name}: {n} in the first run, {two.get(name)} in the second (must be more)", both)
            print(f"qemu_test: {name}: {n} against {two[name]}")
    return both


def main():
    a = parse_args()
    output = boot(a, a.append)
    if a.twin_append:
        second = boot(a, (a.append + " " + a.twin_append).strip())
        output = compare_twins(a, output, second)
    sys.stdout.write(output)
    print("\nqemu_test: PASS")


if __name__ == "__main__":
    main()
