#!/usr/bin/env bash
# Costs as the system fills, deterministic (QEMU -icount shift=0,sleep=off,
# rdinstret counts guest instructions; under icount one instruction is one
# nanosecond of the guest's clock). user/demo/fill demand-faults the pages
# of its heap and reports what its faults took; the pager reports what
# giving a task's frames back took (pager/server.cc):
#   - 16 GiB: one task faults 95% of free memory (about 3.8 million 4 KiB
#     pages): the first 10,000 faults against the last 10,000, and giving
#     all of them back. Alone: rdinstret counts every instruction of the
#     hart, another task's included.
#   - 256 MiB: a task holding about 1,000 frames gives them back.
#   - 2 GiB: 1 GiB faulted in with 4 KiB pages, then with 2 MiB pages.
# Takes several minutes and 16 GiB of host memory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target >/dev/null

# run_bundle MEM LINE...: boots MEM under icount with a bundle of fill
# started once per manifest LINE; prints fill's and the pager's figures.
run_bundle() {
  local mem=$1 dir out
  shift
  dir=$(mktemp -d)
  cp build/target/user/fill.elf "$dir/fill"
  printf '%s\n' "$@" > "$dir/manifest"
  (cd "$dir" && printf 'manifest\nfill\n' | cpio -o -H newc --quiet > bundle.cpio)
  out=$(python3 tools/lib/run.py --no-build --icount --mem "$mem" --initrd "$dir/bundle.cpio" 2>&1 || true)
  rm -rf "$dir"
  if ! grep -q "^pager: all tasks exited" <<<"$out"; then
    echo "the scale run on $mem did not finish; its output:" >&2
    tail -20 <<<"$out" >&2
    return 1
  fi
  grep -E "^fill: (the first|[0-9]+ pages (faulted|in))|^pager: gave back" <<<"$out"
}

echo "16 GiB, one task with 95% of free memory:"
run_bundle 16G "run fill quota=100% 1 95 time"
echo
echo "256 MiB, one task with 1,024 pages:"
run_bundle 256M "run fill quota=1024 1 100 time"
echo
echo "2 GiB, 1 GiB of heap with 4 KiB pages:"
run_bundle 2G "run fill quota=262166 1 100 time"
echo
echo "2 GiB, 1 GiB of heap with 2 MiB pages:"
run_bundle 2G "run fill quota=262166 1 100 huge time"
