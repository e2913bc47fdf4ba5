#!/usr/bin/env bash
# Pager round trips, deterministic: the pager starts user/pbench from a
# bundle made here, under QEMU -icount shift=0,sleep=off (rdinstret counts
# guest instructions). Reports medians of 33 rounds (5 for batches).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp build/target/user/pbench.elf "$dir/pbench"
printf 'run pbench\n' > "$dir/manifest"
(cd "$dir" && printf 'manifest\npbench\n' | cpio -o -H newc --quiet > bundle.cpio)
out=$(python3 tools/lib/run.py --no-build --icount --mem 1G --initrd "$dir/bundle.cpio" 2>&1 || true)
if ! grep -q "pbench: operation" <<<"$out"; then
  echo "pbench did not report; its output:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
grep "^pbench:" <<<"$out" | sed 's/^pbench: //'
