# Sourced by the target benchmarks in tools/bench.d/ that run a program
# under the pager.
#
# bench_in_bundle PROGRAM MEM [ARG...]: builds the target image, packs
# build/target/user/PROGRAM.elf into a boot bundle whose manifest says
# `run PROGRAM ARG...`, boots it with MEM of RAM under QEMU
# -icount shift=0,sleep=off (so rdinstret counts guest instructions
# deterministically) and prints the lines PROGRAM prints that start with
# "PROGRAM: ", without that prefix. Fails, showing the end of the output,
# when PROGRAM printed no "PROGRAM: operation" line (its table's header).
bench_in_bundle() {
  local prog=$1 mem=$2 dir out
  shift 2
  [ -f build/target/build.ninja ] || cmake --preset target >/dev/null
  cmake --build --preset target >/dev/null
  dir=$(mktemp -d)
  cp "build/target/user/$prog.elf" "$dir/$prog"
  echo "run $prog $*" > "$dir/manifest"
  (cd "$dir" && printf 'manifest\n%s\n' "$prog" | cpio -o -H newc --quiet > bundle.cpio)
  out=$(python3 tools/lib/run.py --no-build --icount --mem "$mem" --initrd "$dir/bundle.cpio" 2>&1 || true)
  rm -rf "$dir"
  if ! grep -q "^$prog: operation" <<<"$out"; then
    echo "$prog did not report; its output:" >&2
    echo "$out" | tail -20 >&2
    return 1
  fi
  grep "^$prog:" <<<"$out" | sed "s/^$prog: //"
}
