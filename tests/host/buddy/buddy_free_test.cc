// Freeing: merging with buddies, holes and zone boundaries, and the
// detection of bad frees (double free, not owned, wrong order).
#include <gtest/gtest.h>

#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

constexpr uint64_t BASE = 0x80000;

struct FreeTest : ::testing::Test {
    Machine m{single_zone(4096)};
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    void SetUp() override { m.hand_over(); }
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

}  // namespace
}  // namespace mm::test
