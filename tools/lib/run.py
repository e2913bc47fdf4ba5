"""tools/run: boot the Tern kernel in QEMU (see `tools/run --help`)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import qemu  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def program_bundle(build_dir, programs):
    """A boot bundle (in a fresh temporary directory) holding the named
    programs of the build and a manifest that runs each as given."""
    stage = tempfile.mkdtemp(prefix="tern-run-")
    lines, elfs = [], {}
    for entry in programs:
        words = entry.split()
        if not words:
            raise ValueError("--program needs a program name")
        name = words[0]
        elf = os.path.join(build_dir, "user", f"{name}.elf")
        if not os.path.exists(elf):
            raise ValueError(f"no program '{name}' in the build ({elf})")
        elfs[name] = elf
        lines.append("run " + " ".join(words))
    manifest = os.path.join(stage, "manifest")
    with open(manifest, "w") as f:
        f.write("\n".join(lines) + "\n")
    out = os.path.join(stage, "programs.cpio")
    cmd = ["python3", os.path.join(ROOT, "user", "demo", "make_bundle.py"), "--cpio",
           shutil.which("cpio") or "cpio", "--out", out, "--manifest", manifest]
    for name, elf in elfs.items():
        cmd += ["--program", f"{name}={elf}"]
    subprocess.run(cmd, check=True)
    return out


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(
        prog="tools/run",
        description="Build (incrementally) and boot the Tern kernel on QEMU virt through OpenSBI. "
                    "Exits with the system's own exit status (0 = success).",
        epilog="Anything after `--` is passed to QEMU unchanged. Examples:\n"
               "  tools/run --mem 8G --numa 2\n"
               "  tools/run --mem 4G --numa 1G,3G --smp 4 --append 'kernelcore=50%'\n"
               "  tools/run --initrd my-bundle.cpio\n"
               "  tools/run --no-bundle --append init=hello\n"
               "  tools/run --icount --program 'fuzz quota=16384 seed=7 calls=20000'\n"
               "  tools/run --debug",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mem", default="128M", help="RAM size, e.g. 512M, 8G (default 128M)")
    p.add_argument("--smp", type=int, default=1, help="number of harts (default 1)")
    p.add_argument("--numa", help="N equal NUMA nodes, or explicit node sizes like 1G,3G")
    p.add_argument("--append", help="kernel command line (e.g. 'loglevel=7 kernelcore=512M')")
    p.add_argument("--initrd", help="file QEMU loads as the initrd (default: the demo boot bundle "
                                    "build/<preset>/bundle.cpio, which the pager starts)")
    p.add_argument("--program", action="append", default=[], metavar="'NAME [ARGS...]'",
                   help="boot the pager with a bundle of just these programs of the build, each started "
                        "as the manifest line `run NAME [ARGS...]` (repeatable; quota=PAGES among the "
                        "arguments sets its quota)")
    p.add_argument("--no-bundle", action="store_true",
                   help="boot without an initrd unless --initrd names one")
    p.add_argument("--debug", action="store_true",
                   help="start QEMU halted with a gdb stub (-s -S) and attach gdb-multiarch")
    p.add_argument("--icount", action="store_true",
                   help="deterministic instruction counting (-icount shift=0,sleep=off)")
    p.add_argument("--preset", default="target", choices=["target", "target-clang"],
                   help="which target build to boot (default target = gcc)")
    p.add_argument("--no-build", action="store_true", help="boot the existing image without building")
    p.add_argument("--print-command", action="store_true", help="print the QEMU command line first")
    p.add_argument("--disk", metavar="FILE",
                   help="attach the raw image FILE as a virtio-blk disk (default: a sparse 256 MiB "
                        "scratch image, build/<preset>/scratch-disk.img, made when missing)")
    p.add_argument("--disk-modern", action="store_true",
                   help="present the disk on the modern virtio-mmio transport (QEMU 7.2's default is legacy)")
    p.add_argument("--no-disk", action="store_true", help="attach no disk")
    args = p.parse_args(argv)

    build_dir = os.path.join(ROOT, "build", args.preset)
    kernel = os.path.join(build_dir, "kernel.elf")
    if not args.no_build:
        if not os.path.exists(os.path.join(build_dir, "build.ninja")):
            subprocess.run(["cmake", "--preset", args.preset], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        r = subprocess.run(["cmake", "--build", "--preset", args.preset], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout)
            sys.stderr.write("tools/run: build failed\n")
            return 2
    if not os.path.exists(kernel):
        sys.stderr.write(f"tools/run: no kernel image at {kernel}; run without --no-build\n")
        return 2
    if args.program:
        if args.initrd:
            sys.stderr.write("tools/run: --program makes the bundle; it cannot be given with --initrd\n")
            return 2
        try:
            args.initrd = program_bundle(build_dir, args.program)
        except ValueError as e:
            sys.stderr.write(f"tools/run: {e}\n")
            return 2
    if args.initrd is None and not args.no_bundle:
        bundle = os.path.join(build_dir, "bundle.cpio")
        if os.path.exists(bundle):
            args.initrd = bundle
        else:
            sys.stderr.write(f"tools/run: no boot bundle at {bundle} (is cpio installed?); "
                             "booting without one\n")
    if not args.no_disk:
        if args.disk is None:
            args.disk = os.path.join(build_dir, "scratch-disk.img")
            if not os.path.exists(args.disk):
                with open(args.disk, "wb") as f:
                    f.truncate(256 << 20)
        elif not os.path.exists(args.disk):
            sys.stderr.write(f"tools/run: disk image {args.disk} does not exist\n")
            return 2
        extra = qemu.disk_args(args.disk, modern=args.disk_modern) + list(extra)
    try:
        cmd = qemu.command(kernel, mem=args.mem, smp=args.smp, numa=args.numa, append=args.append,
                           initrd=args.initrd, extra=extra, icount=args.icount)
    except ValueError as e:
        sys.stderr.write(f"tools/run: {e}\n")
        return 2
    if args.initrd and not os.path.exists(args.initrd):
        sys.stderr.write(f"tools/run: initrd {args.initrd} does not exist\n")
        return 2
    if args.print_command:
        print(" ".join(cmd), flush=True)
    if args.debug:
        cmd += ["-s", "-S"]
        q = subprocess.Popen(cmd)
        gdb = ["gdb-multiarch", "-q", kernel,
               "-ex", "set architecture riscv:rv64",
               "-ex", "target remote localhost:1234",
               "-ex", "break boot_main"]
        try:
            subprocess.run(gdb)
        finally:
            q.terminate()
            q.wait()
        return q.returncode if q.returncode and q.returncode > 0 else 0
    return qemu.exit_status(subprocess.run(cmd).returncode)


if __name__ == "__main__":
    sys.exit(main())
