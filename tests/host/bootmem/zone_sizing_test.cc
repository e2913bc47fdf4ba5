// kernelcore=/movablecore= value parsing (cmdline_parse_core semantics,
// stricter about trailing characters), then zone and node sizing against
// values worked out by hand with Linux's algorithm (free_area_init,
// find_zone_movable_pfns_for_nodes, zone_spanned_pages_in_node,
// zone_absent_pages_in_node).
//
// Units: frames of 4 KiB. MAX_ORDER_NR_PAGES = 1024 = 0x400.
// DMA32 ends at pfn 0x100000 (4 GiB). 1 GiB = 0x40000 = 262144 pages.
#include "bootmem/zone_sizing.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace mm {
namespace {

constexpr uint64_t GiB = uint64_t(1) << 30, MiB = uint64_t(1) << 20;
constexpr unsigned D = 0, N = 1, M = 2;  // zone indices

struct Bank {
    uint64_t base, size;
    unsigned nid;
};

Memblock make(std::initializer_list<Bank> banks) {
    Memblock mb;
    for (const Bank& b : banks) EXPECT_TRUE(mb.add(PhysRange{PhysAddr(b.base), b.size}, b.nid).ok());
    return mb;
}

ZoneLayout size(std::initializer_list<Bank> banks, unsigned nr_nodes, CoreSetting kc = CoreSetting::none(),
                CoreSetting mc = CoreSetting::none()) {
    Memblock mb = make(banks);
    ZoneLayout z;
    EXPECT_TRUE(size_zones(mb.memory(), nr_nodes, kc, mc, z).ok());
    return z;
}

#define EXPECT_ZONE(layout, nid, zone, start_pfn, spanned_pages, present_pages)                    \
    do {                                                                                           \
        const ZoneSpan& zs_ = (layout).nodes[nid].zones[(zone)];                                   \
        EXPECT_EQ(zs_.start.raw(), uint64_t(start_pfn)) << "node " << (nid) << " zone " << (zone); \
        EXPECT_EQ(zs_.spanned, uint64_t(spanned_pages)) << "node " << (nid) << " zone " << (zone); \
        EXPECT_EQ(zs_.present, uint64_t(present_pages)) << "node " << (nid) << " zone " << (zone); \
    } while (0)

#define EXPECT_NODE(layout, nid, start_pfn, end_pfn, spanned_pages, present_pages) \
    do {                                                                           \
        EXPECT_EQ((layout).nodes[nid].start.raw(), uint64_t(start_pfn));           \
        EXPECT_EQ((layout).nodes[nid].end.raw(), uint64_t(end_pfn));               \
        EXPECT_EQ((layout).nodes[nid].spanned, uint64_t(spanned_pages));           \
        EXPECT_EQ((layout).nodes[nid].present, uint64_t(present_pages));           \
    } while (0)

void expect_bounds(const ZoneLayout& z, uint64_t dlo, uint64_t dhi, uint64_t nlo, uint64_t nhi) {
    EXPECT_EQ(z.zone_lowest[D].raw(), dlo);
    EXPECT_EQ(z.zone_highest[D].raw(), dhi);
    EXPECT_EQ(z.zone_lowest[N].raw(), nlo);
    EXPECT_EQ(z.zone_highest[N].raw(), nhi);
    EXPECT_EQ(z.zone_lowest[M].raw(), 0u);
    EXPECT_EQ(z.zone_highest[M].raw(), 0u);
}

// L1: QEMU virt -m 1G. pfn [0x80000, 0xc0000) = 262144 pages.
// DMA32 = [0x80000, min(0x100000, 0xc0000)) ; Normal = [0xc0000, 0xc0000) empty.
// --- kernelcore= and movablecore= values -------------------------------------

CoreSetting ok(const char* s) {
    auto r = parse_core_setting(s);
    EXPECT_TRUE(r.ok()) << s;
    return r.ok() ? *r : CoreSetting{};
}

TEST(CoreSetting, Sizes) {
    EXPECT_EQ(ok("512M"), CoreSetting::pages(131072));
    EXPECT_EQ(ok("1G"), CoreSetting::pages(262144));
    EXPECT_EQ(ok("1g"), CoreSetting::pages(262144));
    EXPECT_EQ(ok("2T"), CoreSetting::pages(uint64_t(2) << 28));
    EXPECT_EQ(ok("64K"), CoreSetting::pages(16));
    EXPECT_EQ(ok("0x10000000"), CoreSetting::pages(65536));
}

TEST(CoreSetting, PlainBytesRoundDownToPages) {
    EXPECT_EQ(ok("123456"), CoreSetting::pages(30));  // 30.14 pages
    EXPECT_EQ(ok("4095"), CoreSetting::pages(0));
    EXPECT_EQ(ok("0"), CoreSetting::pages(0));
}

TEST(CoreSetting, Percent) {
    EXPECT_EQ(ok("25%"), CoreSetting::percent(25));
    EXPECT_EQ(ok("0%"), CoreSetting::percent(0));
    EXPECT_EQ(ok("100%"), CoreSetting::percent(100));
    // Above 100 is accepted, as Linux accepts it with a warning.
    EXPECT_EQ(ok("250%"), CoreSetting::percent(250));
}

TEST(CoreSetting, Malformed) {
    for (const char* s : {"", "abc", "%", "M", "12X", "1G5", "1GG", "25%%", "25%x", "1G%", "-5", " 5", "5 ",
                          "0x", "1.5G", "08"}) {
        auto r = parse_core_setting(s);
        EXPECT_EQ(r.error(), Error::InvalidArgument) << "'" << s << "'";
    }
    EXPECT_EQ(parse_core_setting(static_cast<const char*>(nullptr)).error(), Error::InvalidArgument);
    EXPECT_EQ(parse_core_setting(StrView{}).error(), Error::InvalidArgument);
}

TEST(CoreSetting, Overflow) {
    EXPECT_EQ(parse_core_setting("18446744073709551616").error(), Error::OutOfRange);
    EXPECT_EQ(parse_core_setting("16E").error(), Error::OutOfRange);
    EXPECT_EQ(parse_core_setting("99999999999999999999%").error(), Error::OutOfRange);
    EXPECT_EQ(ok("15E"), CoreSetting::pages((uint64_t(15) << 60) >> 12));
}

TEST(CoreSetting, MirrorIsUnsupported) {
    EXPECT_EQ(parse_core_setting("mirror").error(), Error::Unsupported);
}

TEST(CoreSetting, ViewIsNotNulTerminated) {
    const char text[] = "512Mjunk";
    EXPECT_EQ(*parse_core_setting(StrView{text, 4}), CoreSetting::pages(131072));
    EXPECT_EQ(parse_core_setting(StrView{text, 5}).error(), Error::InvalidArgument);
}

// --- Layouts worked out by hand ----------------------------------------------

TEST(ZoneSizing, L01_Qemu1GiB) {
    ZoneLayout z = size({{0x80000000, GiB, 0}}, 1);
    expect_bounds(z, 0x80000, 0xc0000, 0xc0000, 0xc0000);
    EXPECT_EQ(z.total_pages, 262144u);
    EXPECT_EQ(z.movable_zone, ZoneType::DMA32);
    EXPECT_TRUE(z.zone_empty(ZoneType::Normal));
    EXPECT_NODE(z, 0, 0x80000, 0xc0000, 262144, 262144);
    EXPECT_ZONE(z, 0, D, 0x80000, 262144, 262144);
    EXPECT_ZONE(z, 0, N, 0, 0, 0);
    EXPECT_ZONE(z, 0, M, 0, 0, 0);
    EXPECT_EQ(z.warnings, 0u);
}

// L2: 1 GiB with OpenSBI's no-map 512 KiB removed: memory starts at pfn
// 0x80080; DMA32 starts there too. 262144 - 128 = 262016 pages.
TEST(ZoneSizing, L02_OpenSbiHoleRemoved) {
    Memblock mb = make({{0x80000000, GiB, 0}});
    ASSERT_TRUE(mb.remove(PhysRange{PhysAddr(0x80000000), 0x80000}).ok());
    ZoneLayout z;
    ASSERT_TRUE(size_zones(mb.memory(), 1, {}, {}, z).ok());
    expect_bounds(z, 0x80080, 0xc0000, 0xc0000, 0xc0000);
    EXPECT_NODE(z, 0, 0x80080, 0xc0000, 262016, 262016);
    EXPECT_ZONE(z, 0, D, 0x80080, 262016, 262016);
}

// L3: 8 GiB from 2 GiB crosses 4 GiB: pfn [0x80000, 0x280000).
// DMA32 [0x80000, 0x100000) = 524288; Normal [0x100000, 0x280000) = 1572864.
TEST(ZoneSizing, L03_EightGiBCrossing4GiB) {
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1);
    expect_bounds(z, 0x80000, 0x100000, 0x100000, 0x280000);
    EXPECT_EQ(z.movable_zone, ZoneType::Normal);
    EXPECT_NODE(z, 0, 0x80000, 0x280000, 2097152, 2097152);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0x100000, 1572864, 1572864);
}

