#!/usr/bin/env bash
# Kernel operations from user space, deterministic: boots the kernel with
# init=kbench under QEMU -icount shift=0,sleep=off, where rdinstret counts
# guest instructions (U-mode and S-mode), and prints kbench's table:
# instructions per null syscall, per IPC round trip between two address
# spaces (Call answered from ReplyRecv), and per page-fault round trip
# (fault message to the root task, Map of a frame minted beforehand, reply
# RESUME). Targets: <= 100, <= 500, <= 700. Reports; never fails on figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target -j2 >/dev/null

out=$(python3 tools/lib/run.py --no-build --icount --mem 128M --append "init=kbench" 2>&1 | tr -d '\r' || true)
table=$(sed -n '/^kbench: begin$/,/^kbench: end$/p' <<<"$out" | sed '1d;$d')
if [ -z "$table" ]; then
  echo "kbench did not print its table; the end of its output:" >&2
  tail -n 20 <<<"$out" >&2
  exit 1
fi
echo "$table"
