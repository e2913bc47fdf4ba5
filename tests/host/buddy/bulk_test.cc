// Order-0 frames by the batch (bulk.cc). A per-cpu cache refill
// (rmqueue_bulk) must take exactly the frames that `batch` order-0
// allocations from the buddy lists would, hand them out in the same order
// and leave the free lists, counters and pageblock types the same: twin
// machines, one with the cache and one without, are driven alike and
// compared frame by frame. alloc_bulk: distinct allocated frames, the
// cached ones first and then straight from the buddy lists, what single
// allocations would take, zeroing, its checks and its fallback near the
// low watermark.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "buddy/introspect.h"
#include "machine.h"

namespace mm::test {
namespace {

MachineDef refill_machine(bool pcp, uint64_t pages) {
    MachineDef d = single_zone(pages, BASE);
    d.holes = {{BASE + 0x203, BASE + 0x209}};
    if (pcp) {
        d.config.pcp_batch = 31;
        d.config.pcp_high = 124;
    }
    return d;
}

// The two machines' zones agree on every descriptor's flags (but for the
// cache list an allocated order-0 frame of the cached machine names, which
// take_frames checks), every free list (walked in order), the counters and
// the pageblock types.
std::string compare(Machine& a, Machine& b) {
    const Zone& za = a.buddy().zone(0, ZoneType::Normal);
    const Zone& zb = b.buddy().zone(0, ZoneType::Normal);
    for (uint64_t pfn = a.first_pfn(); pfn < a.end_pfn(); pfn++)
        if ((a.page(pfn)->flags ^ b.page(pfn)->flags) & ~detail::PCP_LIST_MASK)
            return "flags of " + std::to_string(pfn);
    if (za.free_pages != zb.free_pages) return "free_pages";
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        if (za.free_area[o].nr_free != zb.free_area[o].nr_free)
            return "nr_free of order " + std::to_string(o);
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            const PageList& la = za.free_area[o].free_list[mt];
            const PageList& lb = zb.free_area[o].free_list[mt];
            uint32_t pa = la.head, pb = lb.head;
            for (; pa != PFN_NONE && pb != PFN_NONE; pa = a.page(pa)->next, pb = b.page(pb)->next)
                if (pa != pb) return "free list " + std::to_string(o) + "/" + std::to_string(mt);
            if (pa != pb || la.tail != lb.tail) return "free list end " + std::to_string(o);
        }
    }
    for (uint64_t p = za.start_pfn.raw(); p < za.end_pfn().raw(); p += PAGEBLOCK_NR_PAGES)
        if (a.buddy().pageblock_migratetype(za, p) != b.buddy().pageblock_migratetype(zb, p))
            return "pageblock type at " + std::to_string(p);
    return "";
}

// Shapes the free lists of both machines alike with blocks of order 1..5
// of every mobility, freeing some again, so that the lists hold blocks of
// many orders and pageblocks of several types.
void fragment(Machine& a, Machine& b, uint32_t seed, int steps) {
    static const uint16_t mobility[3] = {0, GFP_MOVABLE, GFP_RECLAIMABLE};
    std::mt19937 rng(seed);
    std::vector<std::pair<uint64_t, unsigned>> held;
    for (int i = 0; i < steps; i++) {
        if (!held.empty() && rng() % 3 == 0) {
            size_t k = rng() % held.size();
            ASSERT_TRUE(a.buddy().free(Pfn(held[k].first), Order(held[k].second)).ok());
            ASSERT_TRUE(b.buddy().free(Pfn(held[k].first), Order(held[k].second)).ok());
            held[k] = held.back();
            held.pop_back();
            continue;
        }
        AllocRequest req = AllocRequest::of(1 + rng() % 5, mobility[rng() % 3]);
        auto ra = a.buddy().alloc(req);
        auto rb = b.buddy().alloc(req);
        ASSERT_EQ(ra.ok(), rb.ok());
        if (!ra.ok()) continue;
        ASSERT_EQ(ra->raw(), rb->raw());
        held.push_back({ra->raw(), req.order});
    }
}

// Takes order-0 frames of `flags` from both machines until `count` are
// taken or both fail; the cached machine refills on the way.
void take_frames(Machine& cached, Machine& plain, uint16_t flags, int count) {
    for (int i = 0; i < count; i++) {
        auto rc = cached.buddy().alloc(AllocRequest::of(0, flags));
        auto rp = plain.buddy().alloc(AllocRequest::of(0, flags));
        ASSERT_EQ(rc.ok(), rp.ok()) << "frame " << i;
        if (!rc.ok()) return;
        ASSERT_EQ(rc->raw(), rp->raw()) << "frame " << i;
        // The frame goes back to the cache list of the mobility it was
        // taken for; the plain machine's frames name no list.
        ASSERT_EQ(detail::pcp_list_of(cached.page(rc->raw())->flags), unsigned(gfp_migratetype(flags)));
        ASSERT_EQ(plain.page(rp->raw())->flags & detail::PCP_LIST_MASK, 0u);
    }
}