// L4: two 512 MiB banks with a hole: [0x80000, 0xa0000) and [0x100000, 0x120000).
// DMA32 spans [0x80000, 0x100000) = 524288 but only 131072 are present;
// Normal [0x100000, 0x120000) = 131072, all present.
TEST(ZoneSizing, L04_HoleInDma32) {
    ZoneLayout z = size({{0x80000000, 512 * MiB, 0}, {0x100000000, 512 * MiB, 0}}, 1);
    expect_bounds(z, 0x80000, 0x100000, 0x100000, 0x120000);
    EXPECT_NODE(z, 0, 0x80000, 0x120000, 655360, 262144);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 131072);
    EXPECT_ZONE(z, 0, N, 0x100000, 131072, 131072);
}

// L5: one bank [3 GiB, 5 GiB) is split at 4 GiB: 262144 pages each side.
TEST(ZoneSizing, L05_BankCrossing4GiBSplit) {
    ZoneLayout z = size({{0xc0000000, 2 * GiB, 0}}, 1);
    expect_bounds(z, 0xc0000, 0x100000, 0x100000, 0x140000);
    EXPECT_ZONE(z, 0, D, 0xc0000, 262144, 262144);
    EXPECT_ZONE(z, 0, N, 0x100000, 262144, 262144);
}

