#!/usr/bin/env bash
# The buddy allocator's hot paths on the target, deterministic: the pager
# starts user/pbench/abench (the allocator library linked into a program
# of its own, over a mem_map in its .bss) from a bundle made here, under
# QEMU -icount shift=0,sleep=off, and abench reads rdinstret around the
# same loops as the host's callgrind driver (20-pager-host.sh), so the two
# tables give RISC-V and x86-64 instruction counts of the same code.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source tools/lib/bench_bundle.sh
bench_in_bundle abench 256M quota=1024
