// Fragmentation experiment: how much free memory is obtainable as order-9
// (2 MiB) blocks after a fragmenting workload, with mobility grouping on
// and off. Deterministic (fixed seed); prints one table.
//
//   1. Allocate order-0 frames until the allocator says TryAgain, each
//      unmovable (15%), reclaimable (5%) or movable (80%) at random.
//   2. In every 2 MiB pageblock free 3 of every 4 frames (pfn % 4 != 0).
//   3. Churn: 1,000,000 steps; each allocates one block (order 0 mostly,
//      up to order 3) with a lifetime drawn by mobility: unmovable mean
//      150,000 steps, reclaimable 30,000, movable 6,000 (exponential), and
//      frees what has expired. Survivors of step 2 get lifetimes the same way.
//   4. Report the share of free memory in blocks of order >= 9 and Linux's
//      unusable and extfrag indices at order 9.
//   5. A region with huge pages faults in as the pager serves it
//      (pager/regions.cc), over half of the free memory: each 2 MiB
//      chunk takes an order-9 movable block if there is one, else 512
//      order-0 movable frames. Report the share of its chunks served with
//      2 MiB frames; then give the region back.
//   6. Free every movable block (what reclaim or migration could empty)
//      and report the share of step 4 again.
#include <stdio.h>

#include <queue>
#include <random>
#include <vector>

#include "buddy/introspect.h"
#include "tests/host/buddy/machine.h"

namespace {

using namespace mm;

constexpr uint64_t PAGES = 262144;  // 1 GiB
constexpr uint64_t CHURN_STEPS = 1000000;

struct Block {
    uint64_t expires;
    uint64_t pfn;
    unsigned order;
    uint16_t flags;
    bool operator>(const Block& o) const { return expires > o.expires; }
};

struct FragResult {
    double share_now, share_reclaimed;
    int unusable9, extfrag9, extfrag9_reclaimed;
    uint64_t free_now, free_reclaimed;
    uint64_t alloc_failures;
    uint64_t region_chunks, region_huge;
};

// Step 5: the chunks of a region of `chunks` x 2 MiB faulted in, each with
// an order-9 block where the allocator has one, else 4 KiB frames; how
// many got the block. Everything is freed again.
uint64_t fault_in_region(Buddy& b, uint64_t chunks) {
    std::vector<std::pair<uint64_t, unsigned>> taken;
    uint64_t huge = 0;
    for (uint64_t c = 0; c < chunks; c++) {
        if (auto r = b.alloc(AllocRequest::of(9, GFP_MOVABLE)); r.ok()) {
            taken.push_back({r->raw(), 9});
            huge++;
            continue;
        }
        for (unsigned i = 0; i < 512; i++)
            if (auto r = b.alloc(AllocRequest::of(0, GFP_MOVABLE)); r.ok()) taken.push_back({r->raw(), 0});
    }
    for (auto [pfn, order] : taken) (void)b.free(Pfn(pfn), Order(order));
    return huge;
}

uint16_t pick_mobility(std::mt19937_64& rng) {
    unsigned r = rng() % 100;
    return r < 15 ? 0 : r < 20 ? GFP_RECLAIMABLE : GFP_MOVABLE;
}

uint64_t lifetime(std::mt19937_64& rng, uint16_t flags) {
    double mean = (flags & GFP_MOVABLE) ? 6000 : (flags & GFP_RECLAIMABLE) ? 30000 : 150000;
    return 1 + uint64_t(std::exponential_distribution<double>(1.0 / mean)(rng));
}

double order9_share(const Zone& z) {
    ContigPageInfo info = contig_page_info(z, 9);
    return info.free_pages ? double(info.free_blocks_suitable << 9) / double(info.free_pages) : 0.0;
}

FragResult run(Grouping grouping) {
    test::MachineDef d = test::single_zone(PAGES);
    d.config = BuddyConfig{};
    d.config.grouping = grouping;
    d.config.pcp_batch = d.config.pcp_high = 0;
    test::Machine m(d);
    m.hand_over();
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    std::mt19937_64 rng(20240601);
    std::priority_queue<Block, std::vector<Block>, std::greater<Block>> live;
    FragResult res{};

    std::vector<Block> initial;
    for (;;) {
        uint16_t flags = pick_mobility(rng);
        auto r = b.alloc(AllocRequest::of(0, flags));
        if (!r.ok()) break;
        initial.push_back({0, r->raw(), 0, flags});
    }
    for (Block& blk : initial) {
        if (blk.pfn % 4 != 0) {
            (void)b.free(Pfn(blk.pfn), Order(0));
        } else {
            blk.expires = lifetime(rng, blk.flags);
            live.push(blk);
        }
    }
    static const unsigned orders[8] = {0, 0, 0, 0, 0, 1, 2, 3};
    for (uint64_t step = 0; step < CHURN_STEPS; step++) {
        while (!live.empty() && live.top().expires <= step) {
            (void)b.free(Pfn(live.top().pfn), Order(live.top().order));
            live.pop();
        }
        uint16_t flags = pick_mobility(rng);
        unsigned order = orders[rng() % 8];
        auto r = b.alloc(AllocRequest::of(order, flags));
        if (!r.ok()) {
            res.alloc_failures++;
            continue;
        }
        live.push({step + lifetime(rng, flags), r->raw(), order, flags});
    }

    res.free_now = z.free_pages;
    res.share_now = order9_share(z);
    ContigPageInfo info = contig_page_info(z, 9);
    res.unusable9 = unusable_free_index(9, info);
    res.extfrag9 = fragmentation_index(9, info);
    res.region_chunks = res.free_now / 2 / 512;
    res.region_huge = fault_in_region(b, res.region_chunks);
    while (!live.empty()) {
        if (live.top().flags & GFP_MOVABLE) (void)b.free(Pfn(live.top().pfn), Order(live.top().order));
        live.pop();
    }
    res.free_reclaimed = z.free_pages;
    res.share_reclaimed = order9_share(z);
    res.extfrag9_reclaimed = fragmentation_index(9, contig_page_info(z, 9));
    return res;
}

void print_thousandths(int v) {
    printf(" %s%d.%03d", v < 0 ? "-" : "", (v < 0 ? -v : v) / 1000, (v < 0 ? -v : v) % 1000);
}

}  // namespace