// L6: tiny RAM, 16 MiB = 4096 pages, all DMA32.
TEST(ZoneSizing, L06_Tiny16MiB) {
    ZoneLayout z = size({{0x80000000, 16 * MiB, 0}}, 1);
    expect_bounds(z, 0x80000, 0x81000, 0x81000, 0x81000);
    EXPECT_NODE(z, 0, 0x80000, 0x81000, 4096, 4096);
    EXPECT_ZONE(z, 0, D, 0x80000, 4096, 4096);
}

// L7: huge RAM, 1 TiB from 2 GiB: pfn [0x80000, 0x10080000).
// DMA32 524288; Normal 0x10080000 - 0x100000 = 267911168.
TEST(ZoneSizing, L07_OneTiB) {
    ZoneLayout z = size({{0x80000000, 1024 * GiB, 0}}, 1);
    expect_bounds(z, 0x80000, 0x100000, 0x100000, 0x10080000);
    EXPECT_EQ(z.total_pages, 268435456u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0x100000, 267911168, 267911168);
}

// L8: two equal 4 GiB nodes. Node 0 [0x80000, 0x180000) crosses 4 GiB;
// node 1 [0x180000, 0x280000) is all Normal. For node 1, DMA32 clamps to
// [0x100000, 0x100000), which ends before the node: 0 pages.
TEST(ZoneSizing, L08_TwoEqualNodes) {
    ZoneLayout z = size({{0x80000000, 4 * GiB, 0}, {0x180000000, 4 * GiB, 1}}, 2);
    EXPECT_NODE(z, 0, 0x80000, 0x180000, 1048576, 1048576);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0x100000, 524288, 524288);
    EXPECT_NODE(z, 1, 0x180000, 0x280000, 1048576, 1048576);
    EXPECT_ZONE(z, 1, D, 0, 0, 0);
    EXPECT_ZONE(z, 1, N, 0x180000, 1048576, 1048576);
}

// L9: kernelcore=1G on L3 (total 2097152, movable_zone Normal, usable start
// 0x100000). One node: kernelcore_node = 262144. The range starts below
// 0x100000: kernel_pages = 524288 >= 262144, so remaining and required both
// reach 0; start moves to 0x100000, size_pages = 0, zone_movable_pfn =
// 0x100000 (aligned, below the end). Normal is wholly movable.
TEST(ZoneSizing, L09_KernelcoreSmallerThanDma32) {
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, CoreSetting::pages(262144));
    EXPECT_EQ(z.required_kernelcore, 262144u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x100000u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0, 0, 0);
    EXPECT_ZONE(z, 0, M, 0x100000, 1572864, 1572864);
    EXPECT_EQ(z.warnings, 0u);
}

