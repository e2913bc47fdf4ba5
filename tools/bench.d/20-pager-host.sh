#!/usr/bin/env bash
# The pager's buddy allocator on the host (bench preset, Release):
#   - Google Benchmark times (median of 5 repetitions) of the hot paths,
#     with mimalloc and jemalloc serving 4096 << order aligned blocks in
#     the same run, and the ratios;
#   - x86-64 instructions per operation from callgrind: each scenario runs
#     N = 1,000 and 11,000 times, the difference / 10,000 minus the cost of
#     the baseline loop, which only reads the request word as the pairs do
#     (tests/bench/buddy/buddy_icount.cc);
#   - the fragmentation experiment with mobility grouping on and off
#     (tests/bench/buddy/frag.cc), and the share of a huge-page region
#     served with 2 MiB frames after it.
# Goals (issue "zoned buddy allocator and LRU lists"): order-0 pair <= 40
# instructions and 30 ns; order-3 pair with split and merge <= 150
# instructions; bulk of 64 order-0 frames <= 15 ns per frame; grouping
# at least doubles order-9 availability. Reported, never enforced.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
[ -f build/bench/build.ninja ] || cmake --preset bench >/dev/null
cmake --build --preset bench -j2 --target pager_buddy_bench pager_buddy_icount pager_frag >/dev/null
bin=build/bench/tests/bench/buddy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin/pager_buddy_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$tmp/gbench.json" 2>/dev/null

icount() {
  local scenario=$1 n totals=()
  for n in 1000 11000; do
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.$scenario.$n" \
      "$bin/pager_buddy_icount" "$scenario" "$n" >/dev/null 2>&1
    totals+=("$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$tmp/cg.$scenario.$n" | head -1)")
  done
  echo "$scenario ${totals[0]} ${totals[1]}"
}
for s in baseline pair0-pcp pair0-buddy pair3-split1 pair3-split7 bulk64 grant64 giveback \
         const-baseline const-pair0-pcp const-pair3-split1; do icount "$s"; done >"$tmp/icount.txt"

python3 - "$tmp/gbench.json" "$tmp/icount.txt" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "median"}
def ns(name, per_item=False):
    r = med.get(name)
    if not r: return None
    t = r["cpu_time"]  # ns of CPU time per iteration (the machine may be shared)
    return t / 64 if per_item else t
ic = {}
for line in open(sys.argv[2]):
    s, a, b = line.split()
    ic[s] = (int(b) - int(a)) / 10000
loop = ic.pop("baseline")
const_loop = ic.pop("const-baseline")
per = {s: v - (const_loop if s.startswith("const-") else loop) for s, v in ic.items()}
per["giveback"] = ic["giveback"]  # its loop is the frees alone
per["bulk64"] = per["bulk64"] / 64
per["grant64"] = per["grant64"] / 64
def f(v, fmt="%.1f"): return "-" if v is None else fmt % v
rows = [
    ("order-0 alloc+free, warm per-cpu cache", "BM_buddy_order0_pair_pcp", False, "pair0-pcp", "<= 40 instr, <= 30 ns",
     "BM_mimalloc_pair/0", "BM_jemalloc_pair/0"),
    ("order-0 alloc+free, buddy lists only", "BM_buddy_order0_pair_nopcp", False, "pair0-buddy", "-", None, None),
    ("order-3 alloc+free, 1 split + 1 merge", "BM_buddy_order3_pair_split1", False, "pair3-split1", "<= 150 instr",
     "BM_mimalloc_pair/3", "BM_jemalloc_pair/3"),
    ("order-3 alloc+free, 7 splits + 7 merges", "BM_buddy_order3_pair_split7", False, "pair3-split7", "-", None, None),
    ("bulk 64 order-0 (alloc+free), per frame", "BM_buddy_bulk64", True, "bulk64", "<= 15 ns",
     "BM_mimalloc_bulk64", "BM_jemalloc_bulk64"),
    ("grant cycle of 64, per frame (note below)", None, True, "grant64", "-", None, None),
    ("give a task's frames back, per frame (note)", None, False, "giveback", "-", None, None),
    ("order-0 pair, request a constant (note)", None, False, "const-pair0-pcp", "-", None, None),
    ("order-3 pair, 1 split, request a constant", None, False, "const-pair3-split1", "-", None, None),
]
print("%-42s %10s %12s %10s %10s %9s %9s  %s" % ("operation", "ns (med)", "instr (x86)", "mimalloc", "jemalloc",
                                                 "mi/ours", "je/ours", "goal"))
for label, gb, per_item, cg, goal, mi, je in rows:
    ours = ns(gb, per_item)
    m = ns(mi, per_item) if mi else None
    j = ns(je, per_item) if je else None
    ratio = lambda p: None if (p is None or not ours) else p / ours
    print("%-42s %10s %12s %10s %10s %9s %9s  %s" % (label, f(ours), f(per[cg], "%.0f"), f(m), f(j),
          f(ratio(m), "%.2fx"), f(ratio(j), "%.2fx"), goal))
print("(ns: Google Benchmark CPU time, median of 5; instr: callgrind, baseline loop cost %.0f subtracted; peers serve" % loop)
print(" 4096 << order bytes aligned to their size: mimalloc from a heap in a fixed 256 MiB arena, jemalloc mallocx;")
print(" grant cycle: what a 64-frame batch grant costs the allocator and LRU as the pager makes it: alloc_bulk(64),")
print(" the frames put on the LRU list as one run (Lru::add_run), then each freed from it and the per-cpu")
print(" cache drained; give back: order-0 frames granted one by one and put on the LRU list, then each freed,")
print(" the newest first, as the pager gives a task's frames back (merging them with their buddies again);")
print(" request a constant: the same pairs with the request known when compiled, as a caller of Linux's")
print(" alloc_page(GFP_KERNEL) passes it, so its decoding folds away; the pager reads it from a message)")
PY
echo
"$bin/pager_frag"
