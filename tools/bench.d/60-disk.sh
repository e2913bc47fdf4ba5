#!/usr/bin/env bash
# Block requests through the virtio block driver (user/bench/blkbench.cc)
# on a 64 MiB sparse disk image in the build directory: instructions per
# 4 KiB read one at a time and with 32 clients in flight, under QEMU
# -icount shift=0,sleep=off with the idle instructions subtracted
# (targets <= 2000 and <= 800); then MiB/s of 64 KiB sequential writes
# and reads without -icount (wall time by the time CSR; noisy: the median
# of three boots). Reports; never fails on figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target -j2 >/dev/null
disk=build/target/blkbench-disk.img
rm -f "$disk"
truncate -s 64M "$disk"
boot() {
  python3 tools/lib/run.py --no-build --mem 256M --append "init=blkbench" --disk "$disk" "$@" 2>&1 | tr -d '\r' || true
}
table() { sed -n '/^blkbench: begin$/,/^blkbench: end$/p' <<<"$1" | sed '1d;$d'; }
out=$(boot --icount)
t=$(table "$out")
if [ -z "$t" ]; then
  echo "blkbench did not print its table; the end of its output:" >&2
  tail -n 20 <<<"$out" >&2
  exit 1
fi
grep -v 'MiB/s' <<<"$t"
for what in write read; do
  rates=()
  for _ in 1 2 3; do
    r=$(table "$(boot)" | sed -n "s/^64 KiB sequential $what: \([0-9.]*\) MiB\/s.*/\1/p")
    rates+=("${r:-0}")
  done
  median=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n 2p)
  echo "64 KiB sequential $what: median $median MiB/s of ${rates[*]} (wall time, no -icount)"
done
rm -f "$disk"