// L10: kernelcore=4G (1048576) on L3: 524288 below 4 GiB counts first,
// then 524288 more from 0x100000: zone_movable_pfn = 0x180000.
TEST(ZoneSizing, L10_KernelcoreBytes) {
    auto kc = parse_core_setting("4G");
    ASSERT_TRUE(kc.ok());
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, *kc);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x180000u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0x100000, 524288, 524288);
    EXPECT_ZONE(z, 0, M, 0x180000, 1048576, 1048576);
    EXPECT_NODE(z, 0, 0x80000, 0x280000, 2097152, 2097152);
}

// L11: movablecore=2G on L3: 524288 (already 1024-aligned) -> kernelcore =
// 2097152 - 524288 = 1572864; after the 524288 DMA32 pages, 1048576 more:
// zone_movable_pfn = 0x100000 + 0x100000 = 0x200000.
TEST(ZoneSizing, L11_MovablecoreBytes) {
    auto mc = parse_core_setting("2G");
    ASSERT_TRUE(mc.ok());
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, {}, *mc);
    EXPECT_EQ(z.required_movablecore, 524288u);
    EXPECT_EQ(z.required_kernelcore, 1572864u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x200000u);
    EXPECT_ZONE(z, 0, N, 0x100000, 1048576, 1048576);
    EXPECT_ZONE(z, 0, M, 0x200000, 524288, 524288);
}

// L12: movablecore=1001M = 256256 pages rounds up to 257024 (251 * 1024),
// so kernelcore = 2097152 - 257024 = 1840128; 1315840 of it above 4 GiB:
// zone_movable_pfn = 0x100000 + 1315840 = 0x241400 (aligned). ZONE_MOVABLE
// gets 257024 pages, at least the 256256 asked for.
TEST(ZoneSizing, L12_MovablecoreRoundsUp) {
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, {}, CoreSetting::pages(256256));
    EXPECT_EQ(z.required_movablecore, 257024u);
    EXPECT_EQ(z.required_kernelcore, 1840128u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x241400u);
    EXPECT_ZONE(z, 0, N, 0x100000, 1315840, 1315840);
    EXPECT_ZONE(z, 0, M, 0x241400, 257024, 257024);
}

// L13: kernelcore=40% of 2097152 = 838860 (rounded down). 314572 above
// 4 GiB -> 0x100000 + 314572 = 0x14cccc, rounded up to 1024: 0x14d000.
// Normal 0x4d000 = 315392; Movable 0x280000 - 0x14d000 = 1257472.
TEST(ZoneSizing, L13_KernelcorePercent) {
    auto kc = parse_core_setting("40%");
    ASSERT_TRUE(kc.ok());
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, *kc);
    EXPECT_EQ(z.required_kernelcore, 838860u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x14d000u);
    EXPECT_ZONE(z, 0, N, 0x100000, 315392, 315392);
    EXPECT_ZONE(z, 0, M, 0x14d000, 1257472, 1257472);
}

// L14: movablecore=50% -> 1048576 (aligned) -> kernelcore 1048576, as L10.
TEST(ZoneSizing, L14_MovablecorePercent) {
    ZoneLayout z = size({{0x80000000, 8 * GiB, 0}}, 1, {}, CoreSetting::percent(50));
    EXPECT_EQ(z.required_movablecore, 1048576u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x180000u);
    EXPECT_ZONE(z, 0, M, 0x180000, 1048576, 1048576);
}

// L15: both given: kernelcore=4G (1048576), movablecore=1G (262144 ->
// corepages 1835008). The larger kernelcore wins: 1835008, of which
// 1310720 above 4 GiB -> zone_movable_pfn 0x240000.
TEST(ZoneSizing, L15_BothGivenLargerKernelcoreWins) {
    ZoneLayout z =
        size({{0x80000000, 8 * GiB, 0}}, 1, CoreSetting::pages(1048576), CoreSetting::pages(262144));
    EXPECT_EQ(z.required_kernelcore, 1835008u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x240000u);
    EXPECT_ZONE(z, 0, M, 0x240000, 262144, 262144);
    EXPECT_EQ(z.warnings, uint32_t(ZW_BOTH_GIVEN));
}

