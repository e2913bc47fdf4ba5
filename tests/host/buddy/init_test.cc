// Set-up (init.cc): init's layout checks, the hand-over of free memory
// (free_bootmem_range), and the watermarks and lowmem_reserve with their
// tunables.
#include <gtest/gtest.h>

#include "buddy/introspect.h"
#include "machine.h"

namespace mm::test {
namespace {

MemoryLayout one_zone_layout(uint64_t start, uint64_t pages) {
    MemoryLayout l;
    l.nr_nodes = 1;
    l.nodes[0].start = Pfn(start);
    l.nodes[0].spanned = pages;
    l.nodes[0].zones[unsigned(ZoneType::Normal)] = ZoneSpan{Pfn(start), pages, pages};
    l.distance[0][0] = 10;
    return l;
}

Error init_error(const MemoryLayout& l, BuddyConfig c = MachineDef::default_config(),
                 size_t storage = 1 << 16) {
    static std::vector<uint8_t> blocks(1 << 16);
    static std::vector<Page> map(4096);
    auto b = std::make_unique<Buddy>();
    return b->init(l, MemMap::from_array(map.data(), Pfn(0x80000)), blocks.data(), storage, c).error();
}

TEST(BuddyInit, AcceptsAValidLayout) { EXPECT_EQ(init_error(one_zone_layout(0x80000, 4096)), Error::None); }

TEST(BuddyInit, RejectsNoNodesAndTooMany) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    l.nr_nodes = 0;
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
    l.nr_nodes = MAX_NUMNODES + 1;
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsZoneOutsideItsNode) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    l.nodes[0].spanned = 2048;
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsOverlappingZones) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    l.nodes[0].zones[unsigned(ZoneType::DMA32)] = ZoneSpan{Pfn(0x80000), 1024, 1024};
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsOverlappingNodes) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    l.nr_nodes = 2;
    l.nodes[1] = l.nodes[0];
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsPresentAboveSpannedAndPresentInEmptyZone) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    l.nodes[0].zones[unsigned(ZoneType::Normal)].present = 4097;
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
    l = one_zone_layout(0x80000, 4096);
    l.nodes[0].zones[unsigned(ZoneType::Movable)].present = 1;
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsFramesBeyondTheLinkLimit) {
    MemoryLayout l = one_zone_layout(MAX_PFN_LIMIT - 100, 4096);
    EXPECT_EQ(init_error(l), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsBadConfig) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    BuddyConfig c = MachineDef::default_config();
    c.pcp_batch = 32;
    c.pcp_high = 16;
    EXPECT_EQ(init_error(l, c), Error::InvalidArgument);
    c.pcp_high = PCP_SLOTS;
    EXPECT_EQ(init_error(l, c), Error::InvalidArgument);
    c = MachineDef::default_config();
    c.local_nid = 1;
    EXPECT_EQ(init_error(l, c), Error::InvalidArgument);
    c = MachineDef::default_config();
    c.watermark_scale_factor = 0;
    EXPECT_EQ(init_error(l, c), Error::InvalidArgument);
}

TEST(BuddyInit, RejectsTooLittlePageblockStorage) {
    MemoryLayout l = one_zone_layout(0x80000, 4096);
    EXPECT_EQ(Buddy::pageblock_storage_size(l), 8u);
    EXPECT_EQ(init_error(l, MachineDef::default_config(), 7), Error::NoMemory);
    EXPECT_EQ(init_error(l, MachineDef::default_config(), 8), Error::None);
}

TEST(BuddyInit, NothingIsFreeBeforeHandOver) {
    Machine m(single_zone(4096));
    ASSERT_TRUE(m.init_status().ok());
    EXPECT_EQ(m.buddy().nr_free_pages(), 0u);
    EXPECT_EQ(m.buddy().alloc(AllocRequest::of(0)).error(), Error::NoMemory);
    EXPECT_EQ(m.check(), "");
}

TEST(BuddyHandOver, FreesAnAlignedZoneAsMaxOrderBlocks) {
    Machine m(single_zone(4096));
    m.hand_over();
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    EXPECT_EQ(z.managed, 4096u);
    EXPECT_EQ(z.free_pages, 4096u);
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 4u);
    for (unsigned o = 0; o + 1 < MAX_ORDER; o++) EXPECT_EQ(z.free_area[o].nr_free, 0u) << o;
    EXPECT_FALSE(m.page(0x80000)->test(PG_reserved));
    EXPECT_TRUE(m.page(0x80000)->test(PG_buddy));
    EXPECT_EQ(m.check(), "");
}

TEST(BuddyHandOver, UnalignedRangeUsesLargestAlignedBlocks) {
    Machine m(single_zone(4096));
    ASSERT_TRUE(m.buddy().free_bootmem_range(Pfn(0x80001), Pfn(0x80008)).ok());
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    // 0x80001 (order 0), 0x80002 (order 1), 0x80004 (order 2)
    EXPECT_EQ(z.free_area[0].nr_free, 1u);
    EXPECT_EQ(z.free_area[1].nr_free, 1u);
    EXPECT_EQ(z.free_area[2].nr_free, 1u);
    EXPECT_TRUE(m.page(0x80000)->test(PG_reserved));
    // Handing over the missing frame merges everything into one order-3 block.
    ASSERT_TRUE(m.buddy().free_bootmem_range(Pfn(0x80000), Pfn(0x80001)).ok());
    EXPECT_EQ(z.free_area[3].nr_free, 1u);
    EXPECT_EQ(z.free_area[0].nr_free + z.free_area[1].nr_free + z.free_area[2].nr_free, 0u);
    EXPECT_EQ(m.check(), "");
}

