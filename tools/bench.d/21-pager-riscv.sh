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
[ -f build/target/build.ninja ] || cmake --preset target >/dev/null
cmake --build --preset target >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp build/target/user/abench.elf "$dir/abench"
printf 'run abench quota=1024\n' > "$dir/manifest"
(cd "$dir" && printf 'manifest\nabench\n' | cpio -o -H newc --quiet > bundle.cpio)
out=$(python3 tools/lib/run.py --no-build --icount --mem 256M --initrd "$dir/bundle.cpio" 2>&1 || true)
if ! grep -q "abench: operation" <<<"$out"; then
  echo "abench did not report; its output:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
grep "^abench:" <<<"$out" | sed 's/^abench: //'
