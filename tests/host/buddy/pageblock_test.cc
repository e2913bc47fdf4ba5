// Anti-fragmentation (pageblock.cc): pageblock types, whole-pageblock
// stealing, partial claims, single-block steals and grouping switched off.
#include <gtest/gtest.h>

#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

constexpr uint64_t PB = PAGEBLOCK_NR_PAGES;

struct MobilityTest : OneZoneTest {
    MigrateType type_of(uint64_t pfn) const { return b.pageblock_migratetype(z, pfn); }
    // Takes every frame as movable order-0 blocks, in pfn order.
    std::vector<Pfn> take_all_movable() {
        std::vector<Pfn> got;
        for (;;) {
            auto r = b.alloc(AllocRequest::of(0, GFP_MOVABLE | GFP_MEMALLOC));
            if (!r.ok()) break;
            got.push_back(*r);
        }
        return got;
    }
};

TEST_F(MobilityTest, PageblocksStartMovable) {
    for (uint64_t p = BASE; p < BASE + 4096; p += PB) EXPECT_EQ(type_of(p), MigrateType::Movable);
    EXPECT_EQ(z.free_area[10].free_list[unsigned(MigrateType::Movable)].empty(), false);
}

TEST_F(MobilityTest, UnmovableRequestClaimsWholePageblocks) {
    auto r = b.alloc(AllocRequest::of(0));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(type_of(r->raw()), MigrateType::Unmovable);
    // It stole a free max-order block: both of its pageblocks changed type.
    EXPECT_EQ(type_of(BASE), MigrateType::Unmovable);
    EXPECT_EQ(type_of(BASE + PB), MigrateType::Unmovable);
    EXPECT_EQ(type_of(BASE + 2 * PB), MigrateType::Movable);
    // Later unmovable requests stay inside the claimed blocks; movable ones stay out.
    for (int i = 0; i < 100; i++) EXPECT_LT(b.alloc(AllocRequest::of(0))->raw(), BASE + 2 * PB);
    for (int i = 0; i < 100; i++) EXPECT_GE(b.alloc(AllocRequest::of(0, GFP_MOVABLE))->raw(), BASE + 2 * PB);
    EXPECT_EQ(m.check(), "");
}

TEST_F(MobilityTest, MostlyFreePageblockIsClaimedWithItsFreeBlocks) {
    std::vector<Pfn> got = take_all_movable();
    ASSERT_EQ(got.size(), 4096u);
    uint64_t pb3 = BASE + 3 * PB;
    for (uint64_t p = pb3; p < pb3 + 300; p++) ASSERT_TRUE(b.free(Pfn(p), Order(0)).ok());
    auto r = b.alloc(AllocRequest::of(0, GFP_MEMALLOC));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(type_of(pb3), MigrateType::Unmovable);
    // All 300 - 1 remaining free frames moved with the pageblock.
    uint64_t unmovable_free = 0;
    for (unsigned o = 0; o < MAX_ORDER; o++)
        for (uint32_t p = z.free_area[o].free_list[unsigned(MigrateType::Unmovable)].head; p != PFN_NONE;
             p = m.page(p)->next)
            unmovable_free += uint64_t(1) << o;
    EXPECT_EQ(unmovable_free, 299u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(MobilityTest, MostlyUsedMovablePageblockLendsOneBlockOnly) {
    std::vector<Pfn> got = take_all_movable();
    uint64_t pb5 = BASE + 5 * PB;
    // The rest of the pageblock is on the LRU: movable, so not "alike".
    for (uint64_t p = pb5 + 100; p < pb5 + PB; p++)
        ASSERT_TRUE(m.lru().add(Pfn(p), 1, VirtAddr(p << 12)).ok());
    for (uint64_t p = pb5; p < pb5 + 100; p++) ASSERT_TRUE(b.free(Pfn(p), Order(0)).ok());
    auto r = b.alloc(AllocRequest::of(0, GFP_MEMALLOC));
    ASSERT_TRUE(r.ok());
    EXPECT_GE(r->raw(), pb5);
    EXPECT_LT(r->raw(), pb5 + 100);
    EXPECT_EQ(type_of(pb5), MigrateType::Movable);
    EXPECT_EQ(z.free_pages, 99u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(MobilityTest, MergingFreePageblocksOfTwoTypesRetypesTheBuddy) {
    std::vector<Pfn> blocks;
    for (int i = 0; i < 8; i++) blocks.push_back(*b.alloc(AllocRequest::of(9, GFP_MOVABLE | GFP_MEMALLOC)));
    ASSERT_EQ(blocks[0].raw(), BASE);
    ASSERT_TRUE(b.free(blocks[0], Order(9)).ok());
    Pfn u = *b.alloc(AllocRequest::of(0, GFP_MEMALLOC));  // claims pageblock 0 only
    EXPECT_EQ(type_of(BASE), MigrateType::Unmovable);
    EXPECT_EQ(type_of(BASE + PB), MigrateType::Movable);
    ASSERT_TRUE(b.free(u, Order(0)).ok());
    ASSERT_EQ(m.page(BASE)->order(), 9u);
    ASSERT_TRUE(b.free(blocks[1], Order(9)).ok());  // a movable buddy: merges, pageblock 0 follows
    EXPECT_EQ(m.page(BASE)->order(), 10u);
    EXPECT_EQ(type_of(BASE), MigrateType::Movable);
    EXPECT_EQ(m.check(), "");
}

TEST(MobilityDisabled, EverythingIsOneType) {
    MachineDef d = single_zone(4096);
    d.config.grouping = Grouping::Disabled;
    Machine m(d);
    m.hand_over();
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    ASSERT_TRUE(b.alloc(AllocRequest::of(0, GFP_MOVABLE)).ok());
    ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    ASSERT_TRUE(b.alloc(AllocRequest::of(0, GFP_RECLAIMABLE)).ok());
    for (uint64_t p = BASE; p < BASE + 4096; p += PB)
        EXPECT_EQ(b.pageblock_migratetype(z, p), MigrateType::Unmovable);
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        EXPECT_TRUE(z.free_area[o].free_list[unsigned(MigrateType::Movable)].empty());
        EXPECT_TRUE(z.free_area[o].free_list[unsigned(MigrateType::Reclaimable)].empty());
    }
    EXPECT_EQ(m.check(), "");
}

}  // namespace
}  // namespace mm::test
