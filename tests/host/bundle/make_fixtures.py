#!/usr/bin/env python3
"""Make real cpio archives for the bundle parser tests.

Usage: make_fixtures.py CPIO OUTDIR

Builds OUTDIR/tree (regular files of awkward sizes, a subdirectory, a
symlink and a FIFO, which the parser must skip) and archives it with GNU
cpio three ways:
  plain.cpio     -H newc, names as given ("hello.txt", "sub/nested.txt")
  dotslash.cpio  -H newc, names as `find .` prints them ("./hello.txt")
  crc.cpio       -H crc (magic 070702)
The tests compare what the parser finds with the files in OUTDIR/tree.
"""
import os
import shutil
import subprocess
import sys


def pattern(n, seed):
    return bytes((i * 31 + seed) & 0xFF for i in range(n))


def make_tree(tree):
    if os.path.isdir(tree):
        shutil.rmtree(tree)
    os.makedirs(os.path.join(tree, "sub", "deeper"))
    files = {
        "manifest": b"# fixture\nrun hello\nrun odd quota=4\n",
        "hello.txt": b"hello, bundle\n",
        "empty": b"",
        "odd.bin": pattern(1001, 7),
        "sub/nested.txt": b"nested\n",
        "sub/deeper/page-and-three.bin": pattern(4099, 3),
        "n": b"1",
        "nam": b"22",
        "name": b"333",
    }
    for name, data in files.items():
        with open(os.path.join(tree, name), "wb") as f:
            f.write(data)
    os.symlink("hello.txt", os.path.join(tree, "link"))
    os.mkfifo(os.path.join(tree, "fifo"))


def listing(tree, prefix):
    names = []
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        rel = os.path.relpath(root, tree)
        if rel != ".":
            names.append(rel)
        for f in sorted(files):
            names.append(f if rel == "." else os.path.join(rel, f))
    if prefix:
        names = ["."] + ["./" + n for n in names]
    return "\n".join(names) + "\n"


def archive(cpio, tree, out, fmt, prefix):
    with open(out, "wb") as f:
        subprocess.run([cpio, "-o", "-H", fmt, "--quiet", "--reproducible"], cwd=tree,
                       input=listing(tree, prefix).encode(), stdout=f, check=True)


def main():
    cpio, outdir = sys.argv[1], sys.argv[2]
    tree = os.path.join(outdir, "tree")
    make_tree(tree)
    archive(cpio, tree, os.path.join(outdir, "plain.cpio"), "newc", False)
    archive(cpio, tree, os.path.join(outdir, "dotslash.cpio"), "newc", True)
    archive(cpio, tree, os.path.join(outdir, "crc.cpio"), "crc", False)


if __name__ == "__main__":
    main()