TEST(BuddyHandOver, RejectsEmptyAndForeignRanges) {
    Machine m(single_zone(4096));
    EXPECT_EQ(m.buddy().free_bootmem_range(Pfn(0x80010), Pfn(0x80010)).error(), Error::InvalidArgument);
    EXPECT_EQ(m.buddy().free_bootmem_range(Pfn(0x80010), Pfn(0x80000)).error(), Error::InvalidArgument);
    EXPECT_EQ(m.buddy().free_bootmem_range(Pfn(0x10), Pfn(0x20)).error(), Error::OutOfRange);
    // Partly outside: refused as a whole, nothing freed.
    EXPECT_EQ(m.buddy().free_bootmem_range(Pfn(0x80000 + 4000), Pfn(0x80000 + 4200)).error(),
              Error::OutOfRange);
    EXPECT_EQ(m.buddy().nr_free_pages(), 0u);
    EXPECT_TRUE(m.page(0x80000 + 4000)->test(PG_reserved));
}

TEST(BuddyHandOver, RejectsFramesHandedOverTwice) {
    Machine m(single_zone(4096));
    ASSERT_TRUE(m.buddy().free_bootmem_range(Pfn(0x80100), Pfn(0x80200)).ok());
    EXPECT_EQ(m.buddy().free_bootmem_range(Pfn(0x80000), Pfn(0x80101)).error(), Error::DoubleFree);
    EXPECT_EQ(m.buddy().nr_free_pages(), 0x100u);
    EXPECT_TRUE(m.page(0x80000)->test(PG_reserved));
    EXPECT_EQ(m.check(), "");
}

TEST(BuddyHandOver, RangeAcrossTwoZonesIsSplitAtTheBoundary) {
    MachineDef d;
    d.zones = {{0, ZoneType::DMA32, 0x80000, 0x300}, {0, ZoneType::Normal, 0x80300, 0xd00}};
    Machine m(d);
    ASSERT_TRUE(m.buddy().free_bootmem_range(Pfn(0x80000), Pfn(0x81000)).ok());
    EXPECT_EQ(m.buddy().zone(0, ZoneType::DMA32).free_pages, 0x300u);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).free_pages, 0xd00u);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::DMA32).managed, 0x300u);
    EXPECT_EQ(m.check(), "");
}

TEST(BuddyHandOver, WatermarksFollowManagedPages) {
    Machine m(single_zone(4096));
    const Zone& z = m.buddy().zone(0, ZoneType::Normal);
    EXPECT_EQ(z.watermark[WMARK_MIN], 0u);
    m.hand_over();
    // min_free_kbytes 128 = 32 pages, all in this zone; gap max(32/4, 4096*10/10000).
    EXPECT_EQ(z.watermark[WMARK_MIN], 32u);
    EXPECT_EQ(z.watermark[WMARK_LOW], 40u);
    EXPECT_EQ(z.watermark[WMARK_HIGH], 48u);
}

TEST(BuddyHandOver, DefaultMinFreeKbytesScalesWithMemory) {
    MachineDef d = single_zone(262144);  // 1 GiB
    d.config.min_free_kbytes = 0;
    Machine m(d);
    m.hand_over();
    // Linux: int_sqrt(lowmem_kbytes * 16) = sqrt(1 GiB in KiB * 16) = 4096 KiB.
    EXPECT_EQ(m.buddy().min_free_kbytes(), 4096u);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).watermark[WMARK_MIN], 1024u);
}

TEST(BuddyTunables, TunablesRecomputeTheMarks) {
    Machine m{single_zone(4096)};
    m.hand_over();  // min 32, low 40, high 48
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    ASSERT_TRUE(b.set_min_free_kbytes(1024).ok());
    EXPECT_EQ(z.watermark[WMARK_MIN], 256u);
    EXPECT_EQ(z.watermark[WMARK_LOW], 320u);
    EXPECT_EQ(z.watermark[WMARK_HIGH], 384u);
    ASSERT_TRUE(b.set_watermark_scale_factor(1000).ok());  // 10% of 4096
    EXPECT_EQ(z.watermark[WMARK_LOW], 256u + 409);
    EXPECT_EQ(b.set_min_free_kbytes(0).error(), Error::InvalidArgument);
    EXPECT_EQ(b.set_min_free_kbytes(127).error(), Error::InvalidArgument);
    EXPECT_EQ(b.set_watermark_scale_factor(0).error(), Error::InvalidArgument);
    EXPECT_EQ(b.set_watermark_scale_factor(3001).error(), Error::InvalidArgument);
    EXPECT_EQ(z.watermark[WMARK_MIN], 256u);
}

TEST(BuddyTunables, LowmemReserveRatioIsTunable) {
    Machine m(two_zones());
    m.hand_over();
    const uint32_t ratio[MAX_NR_ZONES] = {4, 32, 0};
    m.buddy().set_lowmem_reserve_ratio(ratio);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::DMA32).lowmem_reserve[unsigned(ZoneType::Normal)], 512u);
    const uint32_t none[MAX_NR_ZONES] = {0, 0, 0};
    m.buddy().set_lowmem_reserve_ratio(none);
    EXPECT_EQ(m.buddy().zone(0, ZoneType::DMA32).lowmem_reserve[unsigned(ZoneType::Normal)], 0u);
}

}  // namespace
}  // namespace mm::test