int main() {
    FragResult on = run(Grouping::ByMobility);
    FragResult off = run(Grouping::Disabled);
    printf("%-22s %12s %12s %10s %10s %14s %14s %12s\n", "grouping", "free frames", "order>=9 now",
           "unusable9", "extfrag9", "free, no mov.", "order>=9 then", "extfrag9");
    for (auto [name, r] : {std::pair{"by mobility", on}, std::pair{"disabled", off}}) {
        printf("%-22s %12lu %11.1f%%", name, (unsigned long)r.free_now, 100 * r.share_now);
        print_thousandths(r.unusable9);
        printf("   ");
        print_thousandths(r.extfrag9);
        printf("   %14lu %13.1f%%   ", (unsigned long)r.free_reclaimed, 100 * r.share_reclaimed);
        print_thousandths(r.extfrag9_reclaimed);
        printf("\n");
    }
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    printf("order-9 availability, grouping on / off: now %.2fx, after freeing movable %.2fx\n",
           ratio(on.share_now, off.share_now), ratio(on.share_reclaimed, off.share_reclaimed));
    printf("failed churn allocations: on %lu, off %lu\n", (unsigned long)on.alloc_failures,
           (unsigned long)off.alloc_failures);
    for (auto [name, r] : {std::pair{"on", on}, std::pair{"off", off}})
        printf(
            "huge-page region over half the free memory, grouping %s: %lu of %lu chunks (%.1f%%) in 2 MiB "
            "frames\n",
            name, (unsigned long)r.region_huge, (unsigned long)r.region_chunks,
            r.region_chunks ? 100.0 * double(r.region_huge) / double(r.region_chunks) : 0.0);
    return 0;
}
