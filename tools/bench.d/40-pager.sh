#!/usr/bin/env bash
# Pager round trips, deterministic: the pager starts user/pbench from a
# bundle made here, under QEMU -icount shift=0,sleep=off (rdinstret counts
# guest instructions). Reports medians of 33 rounds (5 for batches).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source tools/lib/bench_bundle.sh
bench_in_bundle pbench 1G