// After the cache is empty again (all its frames handed out), the cached
// machine must look exactly like the one that never had a cache.
void expect_same(Machine& cached, Machine& plain) {
    const Zone& z = cached.buddy().zone(0, ZoneType::Normal);
    ASSERT_EQ(z.pcp.count(), 0u);
    EXPECT_EQ(compare(cached, plain), "");
    EXPECT_EQ(cached.check(), "");
    EXPECT_EQ(plain.check(), "");
}

TEST(PcpRefill, FirstOrder0RefillsABatchAndLaterOnesUseIt) {
    Machine m(with_pcp(8, 16));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    ASSERT_TRUE(m.buddy().alloc(AllocRequest::of(0)).ok());
    EXPECT_EQ(z.pcp.count(), 7u);
    EXPECT_EQ(z.free_pages, 4096u - 8);
    ASSERT_TRUE(m.buddy().alloc(AllocRequest::of(0)).ok());
    EXPECT_EQ(z.pcp.count(), 6u);
    EXPECT_EQ(z.free_pages, 4096u - 8);
    EXPECT_EQ(m.check(), "");
}

TEST(PcpRefill, TakesTheFramesOneAtATimeAllocationWould) {
    for (uint32_t seed = 1; seed <= 8; seed++) {
        Machine cached(refill_machine(true, 0x4000)), plain(refill_machine(false, 0x4000));
        cached.hand_over();
        plain.hand_over();
        ASSERT_NO_FATAL_FAILURE(fragment(cached, plain, seed, 600));
        // Whole batches for each mobility, so that every cache list ends empty.
        for (uint16_t flags : {uint16_t(0), uint16_t(GFP_MOVABLE), uint16_t(GFP_RECLAIMABLE)})
            ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, flags, 31 * 5));
        expect_same(cached, plain);
    }
}

// Unmovable requests on a fresh machine find only movable pageblocks: each
// refill starts with a fallback that claims a pageblock.
TEST(PcpRefill, FallsBackLikeOneAtATimeAllocation) {
    Machine cached(refill_machine(true, 0x2000)), plain(refill_machine(false, 0x2000));
    cached.hand_over();
    plain.hand_over();
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, GFP_RECLAIMABLE, 31 * 3));
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, 0, 31 * 40));
    expect_same(cached, plain);
}

// Memory runs out in the middle of a refill: the cache gets what is left,
// in the same order, and both machines end empty.
TEST(PcpRefill, RunsDryLikeOneAtATimeAllocation) {
    Machine cached(refill_machine(true, 0x800)), plain(refill_machine(false, 0x800));
    cached.hand_over();
    plain.hand_over();
    ASSERT_NO_FATAL_FAILURE(fragment(cached, plain, 5, 40));
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, GFP_MOVABLE | GFP_MEMALLOC, 0x800));
    EXPECT_FALSE(cached.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE | GFP_MEMALLOC)).ok());
    expect_same(cached, plain);
    EXPECT_EQ(cached.buddy().zone(0, ZoneType::Normal).free_pages, 0u);
}

struct AllocBulkTest : OneZoneTest {};

TEST_F(AllocBulkTest, ReturnsDistinctAllocatedFrames) {
    Pfn out[64];
    auto r = b.alloc_bulk(AllocRequest::of(0), 64, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 64u);
    std::set<uint64_t> seen;
    for (Pfn p : out) {
        EXPECT_TRUE(seen.insert(p.raw()).second);
        EXPECT_TRUE(m.page(p.raw())->test(PG_allocated));
    }
    EXPECT_EQ(z.free_pages, 4096u - 64);
    EXPECT_EQ(m.check(), "");
}

// Without a cache, a bulk request takes the frames that as many single
// allocations would, in the same order, and leaves the lists as they
// would: checked on a machine whose lists hold blocks of several orders.
TEST(AllocBulk, WithoutACacheTakesWhatSingleAllocationsWould) {
    auto fragmented = [] {
        auto m = std::make_unique<Machine>(single_zone(4096));
        m->hand_over();
        const unsigned orders[] = {0, 1, 3, 0, 2, 5, 0, 4};
        Pfn held[8];
        for (unsigned i = 0; i < 8; i++) held[i] = *m->buddy().alloc(AllocRequest::of(orders[i]));
        for (unsigned i = 0; i < 8; i += 2) EXPECT_TRUE(m->buddy().free(held[i], Order(orders[i])).ok());
        return m;
    };
    auto bulk = fragmented();
    auto single = fragmented();
    Pfn out[40];
    auto r = bulk->buddy().alloc_bulk(AllocRequest::of(0), 40, out);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(*r, 40u);
    for (unsigned i = 0; i < 40; i++)
        EXPECT_EQ(out[i].raw(), single->buddy().alloc(AllocRequest::of(0))->raw()) << i;
    EXPECT_EQ(capture(print_buddyinfo, bulk->buddy()), capture(print_buddyinfo, single->buddy()));
    EXPECT_EQ(bulk->check(), "");
}

