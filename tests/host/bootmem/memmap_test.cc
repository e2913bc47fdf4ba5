// mem_map geometry (alloc_node_mem_map) and initial contents
// (free_area_init_core / memmap_init).
#include "bootmem/memmap.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace mm {
namespace {

struct Bank {
    uint64_t base_pfn, pages;
    unsigned nid;
};

struct Fixture {
    Memblock mb;
    ZoneLayout zones;
    MemMapLayout maps;
};

// Sizes zones for banks given in frames; plans the maps.
void setup(Fixture& s, std::initializer_list<Bank> banks, unsigned nr_nodes,
           CoreSetting kc = CoreSetting::none()) {
    for (const Bank& b : banks)
        ASSERT_TRUE(s.mb.add(PhysRange{Pfn(b.base_pfn).to_phys(), b.pages << PAGE_SHIFT}, b.nid).ok());
    ASSERT_TRUE(size_zones(s.mb.memory(), nr_nodes, kc, {}, s.zones).ok());
    ASSERT_TRUE(plan_memmap(s.zones, s.maps).ok());
}

// A node's array, filled with garbage first so every field must be written.
std::vector<Page> init(const Fixture& s, unsigned nid) {
    std::vector<Page> v(s.maps.nodes[nid].nr_pages());
    for (Page& p : v) p = Page{0xdeadbeef, 1, 2, 3, 4, 5, 6};
    init_node_memmap(v.data(), s.zones, s.maps, nid);
    return v;
}

// Checks descriptors [from, to) of `v` (whose first frame is `first`).
void expect_run(const std::vector<Page>& v, uint64_t first, uint64_t from, uint64_t to, ZoneType z,
                unsigned node) {
    for (uint64_t pfn = from; pfn < to; pfn++) {
        const Page& p = v[pfn - first];
        ASSERT_EQ(p.flags, Page::initial_flags(z, node)) << std::hex << pfn;
        ASSERT_TRUE(p.test(PG_reserved));
        ASSERT_EQ(p.zone(), z);
        ASSERT_EQ(p.node(), node);
        ASSERT_EQ(p.order(), 0u);
        ASSERT_EQ(p.next, PFN_NONE);
        ASSERT_EQ(p.prev, PFN_NONE);
        ASSERT_EQ(p.refcount, 0u);
        ASSERT_EQ(p.mapcount, 0u);
        ASSERT_EQ(p.owner, 0u);
        ASSERT_EQ(p.index, 0u);
    }
}

TEST(MemMap, SingleAlignedNode) {
    Fixture s;
    setup(s, {{0x80000, 0x8000, 0}}, 1);  // 128 MiB
    EXPECT_EQ(s.maps.nodes[0].start.raw(), 0x80000u);
    EXPECT_EQ(s.maps.nodes[0].end.raw(), 0x88000u);
    EXPECT_EQ(s.maps.nodes[0].bytes(), 0x8000u * 32);
    auto v = init(s, 0);
    expect_run(v, 0x80000, 0x80000, 0x88000, ZoneType::DMA32, 0);
    // pfn <-> descriptor through the vmemmap view.
    MemMap mm = MemMap::from_array(v.data(), s.maps.nodes[0].start);
    EXPECT_EQ(mm.pfn_to_page(Pfn(0x80123)), &v[0x123]);
    EXPECT_EQ(mm.page_to_pfn(&v[0x7fff]).raw(), 0x87fffu);
}

TEST(MemMap, UnalignedNodeIsPaddedToMaxOrder) {
    Fixture s;
    setup(s, {{0x80080, 0x7ea3, 0}}, 1);  // [0x80080, 0x87f23)
    const NodeMemMap& m = s.maps.nodes[0];
    EXPECT_EQ(m.start.raw(), 0x80000u);
    EXPECT_EQ(m.end.raw(), 0x88000u);
    EXPECT_EQ(m.bytes() % PAGE_SIZE, 0u);
    auto v = init(s, 0);
    // Leading and trailing padding: reserved, the node's only zone.
    expect_run(v, 0x80000, 0x80000, 0x88000, ZoneType::DMA32, 0);
}

TEST(MemMap, ZonesOfOneNodeIncludingMovable) {
    // [0xff000, 0x101000) crosses 4 GiB; kernelcore 5120 pages: 4096 below
    // 4 GiB, 1024 above -> ZONE_MOVABLE from 0x100400.
    Fixture s;
    setup(s, {{0xff000, 0x2000, 0}}, 1, CoreSetting::pages(5120));
    ASSERT_EQ(s.zones.zone_movable_pfn[0].raw(), 0x100400u);
    MemMapSegment segs[MAX_MEMMAP_SEGMENTS];
    size_t n = memmap_segments(s.zones, s.maps, 0, segs);
    ASSERT_EQ(n, 3u);
    EXPECT_EQ(segs[0].start.raw(), 0xff000u);
    EXPECT_EQ(segs[0].end.raw(), 0x100000u);
    EXPECT_EQ(segs[0].flags, Page::initial_flags(ZoneType::DMA32, 0));
    EXPECT_EQ(segs[1].start.raw(), 0x100000u);
    EXPECT_EQ(segs[1].end.raw(), 0x100400u);
    EXPECT_EQ(segs[1].flags, Page::initial_flags(ZoneType::Normal, 0));
    EXPECT_EQ(segs[2].start.raw(), 0x100400u);
    EXPECT_EQ(segs[2].end.raw(), 0x101000u);
    EXPECT_EQ(segs[2].flags, Page::initial_flags(ZoneType::Movable, 0));
    auto v = init(s, 0);
    expect_run(v, 0xff000, 0xff000, 0x100000, ZoneType::DMA32, 0);
    expect_run(v, 0xff000, 0x100000, 0x100400, ZoneType::Normal, 0);
    expect_run(v, 0xff000, 0x100400, 0x101000, ZoneType::Movable, 0);
}

TEST(MemMap, HoleInsideZoneBelongsToThatZone) {
    Fixture s;
    setup(s, {{0x80000, 0x400, 0}, {0x90000, 0x400, 0}}, 1);
    auto v = init(s, 0);
    expect_run(v, 0x80000, 0x80000, 0x90400, ZoneType::DMA32, 0);
    EXPECT_EQ(s.zones.nodes[0].zones[0].present, 0x800u);
}

TEST(MemMap, SharedBlockBetweenNodesGoesToTheEarlierArray) {
    // Node 0 [0x80000, 0x80300), node 1 [0x80300, 0x80800): the block
    // [0x80000, 0x80400) is shared. Node 0's array covers it; node 1's
    // array starts at 0x80400, its first 0x100 frames live in node 0's.
    Fixture s;
    setup(s, {{0x80000, 0x300, 0}, {0x80300, 0x500, 1}}, 2);
    EXPECT_EQ(s.maps.nodes[0].start.raw(), 0x80000u);
    EXPECT_EQ(s.maps.nodes[0].end.raw(), 0x80400u);
    EXPECT_EQ(s.maps.nodes[1].start.raw(), 0x80400u);
    EXPECT_EQ(s.maps.nodes[1].end.raw(), 0x80800u);
    auto v0 = init(s, 0);
    expect_run(v0, 0x80000, 0x80000, 0x80300, ZoneType::DMA32, 0);
    expect_run(v0, 0x80000, 0x80300, 0x80400, ZoneType::DMA32, 1);
    auto v1 = init(s, 1);
    expect_run(v1, 0x80400, 0x80400, 0x80800, ZoneType::DMA32, 1);
}

TEST(MemMap, TinyNodeInsidePredecessorsBlockHasAnEmptyArray) {
    Fixture s;
    setup(s, {{0x80000, 0x100, 0}, {0x80200, 0x100, 1}}, 2);
    EXPECT_EQ(s.maps.nodes[0].end.raw(), 0x80400u);
    EXPECT_TRUE(s.maps.nodes[1].empty());
    EXPECT_EQ(s.maps.nodes[1].bytes(), 0u);
    auto v0 = init(s, 0);
    // The gap between the nodes is node 0's padding; node 1 from 0x80200.
    expect_run(v0, 0x80000, 0x80000, 0x80200, ZoneType::DMA32, 0);
    expect_run(v0, 0x80000, 0x80200, 0x80400, ZoneType::DMA32, 1);
    MemMapSegment segs[MAX_MEMMAP_SEGMENTS];
    EXPECT_EQ(memmap_segments(s.zones, s.maps, 1, segs), 0u);
    EXPECT_EQ(alloc_node_mem_map(s.mb, s.maps, 1).error(), Error::InvalidArgument);
}

TEST(MemMap, GapBetweenNodesIsPaddingOfTheArrayThatHoldsIt) {
    // Node 0 ends at 0x80100; node 1 starts at 0x90300. Node 0's array
    // ends at 0x80400, node 1's starts at 0x90000 with leading padding.
    Fixture s;
    setup(s, {{0x80000, 0x100, 0}, {0x90300, 0x100, 1}}, 2);
    EXPECT_EQ(s.maps.nodes[1].start.raw(), 0x90000u);
    EXPECT_EQ(s.maps.nodes[1].end.raw(), 0x90400u);
    auto v0 = init(s, 0);
    expect_run(v0, 0x80000, 0x80000, 0x80400, ZoneType::DMA32, 0);
    auto v1 = init(s, 1);
    expect_run(v1, 0x90000, 0x90000, 0x90400, ZoneType::DMA32, 1);
}

TEST(MemMap, PaddingTakesLowestAndHighestZoneOfTheNode) {
    // [0xfff80, 0x100080): DMA32 then Normal; padding below is DMA32,
    // padding above Normal.
    Fixture s;
    setup(s, {{0xfff80, 0x100, 0}}, 1);
    EXPECT_EQ(s.maps.nodes[0].start.raw(), 0xffc00u);
    EXPECT_EQ(s.maps.nodes[0].end.raw(), 0x100400u);
    auto v = init(s, 0);
    expect_run(v, 0xffc00, 0xffc00, 0x100000, ZoneType::DMA32, 0);
    expect_run(v, 0xffc00, 0x100000, 0x100400, ZoneType::Normal, 0);
}

TEST(MemMap, InterleavedNodesAreRefused) {
    Memblock mb;
    ASSERT_TRUE(mb.add(PhysRange{Pfn(0x80000).to_phys(), 0x10000ull << 12}, 0).ok());
    ASSERT_TRUE(mb.add(PhysRange{Pfn(0x90000).to_phys(), 0x10000ull << 12}, 1).ok());
    ASSERT_TRUE(mb.add(PhysRange{Pfn(0xa0000).to_phys(), 0x10000ull << 12}, 0).ok());
    ZoneLayout z;
    ASSERT_TRUE(size_zones(mb.memory(), 2, {}, {}, z).ok());
    MemMapLayout maps;
    EXPECT_EQ(plan_memmap(z, maps).error(), Error::InvalidArgument);
}

TEST(MemMap, MemorylessNodeHasNoArray) {
    Fixture s;
    setup(s, {{0x80000, 0x400, 0}, {0x100000, 0x400, 2}}, 3);
    EXPECT_TRUE(s.maps.nodes[1].empty());
    MemMapSegment segs[MAX_MEMMAP_SEGMENTS];
    EXPECT_EQ(memmap_segments(s.zones, s.maps, 1, segs), 0u);
    EXPECT_EQ(memmap_segments(s.zones, s.maps, 7, segs), 0u);
}

TEST(MemMap, NodesOutOfAddressOrder) {
    // Node 0 lies above node 1: arrays are placed in address order.
    Fixture s;
    setup(s, {{0x90100, 0x100, 0}, {0x80000, 0x10100, 1}}, 2);
    EXPECT_EQ(s.maps.nodes[1].start.raw(), 0x80000u);
    EXPECT_EQ(s.maps.nodes[1].end.raw(), 0x90400u);
    EXPECT_EQ(s.maps.nodes[0].start.raw(), 0x90400u);
    EXPECT_TRUE(s.maps.nodes[0].empty());
    auto v1 = init(s, 1);
    expect_run(v1, 0x80000, 0x80000, 0x90100, ZoneType::DMA32, 1);
    expect_run(v1, 0x80000, 0x90100, 0x90400, ZoneType::DMA32, 0);
}

TEST(MemMap, AllocReservesPageAlignedMemoryOnTheNode) {
    Fixture s;
    setup(s, {{0x80000, 0x4000, 0}, {0x84000, 0x4000, 1}}, 2);
    auto a = alloc_node_mem_map(s.mb, s.maps, 0);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw() % PAGE_SIZE, 0u);
    EXPECT_LT(a->raw(), Pfn(0x84000).to_phys().raw());  // on node 0 although node 1 is higher
    EXPECT_TRUE(s.mb.is_region_reserved(PhysRange{*a, s.maps.nodes[0].bytes()}));
    auto b = alloc_node_mem_map(s.mb, s.maps, 1);
    ASSERT_TRUE(b.ok());
    EXPECT_GE(b->raw(), Pfn(0x84000).to_phys().raw());
    EXPECT_EQ(alloc_node_mem_map(s.mb, s.maps, MAX_NUMNODES).error(), Error::InvalidArgument);
}

TEST(MemMap, AllocWithoutRoomIsNoMemory) {
    Fixture s;
    setup(s, {{0x80000, 0x400, 0}}, 1);
    ASSERT_TRUE(s.mb.reserve(PhysRange{Pfn(0x80000).to_phys(), 0x3faull << 12}).ok());
    EXPECT_EQ(alloc_node_mem_map(s.mb, s.maps, 0).error(), Error::NoMemory);  // needs 8 pages, 6 are free
}

}  // namespace
}  // namespace mm
