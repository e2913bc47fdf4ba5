"""tools/fuzz: run the seeded system call fuzzer (user/fuzz) for as long as
asked, and report calls per second (see `tools/fuzz --help`)."""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import qemu  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SUMMARY = re.compile(r"^fuzz: (\d+) calls \((\d+) ours, (\d+) by children\)")
VERDICT = re.compile(r"^fuzz: (PASS|FAIL)")


def build(preset):
    build_dir = os.path.join(ROOT, "build", preset)
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        subprocess.run(["cmake", "--preset", preset], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    r = subprocess.run(["cmake", "--build", "--preset", preset], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout)
        raise SystemExit("tools/fuzz: build failed")
    return build_dir


def fuzz_options(a, seed):
    opts = [f"seed={seed}", f"calls={a.calls}", f"verify={a.verify}", f"children={a.children}",
            f"respawn={a.respawn}"]
    if a.strict:
        opts.append("strict=1")
    return opts


# Kernel memory for the fuzzer's children and what it creates (the
# manifest's kmem=, docs/pager-protocol.md), as the CTest smoke runs give.
FUZZ_KMEM_PAGES = 320


def make_bundle(build_dir, stage, options, quota):
    manifest = os.path.join(stage, "manifest")
    with open(manifest, "w") as f:
        f.write(f"run fuzz quota={quota} kmem={FUZZ_KMEM_PAGES} {' '.join(options)}\n")
    out = os.path.join(stage, "fuzz.cpio")
    subprocess.run(["python3", os.path.join(ROOT, "user", "demo", "make_bundle.py"),
                    "--cpio", shutil.which("cpio") or "cpio", "--out", out, "--manifest", manifest,
                    "--program", f"fuzz={os.path.join(build_dir, 'user', 'fuzz.elf')}"], check=True)
    return out


def run_one(a, build_dir, seed):
    """Boots one run; returns (passed, fuzz calls, seconds of the fuzzing itself)."""
    options = fuzz_options(a, seed)
    append = ["quiet"] + (["verify=syscall"] if a.verify_syscall else [])
    with tempfile.TemporaryDirectory() as stage:
        initrd = None
        if a.root:
            append += ["init=fuzz"] + ["fuzz_" + o for o in options]
        else:
            initrd = make_bundle(build_dir, stage, options, a.quota)
        cmd = qemu.command(os.path.join(build_dir, "kernel.elf"), mem=a.mem, append=" ".join(append),
                           initrd=initrd, icount=not a.no_icount)
        log = open(a.log, "a") if a.log else None
        started = finished = None
        calls, verdict = 0, None
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + a.timeout
        for raw in proc.stdout:
            line = raw.decode(errors="replace").replace("\r", "").rstrip("\n")
            if log:
                log.write(line + "\n")
            now = time.monotonic()
            if line.startswith("fuzz: seed "):
                started = now
            m = SUMMARY.match(line)
            if m:
                finished, calls = now, int(m.group(1))
            v = VERDICT.match(line)
            if v:
                verdict = v.group(1)
            if line.startswith("fuzz: ") or "KERNEL PANIC" in line or "ERROR" in line or \
                    line.startswith("pager: task fuzz") or line.startswith("pager: all tasks"):
                print(line, flush=True)
            if now > deadline:
                proc.kill()
                print(f"tools/fuzz: seed {seed}: no end after {a.timeout} s; stopped", flush=True)
                break
        status = proc.wait()
        if log:
            log.close()
    passed = verdict == "PASS" and status == 0
    seconds = (finished - started) if started and finished else 0
    return passed, calls, seconds, status


def main():
    p = argparse.ArgumentParser(
        prog="tools/fuzz",
        description="Runs the seeded system call fuzzer (user/fuzz) under the pager (or as the root task "
                    "with --root) and reports calls per second. The seed is printed; the same seed with "
                    "the same options replays the run exactly (QEMU -icount, unless --no-icount).",
        epilog="Examples:\n"
               "  tools/fuzz --calls 2000000 --mem 1G --seed 7\n"
               "  tools/fuzz --seeds 20 --calls 50000          # seeds 1..20 (or from --seed)\n"
               "  tools/fuzz --root --calls 100000             # root task: Memory caps, no pager\n"
               "  tools/fuzz --verify-syscall --calls 5000     # the kernel checks itself after every call",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=100000, help="the fuzzer's own calls (children's come on top)")
    p.add_argument("--mem", default="128M", help="RAM (default 128M)")
    p.add_argument("--seed", type=int, help="the run's seed (default: a random one, printed)")
    p.add_argument("--seeds", type=int, default=1, help="how many runs, seeds counting up from --seed")
    p.add_argument("--children", type=int, default=3, help="fuzzing children at a time (0..6)")
    p.add_argument("--verify", type=int, default=1000, help="calls between the kernel's and the pager's checks")
    p.add_argument("--respawn", type=int, default=1500, help="calls between killing and starting a child")
    p.add_argument("--strict", action="store_true", help="an error the documentation does not list fails")
    p.add_argument("--root", action="store_true", help="run as the root task (init=fuzz) instead")
    p.add_argument("--verify-syscall", action="store_true", help="the kernel checks itself after every call")
    p.add_argument("--quota", type=int, default=16384, help="the fuzzer's frame quota under the pager")
    p.add_argument("--no-icount", action="store_true", help="faster, but runs with children do not replay")
    p.add_argument("--timeout", type=int, default=3600, help="seconds per run before giving up")
    p.add_argument("--log", help="append QEMU's whole output to this file")
    p.add_argument("--preset", default="target", choices=["target", "target-clang"])
    a = p.parse_args()

    build_dir = build(a.preset)
    first = a.seed if a.seed is not None else random.randrange(1, 1 << 31)
    failed = []
    for seed in range(first, first + a.seeds):
        print(f"tools/fuzz: seed {seed}, {a.calls} calls, {a.mem}{', root task' if a.root else ''}", flush=True)
        passed, calls, seconds, status = run_one(a, build_dir, seed)
        rate = f"{calls / seconds:.0f} calls/s" if seconds > 0 else "no rate"
        print(f"tools/fuzz: seed {seed}: {'passed' if passed else 'FAILED (status %d)' % status}; "
              f"{calls} calls in {seconds:.1f} s of host time: {rate}", flush=True)
        if not passed:
            failed.append(seed)
    if failed:
        print(f"tools/fuzz: failed seeds: {' '.join(map(str, failed))} (replay: tools/fuzz --seed N with the "
              "same options)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