// GFP_ZERO: every frame a bulk request returns is zeroed once, whether it
// came from the cache, straight from the lists or (cache off) the lists.
TEST(AllocBulk, ZeroHookRunsOncePerFrame) {
    for (uint32_t batch : {0u, 4u}) {
        ZeroLog log;
        MachineDef d = single_zone(4096);
        d.config.pcp_batch = batch;
        d.config.pcp_high = batch * 2;
        d.config.zero = ZeroHook{ZeroLog::zero, &log};
        Machine m(d);
        m.hand_over();
        ASSERT_TRUE(m.buddy().alloc(AllocRequest::of(0)).ok());  // with a cache: 3 frames left in it
        Pfn out[10];
        auto r = m.buddy().alloc_bulk(AllocRequest::of(0, GFP_ZERO), 10, out);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(*r, 10u);
        ASSERT_EQ(log.calls.size(), 10u) << "batch " << batch;
        for (unsigned i = 0; i < 10; i++) {
            EXPECT_EQ(log.calls[i].first, out[i].raw());
            EXPECT_EQ(log.calls[i].second, 0u);
        }
        EXPECT_EQ(m.check(), "");
    }
}

TEST(AllocBulk, TakesACacheBatchOrMoreStraightFromTheBuddyLists) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    Pfn out[22];
    auto r = m.buddy().alloc_bulk(AllocRequest::of(0), 22, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 22u);
    std::set<uint64_t> seen;
    for (Pfn p : out) {
        EXPECT_TRUE(seen.insert(p.raw()).second);
        EXPECT_TRUE(m.page(p.raw())->test(PG_allocated));
        EXPECT_FALSE(m.page(p.raw())->test(PG_pcp));
    }
    // Nothing went through the cache: exactly 22 frames left the lists,
    // in address order from the smallest block, as 22 single
    // allocations would take them.
    EXPECT_EQ(z.pcp.count(), 0u);
    EXPECT_EQ(z.free_pages, 4096u - 22);
    for (unsigned i = 0; i < 22; i++) EXPECT_EQ(out[i].raw(), BASE + i) << i;
    EXPECT_EQ(m.check(), "");
}

TEST(AllocBulk, TakesTheCachedFramesFirstAndRefillsForLessThanABatch) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    // One allocation refills the cache with four frames and takes one.
    Pfn first = *m.buddy().alloc(AllocRequest::of(0));
    ASSERT_EQ(z.pcp.count(), 3u);
    Pfn out[9];
    auto r = m.buddy().alloc_bulk(AllocRequest::of(0), 9, out);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(*r, 9u);
    // The three cached frames, hottest first, then six from the lists.
    EXPECT_EQ(first.raw(), BASE);
    for (unsigned i = 0; i < 3; i++) EXPECT_EQ(out[i].raw(), BASE + 1 + i) << i;
    for (unsigned i = 3; i < 9; i++) EXPECT_EQ(out[i].raw(), BASE + 1 + i) << i;
    EXPECT_EQ(z.pcp.count(), 0u);
    EXPECT_EQ(z.free_pages, 4096u - 10);
    // Fewer than a batch with the cache empty: a refill, the rest stays cached.
    r = m.buddy().alloc_bulk(AllocRequest::of(0), 2, out);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(*r, 2u);
    EXPECT_EQ(out[0].raw(), BASE + 10);
    EXPECT_EQ(out[1].raw(), BASE + 11);
    EXPECT_EQ(z.pcp.count(), 2u);
    EXPECT_EQ(z.free_pages, 4096u - 14);
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocBulkTest, RejectsBadRequests) {
    Pfn out[4];
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(1), 4, out).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 0, out).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 4, nullptr).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0, 0, ZoneType::Normal, 3), 4, out).error(),
              Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0, GFP_ZERO), 4, out).error(), Error::Unsupported);
}

TEST_F(AllocBulkTest, NearTheWatermarkFallsBackToOneFrame) {
    // Leave 45 free frames: above low (40) but not low + 64.
    std::vector<Pfn> got;
    while (z.free_pages > 45) got.push_back(*b.alloc(AllocRequest::of(0)));
    Pfn out[64];
    auto r = b.alloc_bulk(AllocRequest::of(0), 64, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u);
}

TEST_F(AllocBulkTest, WithNothingLeftReportsTheError) {
    while (b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).ok()) {
    }
    Pfn out[8];
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 8, out).error(), Error::NoMemory);
}

}  // namespace
}  // namespace mm::test
