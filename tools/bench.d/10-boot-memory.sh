#!/usr/bin/env bash
# Boot cost of physical memory bring-up, deterministic: QEMU with
# -icount shift=0,sleep=off makes rdinstret count guest instructions.
# Reports retired instructions from kernel entry to "memory ready" (FDT
# parse and its log lines, memblock, direct map, zones, mem_map) per RAM
# size, per 4 KiB frame, and the direct map + mem_map part alone.
# Goal: < 40 per frame in total.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target >/dev/null

printf "%-8s %10s %14s %10s %16s %10s\n" "RAM" "frames" "entry->ready" "per frame" "map+mem_map" "per frame"
for mem in 128M 1G 8G 16G; do
  out=$(python3 tools/lib/run.py --no-build --no-bundle --icount --mem "$mem" --append "loglevel=7" 2>&1 || true)
  total=$(sed -n 's/.*memory ready: \([0-9]*\) instructions.*/\1/p' <<<"$out")
  costs=$(sed -n 's/.*direct map \([0-9]*\), zones [0-9]*, mem_map \([0-9]*\).*/\1 \2/p' <<<"$out")
  frames=$(python3 -c "import sys; sys.path.insert(0,'tools/lib'); import qemu; print(qemu.parse_size('$mem') // 4096)")
  if [ -z "$total" ] || [ -z "$costs" ]; then
    echo "$mem: the kernel did not report its boot cost" >&2
    continue
  fi
  read -r dmap memmap <<<"$costs"
  part=$((dmap + memmap))
  python3 -c "print('%-8s %10d %14d %10.2f %16d %10.2f' % ('$mem', $frames, $total, $total / $frames, $part, $part / $frames))"
done
