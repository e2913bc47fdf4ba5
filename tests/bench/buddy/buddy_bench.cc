// Google Benchmark: the buddy allocator's hot paths, and the same
// operations served by mimalloc and jemalloc (4096 << order bytes,
// aligned to their size) in the same run for comparison.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <bit>

#include "bench_machines.h"

#if TERN_BENCH_MIMALLOC
#include <mimalloc.h>
#endif
#if TERN_BENCH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace {

using namespace mm;

// The request is read from memory on every iteration, as the pager's
// server takes it from a message word (the same loop as buddy_icount.cc).
volatile uint64_t request_word;

void pair_loop(benchmark::State& st, Buddy& b, unsigned order) {
    request_word = std::bit_cast<uint64_t>(AllocRequest::of(order));
    for (auto _ : st) {
        const AllocRequest req = std::bit_cast<AllocRequest>(uint64_t(request_word));
        auto r = b.alloc(req);
        if (!r.ok()) {
            st.SkipWithError("allocation failed: benchmark state below the watermarks");
            break;
        }
        benchmark::DoNotOptimize(r);
        Status s = b.free(*r, Order(req.order));
        benchmark::DoNotOptimize(s);
    }
}

void BM_buddy_order0_pair_pcp(benchmark::State& st) {
    auto m = bench::default_machine();
    pair_loop(st, m->buddy(), 0);
}
BENCHMARK(BM_buddy_order0_pair_pcp);

void BM_buddy_order0_pair_nopcp(benchmark::State& st) {
    auto m = bench::warm_order0_machine();
    pair_loop(st, m->buddy(), 0);
}
BENCHMARK(BM_buddy_order0_pair_nopcp);

void BM_buddy_order3_pair_split1(benchmark::State& st) {
    auto m = bench::one_split_machine();
    pair_loop(st, m->buddy(), 3);
}
BENCHMARK(BM_buddy_order3_pair_split1);

void BM_buddy_order3_pair_split7(benchmark::State& st) {
    auto m = bench::deep_split_machine();
    pair_loop(st, m->buddy(), 3);
}
BENCHMARK(BM_buddy_order3_pair_split7);

// alloc_bulk of 64 frames and their 64 frees; items = frames.
void BM_buddy_bulk64(benchmark::State& st) {
    auto m = bench::default_machine();
    Buddy& b = m->buddy();
    Pfn out[64];
    for (auto _ : st) {
        auto r = b.alloc_bulk(AllocRequest::of(0), 64, out);
        if (!r.ok() || *r != 64) {
            st.SkipWithError("bulk allocation came up short");
            break;
        }
        benchmark::DoNotOptimize(r);
        for (size_t i = 0; i < *r; i++) (void)b.free(out[i], Order(0));
    }
    st.SetItemsProcessed(st.iterations() * 64);
}
BENCHMARK(BM_buddy_bulk64);

#if TERN_BENCH_MIMALLOC
// A heap confined to one fixed 256 MiB arena, like the buddy zone.
mi_heap_t* mimalloc_arena_heap() {
    static mi_heap_t* heap = [] {
        // mimalloc wants arena memory aligned to its segment size: map
        // extra and align to 64 MiB.
        size_t size = size_t(256) << 20, align = size_t(64) << 20;
        void* raw = mmap(nullptr, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) abort();
        void* area = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(raw) + align - 1) & ~(align - 1));
        mi_arena_id_t id;
        if (!mi_manage_os_memory_ex(area, size, true, false, true, -1, true, &id)) abort();
        mi_heap_t* h = mi_heap_new_in_arena(id);
        if (!h) abort();
        return h;
    }();
    return heap;
}

void BM_mimalloc_pair(benchmark::State& st) {
    mi_heap_t* heap = mimalloc_arena_heap();
    size_t size = size_t(4096) << st.range(0);
    for (auto _ : st) {
        void* p = mi_heap_malloc_aligned(heap, size, size);
        benchmark::DoNotOptimize(p);
        mi_free(p);
    }
}
BENCHMARK(BM_mimalloc_pair)->Arg(0)->Arg(3);

void BM_mimalloc_bulk64(benchmark::State& st) {
    mi_heap_t* heap = mimalloc_arena_heap();
    void* out[64];
    for (auto _ : st) {
        for (void*& p : out) p = mi_heap_malloc_aligned(heap, 4096, 4096);
        benchmark::DoNotOptimize(out);
        for (void* p : out) mi_free(p);
    }
    st.SetItemsProcessed(st.iterations() * 64);
}
BENCHMARK(BM_mimalloc_bulk64);
#endif

#if TERN_BENCH_JEMALLOC
void BM_jemalloc_pair(benchmark::State& st) {
    size_t size = size_t(4096) << st.range(0);
    int flags = MALLOCX_ALIGN(size);
    for (auto _ : st) {
        void* p = mallocx(size, flags);
        benchmark::DoNotOptimize(p);
        dallocx(p, flags);
    }
}
BENCHMARK(BM_jemalloc_pair)->Arg(0)->Arg(3);

void BM_jemalloc_bulk64(benchmark::State& st) {
    void* out[64];
    for (auto _ : st) {
        for (void*& p : out) p = mallocx(4096, MALLOCX_ALIGN(4096));
        benchmark::DoNotOptimize(out);
        for (void* p : out) dallocx(p, MALLOCX_ALIGN(4096));
    }
    st.SetItemsProcessed(st.iterations() * 64);
}
BENCHMARK(BM_jemalloc_bulk64);
#endif

}  // namespace

BENCHMARK_MAIN();
