// Instruction counts for the buddy allocator's hot paths under callgrind:
//   valgrind --tool=callgrind --collect-atstart=no pager_buddy_icount SCENARIO N
// Only the measured loop is collected (CALLGRIND_TOGGLE_COLLECT); the
// "baseline" scenario is the same loop without the allocator calls, to be
// subtracted. Scenarios: baseline, pair0-pcp, pair0-buddy, pair3-split1,
// pair3-split7, bulk64 (N batches of 64 frames, allocated and freed),
// const-baseline, const-pair0-pcp, const-pair3-split1 (the pairs with a
// request known when compiled, against their own baseline loop),
// grant64 (N batch grants as the pager makes them, see grants()),
// giveback (N frames granted one by one and put on the LRU lists, as
// demand-zero faults leave them, then all freed, newest first, as the
// pager gives a task's frames back: see give_back()).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bit>

#include "bench_machines.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

namespace {

using namespace mm;

// The request is read from memory on every iteration, as the pager's
// server takes it from a message word: the compiler can neither fold it
// into constants nor keep its decoding out of the loop, so the count
// includes what a real caller pays for it. The baseline loop reads it too.
volatile uint64_t request_word;

__attribute__((noinline)) void pairs(Buddy& b, unsigned order, long n) {
    request_word = std::bit_cast<uint64_t>(AllocRequest::of(order));
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        const AllocRequest req = std::bit_cast<AllocRequest>(uint64_t(request_word));
        auto r = b.alloc(req);
        if (!r.ok()) abort();  // a benchmark state below the watermarks
        (void)b.free(*r, Order(req.order));
    }
    CALLGRIND_TOGGLE_COLLECT;
}

// The same pairs with the request a constant, as a kernel caller of
// Linux's alloc_page(GFP_KERNEL) / __free_page() passes it: the compiler
// folds the request's decoding into the fast path's table lookup.
template <unsigned K>
__attribute__((noinline)) void const_pairs(Buddy& b, long n) {
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        auto r = b.alloc(AllocRequest::of(K));
        if (!r.ok()) abort();
        (void)b.free(*r, Order(K));
        asm volatile("" ::: "memory");
    }
    CALLGRIND_TOGGLE_COLLECT;
}

__attribute__((noinline)) void const_baseline(long n) {
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) asm volatile("" ::: "memory");
    CALLGRIND_TOGGLE_COLLECT;
}

__attribute__((noinline)) void baseline(long n) {
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        uint64_t w = request_word;
        asm volatile("" ::"r"(w));
    }
    CALLGRIND_TOGGLE_COLLECT;
}

__attribute__((noinline)) void bulk(Buddy& b, long n) {
    Pfn out[64];
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        auto r = b.alloc_bulk(AllocRequest::of(0), 64, out);
        if (!r.ok() || *r != 64) abort();
        for (size_t k = 0; k < *r; k++) (void)b.free(out[k], Order(0));
    }
    CALLGRIND_TOGGLE_COLLECT;
}

// The pager's batch grant (AllocBatch): 64 frames from alloc_bulk, put on
// the inactive LRU list as one run (Lru::add_run, as the pager does); then
// they are freed and the cache is drained, so that every batch takes its
// frames from the buddy lists, as when granted memory stays granted. Meant
// to be read per function (callgrind_annotate --inclusive=yes).
__attribute__((noinline)) void grants(test::Machine& m, long n) {
    Buddy& b = m.buddy();
    Pfn out[64];
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        auto r = b.alloc_bulk(AllocRequest::of(0, GFP_MOVABLE), 64, out);
        if (!r.ok() || *r != 64) abort();
        if (!m.lru().add_run(out, 64, 1, VirtAddr(0)).ok()) abort();
        for (size_t k = 0; k < 64; k++) (void)b.free(out[k], Order(0));
        b.drain_pcp();
    }
    CALLGRIND_TOGGLE_COLLECT;
}

// N order-0 movable frames taken and put on the LRU list one at a time;
// then, measured, each freed again, the newest first (the order of a
// task's list of blocks, pager/grants.cc).
__attribute__((noinline)) void give_back(test::Machine& m, long n) {
    Buddy& b = m.buddy();
    std::vector<Pfn> taken;
    for (long i = 0; i < n; i++) {
        auto r = b.alloc(AllocRequest::of(0, GFP_MOVABLE));
        if (!r.ok() || !m.lru().add(*r, 1, VirtAddr(0)).ok()) abort();
        taken.push_back(*r);
    }
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = n - 1; i >= 0; i--) (void)b.free(taken[size_t(i)], Order(0));
    CALLGRIND_TOGGLE_COLLECT;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SCENARIO N\n", argv[0]);
        return 2;
    }
    const char* s = argv[1];
    long n = atol(argv[2]);
    if (!strcmp(s, "baseline")) {
        baseline(n);
    } else if (!strcmp(s, "pair0-pcp")) {
        auto m = bench::default_machine();
        pairs(m->buddy(), 0, 1);  // fill the cache outside the measurement
        pairs(m->buddy(), 0, n);
    } else if (!strcmp(s, "const-baseline")) {
        const_baseline(n);
    } else if (!strcmp(s, "const-pair0-pcp")) {
        auto m = bench::default_machine();
        const_pairs<0>(m->buddy(), 1);
        const_pairs<0>(m->buddy(), n);
    } else if (!strcmp(s, "const-pair3-split1")) {
        const_pairs<3>(bench::one_split_machine()->buddy(), n);
    } else if (!strcmp(s, "pair0-buddy")) {
        pairs(bench::warm_order0_machine()->buddy(), 0, n);
    } else if (!strcmp(s, "pair3-split1")) {
        pairs(bench::one_split_machine()->buddy(), 3, n);
    } else if (!strcmp(s, "pair3-split7")) {
        pairs(bench::deep_split_machine()->buddy(), 3, n);
    } else if (!strcmp(s, "grant64")) {
        auto m = bench::default_machine();
        grants(*m, n);
    } else if (!strcmp(s, "giveback")) {
        auto m = bench::default_machine();
        give_back(*m, n);
    } else if (!strcmp(s, "bulk64")) {
        auto m = bench::default_machine();
        bulk(m->buddy(), n);
    } else {
        fprintf(stderr, "unknown scenario %s\n", s);
        return 2;
    }
    return 0;
}
