// Host tests of libs/bootmem/mm_init.h, in its order: kernelcore= and
// movablecore= values and node and zone sizing, mem_map, the boot log.
#include "bootmem/mm_init.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

namespace mm {
namespace {

constexpr uint64_t GiB = uint64_t(1) << 30, MiB = uint64_t(1) << 20;

// A bank of RAM in bytes, on node `nid`.
struct Bank {
    uint64_t base, size;
    unsigned nid;
};

// ==== Node and zone sizing ===================================================
// kernelcore=/movablecore= value parsing (cmdline_parse_core semantics,
// stricter about trailing characters), then zone and node sizing against
// values worked out by hand with Linux's algorithm (free_area_init,
// find_zone_movable_pfns_for_nodes, zone_spanned_pages_in_node,
// zone_absent_pages_in_node).
//
// Units: frames of 4 KiB. MAX_ORDER_NR_PAGES = 1024 = 0x400.
// DMA32 ends at pfn 0x100000 (4 GiB). 1 GiB = 0x40000 = 262144 pages.

constexpr unsigned D = 0, N = 1, M = 2;  // zone indices

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

// L1: QEMU virt -m 1G. pfn [0x80000, 0xc0000) = 262144 pages.
// DMA32 = [0x80000, min(0x100000, 0xc0000)) ; Normal = [0xc0000, 0xc0000) empty.
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

// ==== mem_map ================================================================
// mem_map geometry (alloc_node_mem_map) and initial contents
// (free_area_init_core / memmap_init).

// A bank of RAM in frames, on node `nid`.
struct FrameBank {
    uint64_t base_pfn, pages;
    unsigned nid;
};

struct Fixture {
    Memblock mb;
    ZoneLayout zones;
    MemMapLayout maps;
};

// Sizes zones for banks given in frames; plans the maps.
void setup(Fixture& s, std::initializer_list<FrameBank> banks, unsigned nr_nodes,
           CoreSetting kc = CoreSetting::none()) {
    for (const FrameBank& b : banks)
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
        ASSERT_EQ(p.owner_next, 0u);
        ASSERT_EQ(p.owner_prev, 0u);
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

// ==== The boot log ===========================================================
// The boot log's exact text, compared with what Linux prints.

void append(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

struct Layout {
    Memblock mb;
    ZoneLayout zones;
};

void build(Layout& l, std::initializer_list<Bank> banks, unsigned nodes, CoreSetting kc = CoreSetting::none(),
           CoreSetting mc = CoreSetting::none()) {
    for (const Bank& b : banks) ASSERT_TRUE(l.mb.add(PhysRange{PhysAddr(b.base), b.size}, b.nid).ok());
    ASSERT_TRUE(size_zones(l.mb.memory(), nodes, kc, mc, l.zones).ok());
}

std::string free_area_init_text(const Layout& l) {
    std::string out;
    print_free_area_init(TextSink{append, &out}, l.zones, l.mb.memory());
    return out;
}

// QEMU virt -m 1G as Linux 5.x/6.x on riscv prints it; the memmap line
// differs only by the descriptor size (32 bytes: 262144 * 32 / 4096).
TEST(MemLog, Qemu1GiBMatchesLinux) {
    Layout l;
    build(l, {{0x80000000, GiB, 0}}, 1);
    EXPECT_EQ(free_area_init_text(l),
              "Zone ranges:\n"
              "  DMA32    [mem 0x0000000080000000-0x00000000bfffffff]\n"
              "  Normal   empty\n"
              "Movable zone start for each node\n"
              "Early memory node ranges\n"
              "  node   0: [mem 0x0000000080000000-0x00000000bfffffff]\n"
              "Initmem setup node 0 [mem 0x0000000080000000-0x00000000bfffffff]\n"
              "On node 0 totalpages: 262144\n"
              "  DMA32 zone: 2048 pages used for memmap\n"
              "  DMA32 zone: 0 pages reserved\n"
              "  DMA32 zone: 262144 pages, LIFO batch:63\n");
}

TEST(MemLog, OpenSbiHoleShowsInEarlyRanges) {
    Layout l;
    build(l, {{0x80000000, 0x80000, 0}, {0x80200000, GiB - 0x200000, 0}}, 1);
    std::string out;
    print_zone_ranges(TextSink{append, &out}, l.zones, l.mb.memory());
    EXPECT_EQ(out,
              "Zone ranges:\n"
              "  DMA32    [mem 0x0000000080000000-0x00000000bfffffff]\n"
              "  Normal   empty\n"
              "Movable zone start for each node\n"
              "Early memory node ranges\n"
              "  node   0: [mem 0x0000000080000000-0x000000008007ffff]\n"
              "  node   0: [mem 0x0000000080200000-0x00000000bfffffff]\n");
}

// Two nodes, kernelcore=1G (layout L23 of the sizing tests).
TEST(MemLog, TwoNodesWithMovable) {
    Layout l;
    build(l, {{0x80000000, 3 * GiB, 0}, {0x140000000, GiB, 1}}, 2, CoreSetting::pages(262144));
    EXPECT_EQ(free_area_init_text(l),
              "Zone ranges:\n"
              "  DMA32    [mem 0x0000000080000000-0x00000000ffffffff]\n"
              "  Normal   [mem 0x0000000100000000-0x000000017fffffff]\n"
              "Movable zone start for each node\n"
              "  Node 0: 0x0000000100000000\n"
              "  Node 1: 0x0000000140000000\n"
              "Early memory node ranges\n"
              "  node   0: [mem 0x0000000080000000-0x000000013fffffff]\n"
              "  node   1: [mem 0x0000000140000000-0x000000017fffffff]\n"
              "Initmem setup node 0 [mem 0x0000000080000000-0x000000013fffffff]\n"
              "On node 0 totalpages: 786432\n"
              "  DMA32 zone: 4096 pages used for memmap\n"
              "  DMA32 zone: 0 pages reserved\n"
              "  DMA32 zone: 524288 pages, LIFO batch:63\n"
              "  Movable zone: 2048 pages used for memmap\n"
              "  Movable zone: 262144 pages, LIFO batch:63\n"
              "Initmem setup node 1 [mem 0x0000000140000000-0x000000017fffffff]\n"
              "On node 1 totalpages: 262144\n"
              "  Movable zone: 2048 pages used for memmap\n"
              "  Movable zone: 262144 pages, LIFO batch:63\n");
}

TEST(MemLog, MemorylessNode) {
    Layout l;
    build(l, {{0x80000000, 16 * MiB, 0}}, 2);
    std::string out;
    print_node_setup(TextSink{append, &out}, l.zones, 1);
    EXPECT_EQ(out, "Initmem setup node 1 as memoryless\nOn node 1 totalpages: 0\n");
}

TEST(MemLog, TinyZoneAndMemoryAtZero) {
    Layout l;
    build(l, {{0, 16 * MiB, 0}}, 1);
    std::string out;
    print_node_setup(TextSink{append, &out}, l.zones, 0);
    // 4096 pages: memmap 32 pages; batch of 4064 managed pages is 0.
    EXPECT_EQ(out,
              "Initmem setup node 0 [mem 0x0000000000000000-0x0000000000ffffff]\n"
              "On node 0 totalpages: 4096\n"
              "  DMA32 zone: 32 pages used for memmap\n"
              "  DMA32 zone: 0 pages reserved\n"
              "  DMA32 zone: 4096 pages, LIFO batch:0\n");
}

TEST(MemLog, MemmapLargerThanPresentPages) {
    // Two pages at either end of DMA32: it spans 524288 frames.
    Layout l;
    build(l, {{0x80000000, 0x1000, 0}, {0xfffff000, 0x1000, 0}}, 1);
    std::string out;
    print_node_setup(TextSink{append, &out}, l.zones, 0);
    EXPECT_EQ(out,
              "Initmem setup node 0 [mem 0x0000000080000000-0x00000000ffffffff]\n"
              "On node 0 totalpages: 2\n"
              "  DMA32 zone: 4096 pages exceeds freesize 2\n"
              "  DMA32 zone: 0 pages reserved\n"
              "  DMA32 zone: 2 pages, LIFO batch:0\n");
}

// zone_batchsize against batches from real Linux 5.x logs (with their
// 56-byte struct page): present - memmap = managed pages.
TEST(MemLog, BatchSizeMatchesLinuxLogs) {
    EXPECT_EQ(zone_batchsize(262144 - 3584), 63u);
    EXPECT_EQ(zone_batchsize(65024 - 889), 15u);
    EXPECT_EQ(zone_batchsize(16384 - 224), 3u);
    EXPECT_EQ(zone_batchsize(0), 0u);
    EXPECT_EQ(zone_memmap_pages(262144), 2048u);
    EXPECT_EQ(zone_memmap_pages(1), 1u);
    EXPECT_EQ(zone_memmap_pages(0), 0u);
}

TEST(MemLog, MemInitLineMatchesLinuxFormat) {
    // A Linux 6.x riscv boot printed:
    // Memory: 6004K/8192K available (1139K kernel code, 126K rwdata, 198K
    // rodata, 90K init, 81K bss, 2188K reserved, 0K cma-reserved)
    MemInitInfo info;
    info.phys_pages = 2048;
    info.free_pages = 1501;
    info.totalram_pages = 2048 - 547;
    info.code_bytes = 1139 * 1024 + 1000;
    info.rwdata_bytes = 126 * 1024;
    info.rodata_bytes = 198 * 1024 + 1;
    info.init_bytes = 90 * 1024;
    info.bss_bytes = 81 * 1024 + 1023;
    std::string out;
    print_mem_init_info(TextSink{append, &out}, info);
    EXPECT_EQ(out,
              "Memory: 6004K/8192K available (1139K kernel code, 126K rwdata, 198K rodata, "
              "90K init, 81K bss, 2188K reserved, 0K cma-reserved)\n");
}

TEST(MemLog, Warnings) {
    Layout big;
    build(big, {{0x80000000, GiB, 0}}, 1, CoreSetting::percent(150), CoreSetting::pages(1));
    std::string out;
    print_zone_warnings(TextSink{append, &out}, big.zones);
    EXPECT_EQ(out,
              "kernelcore/movablecore: percentage above 100, taken as all memory\n"
              "kernelcore= and movablecore= both given: using the larger kernelcore "
              "(393216 pages)\n"
              "kernelcore=393216 pages is not below total memory (262144 pages): "
              "no ZONE_MOVABLE\n");
    Layout mc;
    build(mc, {{0x80000000, GiB, 0}}, 1, {}, CoreSetting::pages(1 << 20));
    out.clear();
    print_zone_warnings(TextSink{append, &out}, mc.zones);
    EXPECT_EQ(out, "movablecore= covers all memory (262144 pages): kernelcore is 0 pages\n");
    Layout empty;
    build(empty, {{0x100000000, 1026 * 4096, 0}}, 1, CoreSetting::pages(1025));
    out.clear();
    print_zone_warnings(TextSink{append, &out}, empty.zones);
    EXPECT_EQ(out, "ZONE_MOVABLE requested but no node has room for it after alignment\n");
    Layout none;
    build(none, {{0x80000000, GiB, 0}}, 1);
    out.clear();
    print_zone_warnings(TextSink{append, &out}, none.zones);
    EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace mm