// L16: two unequal nodes, kernelcore=2G (524288). Node 0 [0x80000,
// 0x100000) is all below the usable start 0x100000; node 1 [0x100000,
// 0x280000). kernelcore_node = 262144. Node 0: kernel_pages 524288 takes
// remaining to 0 and required to 0 (min(524288, 524288)); the range ends
// at 0x100000 so zone_movable_pfn[0] = 0x100000. Node 1: required (0) <
// kernelcore_node, so kernelcore_node = 0; size_pages 0 ->
// zone_movable_pfn[1] = 0x100000. Alignment: node 0's 0x100000 >= its end,
// dropped; node 1 keeps 0x100000: all of node 1 is movable.
TEST(ZoneSizing, L16_TwoNodesLowMemoryCountsAsKernelcore) {
    ZoneLayout z = size({{0x80000000, 2 * GiB, 0}, {0x100000000, 6 * GiB, 1}}, 2, CoreSetting::pages(524288));
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x100000u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, M, 0, 0, 0);
    EXPECT_ZONE(z, 1, N, 0, 0, 0);
    EXPECT_ZONE(z, 1, M, 0x100000, 1572864, 1572864);
}

// L17: three nodes above 4 GiB, node 0 small, kernelcore=3G (786432).
// DMA32 is empty ([0x100000, 0x100000)), movable_zone Normal.
// Pass 1 (3 nodes, 262144 each): node 0 has only 131072 -> movable[0] =
// 0x120000, required 655360; node 1 -> 0x160000, required 393216; node 2
// -> 0x260000, required 131072. 131072 > 2 nodes: restart with 65536 each.
// Pass 2: node 0 has nothing left; node 1 -> 0x170000 (required 65536);
// node 2 -> 0x270000 (required 0). Node 0's 0x120000 is its end: dropped.
TEST(ZoneSizing, L17_ThreeNodesRestartWithFewerNodes) {
    ZoneLayout z = size({{0x100000000, 512 * MiB, 0}, {0x120000000, 4 * GiB, 1}, {0x220000000, 4 * GiB, 2}},
                        3, CoreSetting::pages(786432));
    expect_bounds(z, 0x100000, 0x100000, 0x100000, 0x320000);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x170000u);
    EXPECT_EQ(z.zone_movable_pfn[2].raw(), 0x270000u);
    EXPECT_ZONE(z, 0, N, 0x100000, 131072, 131072);
    EXPECT_ZONE(z, 0, M, 0, 0, 0);
    EXPECT_ZONE(z, 1, N, 0x120000, 327680, 327680);
    EXPECT_ZONE(z, 1, M, 0x170000, 720896, 720896);
    EXPECT_ZONE(z, 2, N, 0x220000, 327680, 327680);
    EXPECT_ZONE(z, 2, M, 0x270000, 720896, 720896);
}

