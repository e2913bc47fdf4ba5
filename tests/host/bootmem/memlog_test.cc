// The boot log's exact text, compared with what Linux prints.
#include "bootmem/memlog.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace mm {
namespace {

constexpr uint64_t GiB = uint64_t(1) << 30, MiB = uint64_t(1) << 20;

void append(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

struct Bank {
    uint64_t base, size;
    unsigned nid;
};

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
