// Allocation: rmqueue and expand, request validation, zeroing, the
// per-cpu cache and bulk allocation.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "machine.h"
#include "buddy/introspect.h"

namespace mm::test {
namespace {

constexpr uint64_t BASE = 0x80000;

struct AllocTest : ::testing::Test {
    Machine m{single_zone(4096)};
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    void SetUp() override { m.hand_over(); }
};

TEST_F(AllocTest, Order0SplitsAMaxOrderBlockAndMarksTheHead) {
    auto r = b.alloc(AllocRequest::of(0));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->raw(), BASE);
    Page* p = m.page(BASE);
    EXPECT_TRUE(p->test(PG_allocated));
    EXPECT_FALSE(p->test(PG_buddy));
    EXPECT_EQ(p->order(), 0u);
    // expand: one free block of every order below 10 remains from the split.
    for (unsigned o = 0; o + 1 < MAX_ORDER; o++) EXPECT_EQ(z.free_area[o].nr_free, 1u) << o;
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 3u);
    EXPECT_EQ(z.free_pages, 4095u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, EveryOrderIsNaturallyAlignedAndDisjoint) {
    std::set<uint64_t> used;
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        auto r = b.alloc(AllocRequest::of(o));
        ASSERT_TRUE(r.ok()) << o;
        uint64_t pfn = r->raw();
        EXPECT_EQ(pfn % (uint64_t(1) << o), 0u) << o;
        for (uint64_t p = pfn; p < pfn + (uint64_t(1) << o); p++) EXPECT_TRUE(used.insert(p).second);
        EXPECT_EQ(m.page(pfn)->order(), o);
    }
    EXPECT_EQ(z.free_pages, 4096u - used.size());
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, FreeingEverythingMergesBackToMaxOrder) {
    std::vector<std::pair<uint64_t, unsigned>> got;
    for (unsigned i = 0; i < 40; i++) {
        auto r = b.alloc(AllocRequest::of(i % 4));
        ASSERT_TRUE(r.ok());
        got.push_back({r->raw(), i % 4});
    }
    for (auto [pfn, o] : got) ASSERT_TRUE(b.free(Pfn(pfn), Order(o)).ok());
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 4u);
    EXPECT_EQ(z.free_pages, 4096u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, RejectsBadRequests) {
    EXPECT_EQ(b.alloc(AllocRequest::of(MAX_ORDER)).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 0, ZoneType(3))).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 0, ZoneType::Normal, 1)).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 1u << 12)).error(), Error::InvalidArgument);
    EXPECT_EQ(z.free_pages, 4096u);
}

TEST_F(AllocTest, ZeroRequiresAHook) {
    EXPECT_EQ(b.alloc(AllocRequest::of(0, GFP_ZERO)).error(), Error::Unsupported);
    EXPECT_EQ(z.free_pages, 4096u);
}

struct ZeroLog {
    std::vector<std::pair<uint64_t, unsigned>> calls;
    static void zero(void* ctx, Pfn pfn, Order order) {
        static_cast<ZeroLog*>(ctx)->calls.push_back({pfn.raw(), order.raw()});
    }
};

TEST(AllocZero, HookZeroesExactlyTheZeroRequests) {
    ZeroLog log;
    MachineDef d = single_zone(4096);
    d.config.zero = ZeroHook{ZeroLog::zero, &log};
    Machine m(d);
    m.hand_over();
    auto a = m.buddy().alloc(AllocRequest::of(2, GFP_ZERO));
    ASSERT_TRUE(a.ok());
    auto c = m.buddy().alloc(AllocRequest::of(1));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(log.calls.size(), 1u);
    EXPECT_EQ(log.calls[0].first, a->raw());
    EXPECT_EQ(log.calls[0].second, 2u);
}

MachineDef with_pcp(uint32_t batch, uint32_t high) {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = batch;
    d.config.pcp_high = high;
    return d;
}

TEST(AllocPcp, FirstOrder0RefillsABatchAndLaterOnesUseIt) {
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

TEST(AllocPcp, FreesGoToTheCacheUntilHighThenDrainABatch) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    std::vector<Pfn> got;
    for (int i = 0; i < 20; i++) got.push_back(*m.buddy().alloc(AllocRequest::of(0)));
    uint32_t before = z.pcp.count();
    ASSERT_TRUE(m.buddy().free(got[0], Order(0)).ok());
    EXPECT_EQ(z.pcp.count(), before + 1);
    EXPECT_TRUE(m.page(got[0].raw())->test(PG_pcp));
    for (int i = 1; i < 20; i++) ASSERT_TRUE(m.buddy().free(got[i], Order(0)).ok());
    EXPECT_LE(z.pcp.count(), 8u);
    EXPECT_EQ(m.check(), "");
    m.buddy().drain_pcp();
    EXPECT_EQ(z.pcp.count(), 0u);
    EXPECT_EQ(z.free_pages, 4096u);
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 4u);
    EXPECT_EQ(m.check(), "");
}