// L18: four unequal nodes with a hole, movablecore=50%.
//   node 0 [0x80000, 0x100000)                        524288
//   node 1 [0x100000, 0x140000) + [0x180000, 0x1c0000) 524288 (hole 262144)
//   node 2 [0x200000, 0x2c0000)                       786432
//   node 3 [0x300000, 0x33e800)  (1000 MiB)           256000
// total 2091008; 50% = 1045504 = 1021 * 1024 -> kernelcore 1045504.
// Pass 1 (4 nodes, 261376 each): node 0 all below 4 GiB -> required
// 521216, movable[0] = 0x100000; node 1 -> 0x13fd00, required 259840;
// node 2: required < 261376 so per-node = 259840 / 4 = 64960 -> 0x20fdc0,
// required 194880; node 3 -> 0x30fdc0, required 129920 > 3: restart.
// Pass 2 (3 nodes, 43306 each): node 0 nothing; node 1 takes 768 to
// 0x140000 then 42538 from 0x180000 -> 0x18a62a, required 86614; node 2
// -> 0x21a6ea, required 43308; node 3 -> 0x31a6ea, required 2; 2 > 2 is
// false: done. Rounded up: 0x18a800, 0x21a800, 0x31a800; node 0 dropped.
// Node 1 Normal [0x100000, 0x18a800) spans 567296 with the 262144 hole.
TEST(ZoneSizing, L18_FourUnequalNodesWithHoleMovablecorePercent) {
    ZoneLayout z = size({{0x80000000, 2 * GiB, 0},
                         {0x100000000, GiB, 1},
                         {0x180000000, GiB, 1},
                         {0x200000000, 3 * GiB, 2},
                         {0x300000000, 1000 * MiB, 3}},
                        4, {}, CoreSetting::percent(50));
    EXPECT_EQ(z.total_pages, 2091008u);
    EXPECT_EQ(z.required_kernelcore, 1045504u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x18a800u);
    EXPECT_EQ(z.zone_movable_pfn[2].raw(), 0x21a800u);
    EXPECT_EQ(z.zone_movable_pfn[3].raw(), 0x31a800u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0, 0, 0);
    EXPECT_ZONE(z, 1, D, 0, 0, 0);
    EXPECT_ZONE(z, 1, N, 0x100000, 567296, 305152);
    EXPECT_ZONE(z, 1, M, 0x18a800, 219136, 219136);
    EXPECT_NODE(z, 1, 0x100000, 0x1c0000, 786432, 524288);
    EXPECT_ZONE(z, 2, N, 0x200000, 108544, 108544);
    EXPECT_ZONE(z, 2, M, 0x21a800, 677888, 677888);
    EXPECT_ZONE(z, 3, N, 0x300000, 108544, 108544);
    EXPECT_ZONE(z, 3, M, 0x31a800, 147456, 147456);
}

// L19: kernelcore=2G on 1 GiB: 524288 >= 262144: no ZONE_MOVABLE, warned.
TEST(ZoneSizing, L19_KernelcoreLargerThanRam) {
    ZoneLayout z = size({{0x80000000, GiB, 0}}, 1, CoreSetting::pages(524288));
    for (unsigned n = 0; n < MAX_NUMNODES; n++) EXPECT_EQ(z.zone_movable_pfn[n].raw(), 0u);
    EXPECT_ZONE(z, 0, D, 0x80000, 262144, 262144);
    EXPECT_ZONE(z, 0, M, 0, 0, 0);
    EXPECT_EQ(z.warnings, uint32_t(ZW_KERNELCORE_TOO_LARGE));
}

// L20: movablecore=2G on 1 GiB: min(total, 524288) = total, corepages 0,
// kernelcore = max(0, 0) = 0: Linux then makes no ZONE_MOVABLE at all.
TEST(ZoneSizing, L20_MovablecoreLargerThanRam) {
    ZoneLayout z = size({{0x80000000, GiB, 0}}, 1, {}, CoreSetting::pages(524288));
    EXPECT_EQ(z.required_kernelcore, 0u);
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0u);
    EXPECT_ZONE(z, 0, M, 0, 0, 0);
    EXPECT_EQ(z.warnings, uint32_t(ZW_MOVABLECORE_TOO_LARGE));
}

// L21: percentages above 100 mean "all memory" for both settings.
TEST(ZoneSizing, L21_PercentOver100) {
    ZoneLayout k = size({{0x80000000, GiB, 0}}, 1, CoreSetting::percent(150));
    EXPECT_EQ(k.warnings, uint32_t(ZW_PERCENT_OVER_100 | ZW_KERNELCORE_TOO_LARGE));
    EXPECT_EQ(k.zone_movable_pfn[0].raw(), 0u);
    ZoneLayout m = size({{0x80000000, GiB, 0}}, 1, {}, CoreSetting::percent(1000000000000));
    EXPECT_EQ(m.warnings, uint32_t(ZW_PERCENT_OVER_100 | ZW_MOVABLECORE_TOO_LARGE));
    EXPECT_EQ(m.zone_movable_pfn[0].raw(), 0u);
    // Exactly 100% of kernelcore is all memory too.
    ZoneLayout h = size({{0x80000000, GiB, 0}}, 1, CoreSetting::percent(100));
    EXPECT_EQ(h.warnings, uint32_t(ZW_KERNELCORE_TOO_LARGE));
}

