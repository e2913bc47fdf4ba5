// The buddy allocator's hot paths on the target: the pager's allocator
// library (libs/buddy) linked into a program of its own, over a mem_map
// this program keeps in its .bss, measured with rdinstret under QEMU
// -icount shift=0,sleep=off (tools/bench.d/21-pager-riscv.sh). The same
// states and loops as the host's callgrind driver
// (tests/bench/buddy/buddy_icount.cc, bench_machines.h), so the two
// tables compare RISC-V (RV64GC, gcc 12 -O2) with x86-64 instructions:
//
//   pair0-pcp     order-0 alloc+free on a warm per-cpu cache
//   pair3-split1  order-3 alloc+free with one split and one merge (cache off)
//   bulk64        alloc_bulk(64) and 64 frees, per frame
//
// The request is read from memory on every iteration (as the pager's
// server takes it from a message word); a baseline loop that only reads
// it is subtracted. The frames are not backed by memory: the allocator
// only touches descriptors (no request here asks for zeroing).
#include "buddy/buddy.h"
#include "runtime/console.h"
#include "runtime/counters.h"

namespace {

using namespace mm;

constexpr uint64_t PAGES = 16384;  // one Normal zone of 64 MiB
constexpr uint64_t FIRST_PFN = 0x80000;
constexpr long N1 = 1000, N2 = 3000;

alignas(64) Page g_memmap[PAGES];
uint8_t g_pageblocks[PAGES >> PAGEBLOCK_ORDER];
constinit Buddy g_buddy;
Pfn g_blocks[PAGES >> 4];
Pfn g_bulk[64];

volatile uint64_t g_request;

// A fresh allocator over a fresh mem_map, every frame handed over.
bool setup(const BuddyConfig& config) {
    MemoryLayout layout;
    layout.nr_nodes = 1;
    layout.nodes[0].start = Pfn(FIRST_PFN);
    layout.nodes[0].spanned = PAGES;
    layout.nodes[0].zones[unsigned(ZoneType::Normal)] = ZoneSpan{Pfn(FIRST_PFN), PAGES, PAGES};
    layout.distance[0][0] = 10;
    for (Page& p : g_memmap) {
        p = Page{};
        p.next = p.prev = PFN_NONE;
        p.flags = Page::initial_flags(ZoneType::Normal, 0);
    }
    if (Buddy::pageblock_storage_size(layout) > sizeof g_pageblocks) return false;
    if (!g_buddy
             .init(layout, MemMap::from_array(g_memmap, Pfn(FIRST_PFN)), g_pageblocks, sizeof g_pageblocks,
                   config)
             .ok())
        return false;
    return g_buddy.free_bootmem_range(Pfn(FIRST_PFN), Pfn(FIRST_PFN + PAGES)).ok();
}

BuddyConfig cache_off() {
    BuddyConfig c;
    c.pcp_batch = c.pcp_high = 0;
    return c;
}

[[gnu::noinline]] uint64_t baseline(long n) {
    uint64_t a = read_instret();
    for (long i = 0; i < n; i++) {
        uint64_t w = g_request;
        asm volatile("" ::"r"(w));
    }
    return read_instret() - a;
}

// Returns the instructions of n pairs, or 0 when an allocation failed.
[[gnu::noinline]] uint64_t pairs(unsigned order, long n) {
    g_request = std::bit_cast<uint64_t>(AllocRequest::of(order));
    uint64_t a = read_instret();
    for (long i = 0; i < n; i++) {
        const AllocRequest req = std::bit_cast<AllocRequest>(uint64_t(g_request));
        auto r = g_buddy.alloc(req);
        if (!r.ok()) return 0;
        (void)g_buddy.free(*r, Order(req.order));
    }
    return read_instret() - a;
}

[[gnu::noinline]] uint64_t bulk(long n) {
    uint64_t a = read_instret();
    for (long i = 0; i < n; i++) {
        auto r = g_buddy.alloc_bulk(AllocRequest::of(0), 64, g_bulk);
        if (!r.ok() || *r != 64) return 0;
        for (size_t k = 0; k < 64; k++) (void)g_buddy.free(g_bulk[k], Order(0));
    }
    return read_instret() - a;
}

// Instructions per iteration from two run lengths, so that what is paid
// once per run (the counter reads, the loop's set-up) cancels out.
template <typename F>
uint64_t per_op(F run) {
    uint64_t a = run(N1), b = run(N2);
    return a && b ? (b - a) / (N2 - N1) : 0;
}

}  // namespace

extern "C" int main(uint64_t) {
    const uint64_t loop = per_op([](long n) { return baseline(n); });
    bool ok = setup(BuddyConfig{});
    (void)pairs(0, 1);  // fill the cache
    const uint64_t pair0 = ok ? per_op([](long n) { return pairs(0, n); }) - loop : 0;
    const uint64_t bulk64 = ok ? per_op([](long n) { return bulk(n); }) / 64 : 0;

    // Cache off; memory allocated as order-4 blocks and every eighth freed,
    // so an order-3 pair splits once and merges once.
    ok = setup(cache_off());
    unsigned nblocks = 0;
    while (ok && nblocks < sizeof g_blocks / sizeof g_blocks[0]) {
        auto r = g_buddy.alloc(AllocRequest::of(4, GFP_MEMALLOC));
        if (!r.ok()) break;
        g_blocks[nblocks++] = *r;
    }
    for (unsigned i = 0; i < nblocks; i += 8) (void)g_buddy.free(g_blocks[i], Order(4));
    const uint64_t pair3 = ok ? per_op([](long n) { return pairs(3, n); }) - loop : 0;

    if (!pair0 || !pair3 || !bulk64) {
        uprintf("abench: an allocation failed\n");
        return 1;
    }
    uprintf("abench: operation                              instructions (RV64)   goal\n");
    uprintf("abench: order-0 alloc+free, warm per-cpu cache %12lu          <= 40\n", pair0);
    uprintf("abench: order-3 alloc+free, 1 split + 1 merge  %12lu          <= 150\n", pair3);
    uprintf("abench: bulk 64 order-0 (alloc+free), per frame %11lu\n", bulk64);
    uprintf("abench: (baseline loop %lu per iteration subtracted from the pairs)\n", loop);
    return 0;
}
