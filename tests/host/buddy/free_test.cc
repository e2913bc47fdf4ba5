// Freeing (free.cc): merging with buddies, holes and zone boundaries, the
// detection of bad frees (double free, not owned, wrong order), and
// frees into the per-cpu cache and its drains.
#include <gtest/gtest.h>

#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

struct FreeTest : OneZoneTest {
    Pfn take(unsigned order) {
        auto r = b.alloc(AllocRequest::of(order));
        EXPECT_TRUE(r.ok());
        return *r;
    }
    // A failed free must leave the allocator exactly as it was.
    void expect_unchanged(uint64_t free_before) {
        EXPECT_EQ(z.free_pages, free_before);
        EXPECT_EQ(m.check(), "");
    }
};

TEST_F(FreeTest, BuddiesMergeOnlyWhenBothAreFree) {
    Pfn a = take(0), c = take(0);
    EXPECT_EQ(c.raw(), a.raw() + 1);
    ASSERT_TRUE(b.free(a, Order(0)).ok());
    EXPECT_TRUE(m.page(a.raw())->test(PG_buddy));
    EXPECT_EQ(m.page(a.raw())->order(), 0u);
    ASSERT_TRUE(b.free(c, Order(0)).ok());
    EXPECT_FALSE(m.page(c.raw())->test(PG_buddy));
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 4u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(FreeTest, RejectsOrderTooLarge) {
    Pfn a = take(0);
    EXPECT_EQ(b.free(a, Order(MAX_ORDER)).error(), Error::InvalidArgument);
    expect_unchanged(4095);
}

TEST_F(FreeTest, FramesOutsideEveryZoneAreNotOwned) {
    EXPECT_EQ(b.free(Pfn(0x10), Order(0)).error(), Error::NotOwned);
    EXPECT_EQ(b.free(Pfn(BASE + 4096), Order(0)).error(), Error::NotOwned);
    expect_unchanged(4096);
}

TEST_F(FreeTest, DoubleFreeOfAHeadIsDetected) {
    Pfn a = take(3);
    take(3);  // keeps a's buddy allocated, so a stays a free head
    ASSERT_TRUE(b.free(a, Order(3)).ok());
    uint64_t before = z.free_pages;
    EXPECT_EQ(b.free(a, Order(3)).error(), Error::DoubleFree);
    EXPECT_EQ(b.free(a, Order(0)).error(), Error::DoubleFree);
    expect_unchanged(before);
}

TEST_F(FreeTest, DoubleFreeInsideAMergedBlockIsDetected) {
    Pfn a = take(0);
    ASSERT_TRUE(b.free(a, Order(0)).ok());  // merges all the way up
    EXPECT_EQ(b.free(a, Order(0)).error(), Error::DoubleFree);
    EXPECT_EQ(b.free(Pfn(BASE + 5), Order(0)).error(), Error::DoubleFree);
    EXPECT_EQ(b.free(Pfn(BASE + 1024 + 8), Order(3)).error(), Error::DoubleFree);
    expect_unchanged(4096);
}

// is_free answers as a free would, without freeing: a frame of any free
// block, a freed block merged into a larger one included, but not a frame
// of an allocated block, a hole or a frame outside every zone.
TEST_F(FreeTest, IsFreeAgreesWithWhatAFreeWouldFind) {
    Pfn a = take(2);
    EXPECT_FALSE(b.is_free(a));
    EXPECT_FALSE(b.is_free(Pfn(a.raw() + 3)));
    ASSERT_TRUE(b.free(a, Order(2)).ok());  // merges all the way up: a heads nothing
    EXPECT_FALSE(m.page(a.raw())->test(PG_buddy) && a.raw() != BASE);
    EXPECT_TRUE(b.is_free(a));
    EXPECT_TRUE(b.is_free(Pfn(a.raw() + 3)));
    EXPECT_EQ(b.free(a, Order(2)).error(), Error::DoubleFree);
    EXPECT_FALSE(b.is_free(Pfn(0x10)));
    EXPECT_FALSE(b.is_free(Pfn(BASE + 4096)));
    expect_unchanged(4096);
}

TEST_F(FreeTest, WrongOrderIsDetected) {
    Pfn a = take(2);
    EXPECT_EQ(b.free(a, Order(1)).error(), Error::WrongOrder);
    EXPECT_EQ(b.free(a, Order(3)).error(), Error::WrongOrder);
    // A frame inside the block names the wrong block.
    EXPECT_EQ(b.free(Pfn(a.raw() + 2), Order(1)).error(), Error::WrongOrder);
    EXPECT_EQ(b.free(Pfn(a.raw() + 3), Order(0)).error(), Error::WrongOrder);
    expect_unchanged(4092);
    EXPECT_TRUE(b.free(a, Order(2)).ok());
    EXPECT_EQ(m.check(), "");
}

TEST(FreeHoles, ReservedFramesAndHolesAreNotOwned) {
    MachineDef d = single_zone(4096);
    d.holes = {{BASE + 1000, BASE + 1030}};
    Machine m(d);
    m.hand_over();
    EXPECT_EQ(m.buddy().free(Pfn(BASE + 1000), Order(0)).error(), Error::NotOwned);
    EXPECT_EQ(m.buddy().free(Pfn(BASE + 1029), Order(0)).error(), Error::NotOwned);
    EXPECT_EQ(m.check(), "");
}

// Takes every frame, frees every frame, and checks that no free block
// ever covers a hole and that the largest blocks stop at it.
TEST(FreeHoles, NoBlockEverSpansAHole) {
    MachineDef d = single_zone(4096);
    d.holes = {{BASE + 1000, BASE + 1020}, {BASE + 3072, BASE + 3073}};
    Machine m(d);
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    EXPECT_EQ(z.present, 4096u - 21);
    EXPECT_EQ(z.managed, 4096u - 21);
    EXPECT_EQ(m.check(), "");
    std::vector<Pfn> got;
    for (;;) {
        auto r = m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) break;
        EXPECT_FALSE(m.is_hole(r->raw()));
        got.push_back(*r);
    }
    EXPECT_EQ(got.size(), 4096u - 21);
    for (size_t i = 0; i < got.size(); i += 2) ASSERT_TRUE(m.buddy().free(got[i], Order(0)).ok());
    for (size_t i = 1; i < got.size(); i += 2) ASSERT_TRUE(m.buddy().free(got[i], Order(0)).ok());
    EXPECT_EQ(m.check(), "");
    // Only [1024, 2048) and [2048, 3072) are hole-free max-order blocks;
    // next to the holes the largest blocks stop short of them.
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 2u);
    EXPECT_EQ(m.page(BASE + 1024)->order(), 10u);
    EXPECT_EQ(m.page(BASE + 2048)->order(), 10u);
    EXPECT_EQ(m.page(BASE)->order(), 9u);
    EXPECT_EQ(m.page(BASE + 992)->order(), 3u);
    EXPECT_EQ(m.page(BASE + 1020)->order(), 2u);
    EXPECT_EQ(m.page(BASE + 3073)->order(), 0u);
    EXPECT_EQ(m.page(BASE + 3584)->order(), 9u);
}

