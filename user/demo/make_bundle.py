#!/usr/bin/env python3
"""Make a boot bundle: a cpio "newc" archive of programs and a manifest.

Usage: make_bundle.py --cpio CPIO --out FILE --manifest FILE
                      [--objcopy OBJCOPY] [--program NAME=ELF]... [--file NAME=PATH]...
                      [--cut-inside NAME]

Programs are stored under NAME with their debug sections stripped (when
--objcopy is given); --file entries are stored as they are. The archive
lists `manifest` first, then the entries in the order given, and is
reproducible (no timestamps, owners or inode numbers from the build host).
With --cut-inside, the archive ends in the middle of NAME's data: a
damaged bundle for tests.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def pair(text):
    name, sep, path = text.partition("=")
    if not sep or not name or "/" in name or name == "manifest":
        raise argparse.ArgumentTypeError(f"expected NAME=PATH with a plain name, got {text!r}")
    return name, path


def cut_inside(data, name):
    """The archive up to the middle of the data of entry `name` (newc headers:
    "070701" and 13 fields of 8 hex digits; name and data padded to 4)."""
    pos = 0
    while pos + 110 <= len(data):
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        filesize, namesize = fields[6], fields[11]
        entry = data[pos + 110:pos + 110 + namesize - 1].decode()
        data_at = (pos + 110 + namesize + 3) & ~3
        if entry == name:
            return data[:data_at + filesize // 2]
        if entry == "TRAILER!!!":
            break
        pos = (data_at + filesize + 3) & ~3
    raise SystemExit(f"make_bundle.py: no entry {name!r} to cut inside")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cpio", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument("--objcopy")
    p.add_argument("--program", type=pair, action="append", default=[])
    p.add_argument("--file", type=pair, action="append", default=[])
    p.add_argument("--cut-inside")
    a = p.parse_args()

    with tempfile.TemporaryDirectory() as stage:
        names = ["manifest"]
        shutil.copyfile(a.manifest, os.path.join(stage, "manifest"))
        for name, elf in a.program:
            dst = os.path.join(stage, name)
            if a.objcopy:
                subprocess.run([a.objcopy, "--strip-debug", elf, dst], check=True)
            else:
                shutil.copyfile(elf, dst)
            names.append(name)
        for name, path in a.file:
            shutil.copyfile(path, os.path.join(stage, name))
            names.append(name)
        tmp_out = a.out + ".tmp"
        with open(tmp_out, "wb") as f:
            subprocess.run([a.cpio, "-o", "-H", "newc", "--quiet", "--reproducible"], cwd=stage,
                           input="\n".join(names).encode() + b"\n", stdout=f, check=True)
        if a.cut_inside:
            with open(tmp_out, "rb") as f:
                data = cut_inside(f.read(), a.cut_inside)
            with open(tmp_out, "wb") as f:
                f.write(data)
        os.replace(tmp_out, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
