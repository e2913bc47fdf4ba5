#!/usr/bin/env python3
"""Make a device tree for a boot test from the one QEMU itself generates.

Dumps QEMU's own FDT for the machine (-M virt,dumpdtb=...), decompiles it
with dtc, adds what the test needs (a /reserved-memory child, a
/memreserve/ entry, a bogus memory bank...), and compiles it again. The
kernel then boots with `-dtb OUT`, and OpenSBI amends it as usual.

Usage: make_dtb.py OUT --mem 256M [--smp N] [--numa SPEC]
         [--nomap ADDR,SIZE] [--reserve ADDR,SIZE] [--memreserve ADDR,SIZE]
         [--extra-bank ADDR,SIZE]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lib"))
import qemu  # noqa: E402


def cells(value):
    return f"0x{value >> 32:x} 0x{value & 0xffffffff:x}"


def pair(text):
    a, s = text.split(",")
    return int(a, 0), int(s, 0)


def bank(text):
    parts = [int(x, 0) for x in text.split(",")]
    return tuple(parts) if len(parts) == 3 else (parts[0], parts[1], None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--mem", default="256M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--numa")
    p.add_argument("--nomap", action="append", default=[], type=pair)
    p.add_argument("--reserve", action="append", default=[], type=pair)
    p.add_argument("--memreserve", action="append", default=[], type=pair)
    p.add_argument("--extra-bank", action="append", default=[], type=bank,
                   help="ADDR,SIZE[,NUMA_NODE_ID]: another memory node")
    p.add_argument("--drop-memory", action="store_true", help="remove every memory node")
    p.add_argument("--bank-node", type=int, help="give QEMU's memory node this numa-node-id")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "qemu.dtb")
        cmd = qemu.command("/dev/null", mem=a.mem, smp=a.smp, numa=a.numa)
        cmd = [c if c != "virt" else f"virt,dumpdtb={raw}" for c in cmd]
        cmd = [c for c in cmd if c not in ("-kernel", "/dev/null")]
        subprocess.run(cmd, check=True, capture_output=True)
        dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", raw], check=True,
                             capture_output=True, text=True).stdout
    children = []
    for i, (addr, size) in enumerate(a.nomap):
        children.append(f"\t\ttest_nomap{i}@{addr:x} {{\n\t\t\treg = <{cells(addr)} {cells(size)}>;\n"
                         f"\t\t\tno-map;\n\t\t}};\n")
    for i, (addr, size) in enumerate(a.reserve):
        children.append(f"\t\ttest_resv{i}@{addr:x} {{\n\t\t\treg = <{cells(addr)} {cells(size)}>;\n\t\t}};\n")
    extra = ""
    if children:
        extra += ("\treserved-memory {\n\t\t#address-cells = <0x02>;\n\t\t#size-cells = <0x02>;\n"
                  "\t\tranges;\n" + "".join(children) + "\t};\n")
    for i, (addr, size, node) in enumerate(a.extra_bank):
        nid = f"\t\tnuma-node-id = <{node}>;\n" if node is not None else ""
        extra += (f"\tmemory@{addr:x}_{i} {{\n\t\tdevice_type = \"memory\";\n"
                  f"\t\treg = <{cells(addr)} {cells(size)}>;\n{nid}\t}};\n")
    if a.drop_memory:
        dts = re.sub(r"\n\tmemory@[0-9a-f]+ \{.*?\n\t\};", "", dts, flags=re.S)
    if a.bank_node is not None:
        dts = re.sub(r"(\n\tmemory@[0-9a-f]+ \{\n)", rf"\1\t\tnuma-node-id = <{a.bank_node}>;\n", dts)
    # Insert before the root node's closing brace (the last "};").
    idx = dts.rstrip().rfind("};")
    dts = dts[:idx] + extra + dts[idx:]
    header = "".join(f"/memreserve/ 0x{addr:x} 0x{size:x};\n" for addr, size in a.memreserve)
    dts = re.sub(r"^/dts-v1/;\n", "/dts-v1/;\n" + header, dts, count=1)
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", a.out, "-"], input=dts, text=True, check=True)


if __name__ == "__main__":
    main()