TEST(FreeZones, BuddiesNeverMergeAcrossAZoneBoundary) {
    MachineDef d;
    d.zones = {{0, ZoneType::DMA32, BASE, 0x200}, {0, ZoneType::Normal, BASE + 0x200, 0xe00}};
    Machine m(d);
    m.hand_over();
    // The boundary is only 512-aligned: no order-10 block may form at BASE.
    const Zone& dma = m.buddy().zone(0, ZoneType::DMA32);
    EXPECT_EQ(dma.free_area[9].nr_free, 1u);
    EXPECT_EQ(dma.free_area[10].nr_free, 0u);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).free_area[9].nr_free, 1u);
    EXPECT_EQ(m.check(), "");
}

TEST(FreeNodes, BuddiesNeverMergeAcrossANodeBoundary) {
    MachineDef d;
    d.nr_nodes = 2;
    d.zones = {{0, ZoneType::Normal, BASE, 0x600}, {1, ZoneType::Normal, BASE + 0x800, 0x800}};
    Machine m(d);
    m.hand_over();
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).free_area[10].nr_free, 1u);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).free_area[9].nr_free, 1u);
    EXPECT_EQ(m.buddy().zone(1, ZoneType::Normal).free_area[10].nr_free, 2u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(FreeTest, BlockWhoseMergeIsLikelyGoesToTheListTail) {
    // Allocate 4 order-0 frames at BASE..BASE+3; free BASE+2 and BASE+3 so
    // [BASE+2, BASE+4) is a free order-1 block. Then free BASE: its buddy
    // BASE+1 is in use, but the order-1 buddy of the pair is free, so the
    // frame goes to the tail of the order-0 list.
    Pfn p0 = take(0), p1 = take(0), p2 = take(0), p3 = take(0);
    ASSERT_EQ(p3.raw(), BASE + 3);
    take(0);  // BASE+4 keeps the order-2 block from merging further
    ASSERT_TRUE(b.free(p2, Order(0)).ok());
    ASSERT_TRUE(b.free(p3, Order(0)).ok());
    EXPECT_EQ(m.page(BASE + 2)->order(), 1u);
    ASSERT_TRUE(b.free(p0, Order(0)).ok());
    const PageList& l = z.free_area[0].free_list[unsigned(MigrateType::Unmovable)];
    EXPECT_EQ(l.tail, uint32_t(BASE));
    EXPECT_NE(l.head, uint32_t(BASE));
    (void)p1;
    EXPECT_EQ(m.check(), "");
}

TEST(FreePcp, FreesGoToTheCacheUntilHighThenDrainABatch) {
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

TEST(FreePcp, DrainTakesTheColdestFramesFirst) {
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

TEST(FreePcp, HighBoundsEachMigratetypeListOnItsOwn) {
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
TEST(FreePcp, FramesGoBackToTheListOfTheirMobility) {
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
TEST(FreePcp, FrameWhosePageblockChangedTypeGoesBackToItsList) {
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

TEST(FreePcp, CacheAtItsLargestHighHoldsEveryFrame) {
    Machine m(with_pcp(31, PCP_SLOTS - 1));
    m.hand_over();
    std::vector<Pfn> got;
    for (uint32_t i = 0; i < PCP_SLOTS + 40; i++) got.push_back(*m.buddy().alloc(AllocRequest::of(0)));
    m.buddy().drain_pcp();
    for (Pfn p : got) ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_LE(m.buddy().zone(0, ZoneType::Normal).pcp.count(), PCP_SLOTS - 1);
    EXPECT_EQ(m.check(), "");
}

TEST(FreePcp, CachedFrameFreedAgainIsADoubleFree) {
    Machine m(with_pcp(4, 8));
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(0));
    ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    EXPECT_EQ(m.buddy().free(p, Order(0)).error(), Error::DoubleFree);
    EXPECT_EQ(m.check(), "");
}

}  // namespace
}  // namespace mm::test