TEST(AllocPcp, DrainTakesTheColdestFramesFirst) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    std::vector<Pfn> got;
    for (int i = 0; i < 12; i++) got.push_back(*m.buddy().alloc(AllocRequest::of(0)));
    m.buddy().drain_pcp();
    for (int i = 0; i < 8; i++) ASSERT_TRUE(m.buddy().free(got[i], Order(0)).ok());
    for (int i = 0; i < 8; i++) EXPECT_TRUE(m.page(got[i].raw())->test(PG_pcp)) << i;
    // Past high: a batch of 4 leaves, the first four freed.
    ASSERT_TRUE(m.buddy().free(got[8], Order(0)).ok());
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).pcp.count(), 5u);
    for (int i = 0; i < 4; i++) EXPECT_FALSE(m.page(got[i].raw())->test(PG_pcp)) << i;
    for (int i = 4; i < 9; i++) EXPECT_TRUE(m.page(got[i].raw())->test(PG_pcp)) << i;
    // The hottest frame comes back first.
    EXPECT_EQ(m.buddy().alloc(AllocRequest::of(0))->raw(), got[8].raw());
    EXPECT_EQ(m.check(), "");
}

TEST(AllocPcp, HighBoundsEachMigratetypeListOnItsOwn) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    std::vector<Pfn> unmovable, movable;
    for (int i = 0; i < 9; i++) {
        unmovable.push_back(*m.buddy().alloc(AllocRequest::of(0)));
        movable.push_back(*m.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE)));
    }
    m.buddy().drain_pcp();
    const PcpList& lu = z.pcp.lists[unsigned(MigrateType::Unmovable)];
    const PcpList& lm = z.pcp.lists[unsigned(MigrateType::Movable)];
    for (int i = 0; i < 8; i++) {
        ASSERT_TRUE(m.buddy().free(unmovable[i], Order(0)).ok());
        ASSERT_TRUE(m.buddy().free(movable[i], Order(0)).ok());
    }
    // 16 cached, more than high, but neither list is over it.
    EXPECT_EQ(lu.size(), 8u);
    EXPECT_EQ(lm.size(), 8u);
    EXPECT_EQ(z.pcp.count(), 16u);
    // One more movable frame: only the movable list drains its batch.
    ASSERT_TRUE(m.buddy().free(movable[8], Order(0)).ok());
    EXPECT_EQ(lm.size(), 5u);
    EXPECT_EQ(lu.size(), 8u);
    for (int i = 0; i < 4; i++) EXPECT_FALSE(m.page(movable[i].raw())->test(PG_pcp)) << i;
    EXPECT_EQ(m.check(), "");
}

// An order-0 frame carries the cache list of the mobility it was taken
// for and goes back to that list, whichever way it was handed out (the
// cache, a batch straight from the buddy lists) and whichever way it is
// freed (the fast path, the slow path of a frame on an LRU list).
TEST(AllocPcp, FramesGoBackToTheListOfTheirMobility) {
    Machine m(with_pcp(4, 64));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    const PcpList& lm = z.pcp.lists[unsigned(MigrateType::Movable)];
    const PcpList& lr = z.pcp.lists[unsigned(MigrateType::Reclaimable)];
    Pfn batch[8];
    ASSERT_EQ(*m.buddy().alloc_bulk(AllocRequest::of(0, GFP_MOVABLE), 8, batch), 8u);
    ASSERT_EQ(lm.size(), 0u);  // taken straight from the buddy lists
    Pfn one = *m.buddy().alloc(AllocRequest::of(0, GFP_RECLAIMABLE));
    const uint32_t reclaimable_cached = lr.size();
    for (Pfn p : batch)
        EXPECT_EQ(detail::pcp_list_of(m.page(p.raw())->flags), unsigned(MigrateType::Movable));
    EXPECT_EQ(detail::pcp_list_of(m.page(one.raw())->flags), unsigned(MigrateType::Reclaimable));
    ASSERT_TRUE(m.lru().add(batch[0], 1, VirtAddr(0)).ok());
    for (Pfn p : batch) ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_EQ(lm.size(), 8u);
    ASSERT_TRUE(m.buddy().free(one, Order(0)).ok());
    EXPECT_EQ(lr.size(), reclaimable_cached + 1);
    EXPECT_EQ(z.pcp.lists[unsigned(MigrateType::Unmovable)].size(), 0u);
    EXPECT_EQ(m.check(), "");
}

