"""Build QEMU command lines for the Tern kernel (shared by tools/run and the
QEMU tests in tests/qemu).

The machine is always QEMU `virt` (rv64) with OpenSBI as firmware
(`-bios default`) and the kernel ELF given with -kernel.
"""
import re

SIZE_RE = re.compile(r"^(\d+)([KMGT]?)$", re.IGNORECASE)
UNITS = {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text):
    """'512M' -> bytes. A bare number is MiB, as QEMU's -m takes it."""
    m = SIZE_RE.match(text.strip())
    if not m:
        raise ValueError(f"bad size {text!r}: expected a number with an optional K/M/G/T suffix")
    value = int(m.group(1)) * UNITS[m.group(2).upper()]
    if value == 0:
        raise ValueError(f"bad size {text!r}: must not be zero")
    return value


def fmt_size(nbytes):
    for unit, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if nbytes % scale == 0:
            return f"{nbytes // scale}{unit}"
    return str(nbytes)


def numa_nodes(spec, total_mem):
    """--numa N (N equal nodes) or --numa 1G,3G (explicit sizes) -> sizes in bytes."""
    if re.fullmatch(r"\d+", spec):
        n = int(spec)
        if n < 1 or n > 8:
            raise ValueError(f"--numa {spec}: between 1 and 8 nodes")
        if total_mem % n or (total_mem // n) % (2 << 20):
            raise ValueError(f"--numa {spec}: {fmt_size(total_mem)} does not split into {n} equal "
                             "nodes of whole 2 MiB")
        return [total_mem // n] * n
    sizes = [parse_size(s) for s in spec.split(",")]
    if len(sizes) > 8:
        raise ValueError("--numa: at most 8 nodes")
    return sizes


def disk_args(path, modern=False):
    """QEMU arguments that attach the raw image `path` as a virtio-blk
    device on a virtio-mmio slot (the legacy transport, QEMU 7.2's default,
    or the modern one)."""
    args = ["-drive", f"file={path},if=none,format=raw,id=disk0",
            "-device", "virtio-blk-device,drive=disk0"]
    if modern:
        args += ["-global", "virtio-mmio.force-legacy=false"]
    return args


def command(kernel, mem="128M", smp=1, numa=None, append=None, initrd=None,
            extra=(), qemu="qemu-system-riscv64", icount=False):
    """Returns the QEMU argv. `numa` is a --numa spec or None."""
    mem_bytes = parse_size(mem)
    if smp < 1 or smp > 64:
        raise ValueError("--smp: between 1 and 64 harts")
    machine = "virt"
    args = ["-bios", "default", "-nographic", "-no-reboot", "-kernel", str(kernel), "-smp", str(smp)]
    if numa:
        sizes = numa_nodes(numa, mem_bytes)
        mem_bytes = sum(sizes)
        n = len(sizes)
        # QEMU 7.2's virt machine makes one socket per node and refuses a
        # node without harts ("discontinuous hartids").
        if smp < n:
            raise ValueError(f"--numa with {n} nodes needs at least {n} harts (--smp {n}): "
                             "QEMU's virt machine gives every node its own socket of harts")
        # Its PLIC wiring fails beyond two sockets; the APLIC works.
        if n > 2:
            machine = "virt,aia=aplic"
        for i, size in enumerate(sizes):
            args += ["-object", f"memory-backend-ram,id=mem{i},size={size}"]
            cpus = [c for c in range(smp) if c * n // smp == i]
            node = f"node,nodeid={i},memdev=mem{i}"
            if cpus:
                node += f",cpus={cpus[0]}-{cpus[-1]}"
            args += ["-numa", node]
        for i in range(n):
            for j in range(n):
                if i != j:
                    args += ["-numa", f"dist,src={i},dst={j},val={10 + 10 * abs(i - j)}"]
    args = [qemu, "-M", machine] + args + ["-m", fmt_size(mem_bytes)]
    if append:
        args += ["-append", append]
    if initrd:
        args += ["-initrd", str(initrd)]
    if icount:
        args += ["-icount", "shift=0,sleep=off"]
    args += list(extra)
    return args


def exit_status(returncode):
    """QEMU's exit status from sifive_test is the kernel's status."""
    return returncode