// L22: node 1 memoryless (a CPU-only node): start = end = 0, no zones.
TEST(ZoneSizing, L22_MemorylessNode) {
    ZoneLayout z = size({{0x80000000, GiB, 0}, {0x100000000, GiB, 2}}, 3);
    EXPECT_NODE(z, 1, 0, 0, 0, 0);
    for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) EXPECT_ZONE(z, 1, zi, 0, 0, 0);
    EXPECT_ZONE(z, 2, N, 0x100000, 262144, 262144);
    // DMA32 reaches up to 4 GiB because RAM goes beyond it.
    EXPECT_ZONE(z, 0, D, 0x80000, 262144, 262144);
    expect_bounds(z, 0x80000, 0x100000, 0x100000, 0x140000);
}

// L23: node 0 crosses 4 GiB, kernelcore=1G (262144) over two nodes.
// kernelcore_node 131072; node 0's DMA32 part (524288) satisfies it and
// all of required -> start 0x100000, size 0: movable[0] = 0x100000. Node
// 1: kernelcore_node becomes 0 -> movable[1] = 0x140000. Both below their
// node ends, both kept: node 0 Normal is empty, its upper GiB movable.
TEST(ZoneSizing, L23_NodeCrossing4GiBWithKernelcore) {
    ZoneLayout z = size({{0x80000000, 3 * GiB, 0}, {0x140000000, GiB, 1}}, 2, CoreSetting::pages(262144));
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x100000u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x140000u);
    EXPECT_ZONE(z, 0, D, 0x80000, 524288, 524288);
    EXPECT_ZONE(z, 0, N, 0, 0, 0);
    EXPECT_ZONE(z, 0, M, 0x100000, 262144, 262144);
    EXPECT_ZONE(z, 1, N, 0, 0, 0);
    EXPECT_ZONE(z, 1, M, 0x140000, 262144, 262144);
}

// L24: movable start rounded past the node end is dropped. Memory pfn
// [0x100000, 0x100402) (1026 pages, all Normal), kernelcore 1025 pages:
// movable = 0x100401 -> round up 0x100800 >= 0x100402 -> 0.
TEST(ZoneSizing, L24_MovableStartRoundedPastEndDropped) {
    ZoneLayout z = size({{0x100000000, 1026 * 4096, 0}}, 1, CoreSetting::pages(1025));
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0u);
    EXPECT_ZONE(z, 0, N, 0x100000, 1026, 1026);
    EXPECT_EQ(z.warnings, uint32_t(ZW_MOVABLE_EMPTY));
}

// L25: memory at physical address 0: DMA32 [0, 0x40000).
TEST(ZoneSizing, L25_MemoryAtZero) {
    ZoneLayout z = size({{0, GiB, 0}}, 1);
    expect_bounds(z, 0, 0x40000, 0x40000, 0x40000);
    EXPECT_NODE(z, 0, 0, 0x40000, 262144, 262144);
    EXPECT_ZONE(z, 0, D, 0, 262144, 262144);
}

// L26: partial pages: [0x80000800, 0x80003800) holds whole pages 0x80001
// and 0x80002 only. The zone boundary uses PHYS_PFN of the start (rounds
// down, 0x80000) and PFN_DOWN of the end (0x80003), as Linux does.
TEST(ZoneSizing, L26_PartialPagesAtEdges) {
    ZoneLayout z = size({{0x80000800, 0x3000, 0}}, 1);
    expect_bounds(z, 0x80000, 0x80003, 0x80003, 0x80003);
    EXPECT_EQ(z.total_pages, 2u);
    EXPECT_NODE(z, 0, 0x80001, 0x80003, 2, 2);
    EXPECT_ZONE(z, 0, D, 0x80001, 2, 2);
}

// L27: eight nodes of 512 MiB from 2 GiB: nodes 0-3 in DMA32, 4-7 Normal.
TEST(ZoneSizing, L27_EightNodes) {
    Memblock mb;
    for (unsigned n = 0; n < 8; n++)
        ASSERT_TRUE(mb.add(PhysRange{PhysAddr(0x80000000 + n * 512 * MiB), 512 * MiB}, n).ok());
    ZoneLayout z;
    ASSERT_TRUE(size_zones(mb.memory(), 8, {}, {}, z).ok());
    for (unsigned n = 0; n < 8; n++) {
        uint64_t start = 0x80000 + n * 0x20000;
        EXPECT_NODE(z, n, start, start + 0x20000, 131072, 131072);
        EXPECT_ZONE(z, n, n < 4 ? D : N, start, 131072, 131072);
        EXPECT_ZONE(z, n, n < 4 ? N : D, 0, 0, 0);
    }
}