// Where Linux looks the pageblock up again when a frame is freed, the
// frame goes back to the list it was taken from; a drain still puts it on
// its pageblock's free list.
TEST(AllocPcp, FrameWhosePageblockChangedTypeGoesBackToItsList) {
    Machine m(with_pcp(4, 64));
    m.hand_over();
    Zone& z = m.buddy().zone(0, ZoneType::Normal);
    Pfn p = *m.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE));
    m.buddy().drain_pcp();
    ASSERT_EQ(m.buddy().pageblock_migratetype(z, p.raw()), MigrateType::Movable);
    // The pageblock is all free but for p; it turns Unmovable (as a steal
    // would) with its free blocks.
    const uint64_t block = p.raw() & ~uint64_t(PAGEBLOCK_NR_PAGES - 1);
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        PageList& from = z.free_area[o].free_list[unsigned(MigrateType::Movable)];
        PageList& to = z.free_area[o].free_list[unsigned(MigrateType::Unmovable)];
        for (uint32_t q = from.head; q != PFN_NONE;) {
            uint32_t next = m.page(q)->next;
            if ((q & ~uint32_t(PAGEBLOCK_NR_PAGES - 1)) == block) {
                list_del(m.buddy().memmap(), from, m.page(q));
                list_add_head(m.buddy().memmap(), to, q, m.page(q));
            }
            q = next;
        }
    }
    z.pageblock_type(block) = uint8_t(MigrateType::Unmovable);
    ASSERT_EQ(m.check(), "");
    ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_EQ(z.pcp.lists[unsigned(MigrateType::Movable)].size(), 1u);
    EXPECT_EQ(z.pcp.lists[unsigned(MigrateType::Unmovable)].size(), 0u);
    EXPECT_EQ(m.check(), "");
    m.buddy().drain_pcp();
    EXPECT_EQ(m.check(), "");  // every free block on its pageblock's list
    bool found = false;        // the free block now holding the pageblock (merged further, maybe)
    for (unsigned o = PAGEBLOCK_ORDER; o < MAX_ORDER; o++)
        for (uint32_t q = z.free_area[o].free_list[unsigned(MigrateType::Unmovable)].head; q != PFN_NONE;
             q = m.page(q)->next)
            found |= q <= block && block < q + (uint64_t(1) << o);
    EXPECT_TRUE(found);
}

TEST(AllocPcp, CacheAtItsLargestHighHoldsEveryFrame) {
    Machine m(with_pcp(31, PCP_SLOTS - 1));
    m.hand_over();
    std::vector<Pfn> got;
    for (uint32_t i = 0; i < PCP_SLOTS + 40; i++) got.push_back(*m.buddy().alloc(AllocRequest::of(0)));
    m.buddy().drain_pcp();
    for (Pfn p : got) ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_LE(m.buddy().zone(0, ZoneType::Normal).pcp.count(), PCP_SLOTS - 1);
    EXPECT_EQ(m.check(), "");
}

TEST(AllocPcp, CachedFrameFreedAgainIsADoubleFree) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(0));
    ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_EQ(m.buddy().free(p, Order(0)).error(), Error::DoubleFree);
    EXPECT_EQ(m.check(), "");
}

TEST(AllocPcp, LastFramesComeOutOfTheCacheWhenTheZoneIsShort) {
    MachineDef d = with_pcp(31, 124);
    Machine m(d);
    m.hand_over();
    // Take everything (MEMALLOC ignores watermarks), return one frame to the
    // cache: the next request finds the cache even though free_pages is 0.
    std::vector<Pfn> got;
    for (;;) {
        auto r = m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) {
            EXPECT_EQ(r.error(), Error::NoMemory);
            break;
        }
        got.push_back(*r);
    }
    EXPECT_EQ(got.size(), 4096u);
    ASSERT_TRUE(m.buddy().free(got.back(), Order(0)).ok());
    EXPECT_EQ(m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC))->raw(), got.back().raw());
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, BulkReturnsDistinctAllocatedFrames) {
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

TEST(AllocPcp, BulkTakesACacheBatchOrMoreStraightFromTheBuddyLists) {
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

TEST(AllocPcp, BulkTakesTheCachedFramesFirstAndRefillsForLessThanABatch) {
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

TEST_F(AllocTest, BulkRejectsBadRequests) {
    Pfn out[4];
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(1), 4, out).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 0, out).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 4, nullptr).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0, 0, ZoneType::Normal, 3), 4, out).error(),
              Error::InvalidArgument);
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0, GFP_ZERO), 4, out).error(), Error::Unsupported);
}

TEST_F(AllocTest, BulkNearTheWatermarkFallsBackToOneFrame) {
    // Leave 45 free frames: above low (40) but not low + 64.
    std::vector<Pfn> got;
    while (z.free_pages > 45) got.push_back(*b.alloc(AllocRequest::of(0)));
    Pfn out[64];
    auto r = b.alloc_bulk(AllocRequest::of(0), 64, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u);
}

TEST_F(AllocTest, BulkWithNothingLeftReportsTheError) {
    while (b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).ok()) {
    }
    Pfn out[8];
    EXPECT_EQ(b.alloc_bulk(AllocRequest::of(0), 8, out).error(), Error::NoMemory);
}

}  // namespace
}  // namespace mm::test
