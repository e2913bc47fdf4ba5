// Introspection: the fragmentation indices against hand-computed values
// and the text formats against Linux's layouts.
#include "buddy/introspect.h"

#include <gtest/gtest.h>

#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

ContigPageInfo info_of(uint64_t free_pages, uint64_t blocks_total, uint64_t suitable) {
    ContigPageInfo i;
    i.free_pages = free_pages;
    i.free_blocks_total = blocks_total;
    i.free_blocks_suitable = suitable;
    return i;
}

TEST(FragmentationIndex, MatchesLinuxFormula) {
    // 2048 single frames: an order-1 request fails for fragmentation alone.
    EXPECT_EQ(fragmentation_index(1, info_of(2048, 2048, 0)), 500);
    EXPECT_EQ(fragmentation_index(9, info_of(2048, 2048, 0)), 1000 - (1000 + 2048 * 1000 / 512) / 2048);
    // One free block of 4 frames, request of 8: lack of memory, not fragmentation.
    EXPECT_EQ(fragmentation_index(3, info_of(4, 1, 0)), 1000 - (1000 + 500) / 1);
    EXPECT_EQ(fragmentation_index(0, info_of(4, 1, 4)), -1000);
    EXPECT_EQ(fragmentation_index(3, info_of(0, 0, 0)), 0);
}

TEST(UnusableIndex, MatchesLinuxFormula) {
    EXPECT_EQ(unusable_free_index(0, info_of(2048, 2048, 2048)), 0);
    EXPECT_EQ(unusable_free_index(1, info_of(2048, 2048, 0)), 1000);
    EXPECT_EQ(unusable_free_index(2, info_of(100, 10, 20)), (100 - 80) * 1000 / 100);
    EXPECT_EQ(unusable_free_index(5, info_of(0, 0, 0)), 1000);
}

struct IntrospectTest : ::testing::Test {
    Machine m{single_zone(4096)};
    Buddy& b = m.buddy();
    void SetUp() override { m.hand_over(); }
};

TEST_F(IntrospectTest, ContigInfoCountsBlocksOfEachOrder) {
    ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    ContigPageInfo i = contig_page_info(b.zone(0, ZoneType::Normal), 9);
    EXPECT_EQ(i.free_pages, 4095u);
    EXPECT_EQ(i.free_blocks_total, 13u);    // one of each order 0..9, three of order 10
    EXPECT_EQ(i.free_blocks_suitable, 7u);  // the order-9 block plus two per order-10 block
}

TEST_F(IntrospectTest, BuddyinfoHasLinuxLayout) {
    EXPECT_EQ(capture(print_buddyinfo, b),
              "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0   "
              "   4 \n");
    ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    EXPECT_EQ(capture(print_buddyinfo, b),
              "Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1   "
              "   3 \n");
}

TEST_F(IntrospectTest, IndicesPrintAsThousandths) {
    std::vector<Pfn> got;
    while (true) {
        auto r = b.alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) break;
        got.push_back(*r);
    }
    for (Pfn p : got)
        if (p.raw() % 2 == 0) {
            ASSERT_TRUE(b.free(p, Order(0)).ok());
        }
    std::string extfrag = capture(print_extfrag_index, b);
    EXPECT_EQ(extfrag.rfind("Node 0, zone   Normal -1.000 0.500 0.750 ", 0), 0u) << extfrag;
    std::string unusable = capture(print_unusable_index, b);
    EXPECT_EQ(unusable.rfind("Node 0, zone   Normal 0.000 1.000 1.000 ", 0), 0u) << unusable;
}

TEST_F(IntrospectTest, ZoneinfoShowsSizesWatermarksAndLists) {
    Pfn p = *b.alloc(AllocRequest::of(0, GFP_MOVABLE));
    ASSERT_TRUE(m.lru().add(p, 1, VirtAddr(0x1000)).ok());
    std::string s = capture(print_zoneinfo, b);
    EXPECT_NE(s.find("Node 0, zone   Normal\n  pages free     4095\n        min      32\n"
                     "        low      40\n        high     48\n        spanned  4096\n"
                     "        present  4096\n        managed  4096\n        protection: (0, 0, 0)\n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("      nr_zone_inactive 1\n      nr_zone_active 0\n"), std::string::npos) << s;
}

TEST_F(IntrospectTest, PagetypeinfoCountsFreeBlocksAndPageblocksPerType) {
    std::string s = capture(print_pagetypeinfo, b);
    EXPECT_NE(s.find("Node    0, zone   Normal, type      Movable      0      0      0      0      0      0"
                     "      0      0      0      0      4 \n"),
              std::string::npos)
        << s;
    EXPECT_NE(s.find("Node 0, zone   Normal            0            8            0 \n"), std::string::npos)
        << s;
}

TEST_F(IntrospectTest, StatsAsDataAndAsKeyValueText) {
    ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    ZoneStats s = zone_stats(b, 0, ZoneType::Normal);
    EXPECT_EQ(s.free_pages, 4095u);
    EXPECT_EQ(s.managed, 4096u);
    EXPECT_EQ(s.nr_free[10], 3u);
    EXPECT_EQ(s.nr_free_by_type[unsigned(MigrateType::Unmovable)][0], 1u);
    EXPECT_EQ(s.nr_free_by_type[unsigned(MigrateType::Movable)][10], 3u);
    EXPECT_EQ(s.nr_pageblocks_by_type[unsigned(MigrateType::Unmovable)], 2u);
    EXPECT_EQ(s.extfrag_index[10], -1000);
    EXPECT_EQ(s.watermark[WMARK_LOW], 40u);
    std::string kv = capture(print_zone_stats_kv, b);
    EXPECT_EQ(
        kv.rfind("node=0 zone=Normal spanned=4096 present=4096 managed=4096 free=4095 pcp=0 min=32 low=40 "
                 "high=48 inactive=0 active=0 isolated=0 nr_free=1,1,1,1,1,1,1,1,1,1,3 unusable=0,0,",
                 0),
        0u)
        << kv;
}

TEST(IntrospectNodes, EveryPopulatedZoneOfEveryNodeIsListed) {
    MachineDef d;
    d.nr_nodes = 2;
    d.zones = {{0, ZoneType::DMA32, 0x80000, 1024},
               {0, ZoneType::Normal, 0x80400, 1024},
               {1, ZoneType::Normal, 0x90000, 1024}};
    Machine m(d);
    m.hand_over();
    std::string s = capture(print_buddyinfo, m.buddy());
    EXPECT_NE(s.find("Node 0, zone    DMA32 "), std::string::npos);
    EXPECT_NE(s.find("Node 0, zone   Normal "), std::string::npos);
    EXPECT_NE(s.find("Node 1, zone   Normal "), std::string::npos);
    EXPECT_EQ(s.find("Movable"), std::string::npos);
}

}  // namespace
}  // namespace mm::test