// L28: kernelcore spread over two equal all-Normal nodes: 2 x 4 GiB above
// 4 GiB, kernelcore=2G -> 262144 per node; movable at start + 0x40000.
TEST(ZoneSizing, L28_KernelcoreSpreadEvenly) {
    ZoneLayout z =
        size({{0x100000000, 4 * GiB, 0}, {0x200000000, 4 * GiB, 1}}, 2, CoreSetting::pages(524288));
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x140000u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x240000u);
    EXPECT_ZONE(z, 0, N, 0x100000, 262144, 262144);
    EXPECT_ZONE(z, 0, M, 0x140000, 786432, 786432);
    EXPECT_ZONE(z, 1, N, 0x200000, 262144, 262144);
    EXPECT_ZONE(z, 1, M, 0x240000, 786432, 786432);
}

TEST(ZoneSizingErrors, BadNodeCounts) {
    Memblock mb = make({{0x80000000, GiB, 0}});
    ZoneLayout z;
    EXPECT_EQ(size_zones(mb.memory(), 0, {}, {}, z).error(), Error::InvalidArgument);
    EXPECT_EQ(size_zones(mb.memory(), MAX_NUMNODES + 1, {}, {}, z).error(), Error::InvalidArgument);
    Memblock two = make({{0x80000000, GiB, 0}, {0xc0000000, GiB, 1}});
    EXPECT_EQ(size_zones(two.memory(), 1, {}, {}, z).error(), Error::InvalidArgument);
    EXPECT_TRUE(size_zones(two.memory(), 2, {}, {}, z).ok());
}

TEST(ZoneSizingErrors, NoMemory) {
    Memblock empty;
    ZoneLayout z;
    EXPECT_EQ(size_zones(empty.memory(), 1, {}, {}, z).error(), Error::NoMemory);
    Memblock sub = make({{0x80000800, 0x800, 0}, {0x80001100, 0xe00, 0}});
    EXPECT_EQ(size_zones(sub.memory(), 1, {}, {}, z).error(), Error::NoMemory);
}

TEST(ZoneSizing, ZonelistsFollowDistanceAndPopulatedZones) {
    ZoneLayout z = size({{0x80000000, 4 * GiB, 0}, {0x180000000, 4 * GiB, 1}}, 2, CoreSetting::pages(786432));
    // kernelcore 786432 over two nodes: pass 1 leaves node 0 at 0x100000 and
    // node 1 at 0x1a0000 with 131072 unplaced; pass 2 moves node 0 to 0x120000.
    DistanceMatrix dist = {};
    dist[0][0] = dist[1][1] = 10;
    dist[0][1] = dist[1][0] = 20;
    Zonelist lists[MAX_NUMNODES];
    build_zonelists(z, dist, lists);
    auto ref = [](unsigned nid, ZoneType t) { return ZoneRef{uint8_t(nid), t}; };
    // Populated: node 0 DMA32 + Normal + Movable, node 1 Normal + Movable.
    EXPECT_EQ(z.zone_movable_pfn[0].raw(), 0x120000u);
    EXPECT_EQ(z.zone_movable_pfn[1].raw(), 0x1a0000u);
    ASSERT_EQ(lists[0].count, 5u);
    EXPECT_EQ(lists[0].refs[0], ref(0, ZoneType::Movable));
    EXPECT_EQ(lists[0].refs[1], ref(0, ZoneType::Normal));
    EXPECT_EQ(lists[0].refs[2], ref(0, ZoneType::DMA32));
    EXPECT_EQ(lists[0].refs[3], ref(1, ZoneType::Movable));
    EXPECT_EQ(lists[0].refs[4], ref(1, ZoneType::Normal));
    ASSERT_EQ(lists[1].count, 5u);
    EXPECT_EQ(lists[1].refs[0], ref(1, ZoneType::Movable));
    EXPECT_EQ(lists[1].refs[2], ref(0, ZoneType::Movable));
    EXPECT_EQ(lists[1].refs[4], ref(0, ZoneType::DMA32));
    EXPECT_EQ(lists[2].count, 0u);
}

}  // namespace
}  // namespace mm
