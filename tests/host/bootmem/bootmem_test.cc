// FDT memory description -> memblock, including bad layouts.
#include "bootmem/bootmem.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mm {
namespace {

constexpr uint64_t GiB = uint64_t(1) << 30;

// Shaped like fdt::MemoryBank and fdt::ReservedRange.
struct FdtBank {
    PhysRange range;
    unsigned node;
};
struct FdtReserved {
    PhysRange range;
    bool no_map;
    const char* name;
};
struct MemReserveEntry {  // no name member
    PhysRange range;
    bool no_map;
};

PhysRange R(uint64_t base, uint64_t size) { return PhysRange{PhysAddr(base), size}; }

struct Log {
    std::string text;
    TextSink sink() { return TextSink{append, &text}; }
    static void append(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }
};

struct Reg {
    uint64_t base, size;
    unsigned nid;
    bool operator==(const Reg&) const = default;
};
std::vector<Reg> memory(const Memblock& mb) {
    std::vector<Reg> v;
    for (const MemblockRegion& r : mb.memory()) v.push_back({r.base.raw(), r.size, r.nid});
    return v;
}

TEST(BootMem, QemuSingleBank) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}};
    auto rep = add_memory_banks(mb, banks, 1, 1, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(rep->nr_nodes, 1u);
    EXPECT_FALSE(rep->numa_disabled);
    EXPECT_EQ(rep->banks_ignored, 0u);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, GiB, 0}}));
    EXPECT_EQ(log.text, "");
}

TEST(BootMem, TwoNodesAndMemorylessNodes) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}, {R(0xc0000000, GiB), 1}};
    auto rep = add_memory_banks(mb, banks, 2, 4, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(rep->nr_nodes, 4u);  // nodes 2 and 3 have CPUs but no memory
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, GiB, 0}, {0xc0000000, GiB, 1}}));
    // A bank on a node beyond the hint raises the count.
    Memblock mb2;
    FdtBank more[] = {{R(0x80000000, GiB), 2}};
    auto rep2 = add_memory_banks(mb2, more, 1, 1, log.sink());
    ASSERT_TRUE(rep2.ok());
    EXPECT_EQ(rep2->nr_nodes, 3u);
    EXPECT_EQ(log.text, "");
}

TEST(BootMem, EmptyBankIgnored) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x40000000, 0), 0}, {R(0x80000000, GiB), 0}};
    auto rep = add_memory_banks(mb, banks, 2, 1, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(rep->banks_ignored, 1u);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, GiB, 0}}));
    EXPECT_EQ(log.text, "OF: fdt: Ignoring empty memory bank at 0x40000000\n");
}

TEST(BootMem, BanksCutToWholePages) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000800, 0x3000), 0}, {R(0x90000800, 0x400), 0}};
    auto rep = add_memory_banks(mb, banks, 2, 1, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(rep->banks_trimmed, 1u);
    EXPECT_EQ(rep->banks_ignored, 1u);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80001000, 0x2000, 0}}));
    EXPECT_EQ(log.text, "OF: fdt: Ignoring memory block 0x90000800 - 0x90000c00\n");
}

TEST(BootMem, MemoryAbove16TiBIsCut) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0xfff00000000, 0x20000000000), 0},
                       {R(0x200000000000, GiB), 0},
                       {R(~uint64_t(0) - 0xfff, 0x2000), 0}};
    auto rep = add_memory_banks(mb, banks, 3, 1, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_EQ(rep->banks_trimmed, 1u);
    EXPECT_EQ(rep->banks_ignored, 2u);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0xfff00000000, MAX_PHYS_END - 0xfff00000000, 0}}));
    EXPECT_EQ(mb.end_of_dram().raw(), 0xffffffff000u);
    EXPECT_EQ(log.text,
              "OF: fdt: Ignoring memory range 0xffffffff000 - 0x11ff00000000 (above 16 TiB)\n"
              "OF: fdt: Ignoring memory block 0x200000000000 - 0x200040000000\n"
              "OF: fdt: Ignoring memory block 0xfffffffffffff000 - 0x1000\n");
}

TEST(BootMem, NodeIdTooLargeFakesOneNode) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}, {R(0xc0000000, GiB), 9}};
    auto rep = add_memory_banks(mb, banks, 2, 10, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(rep->numa_disabled);
    EXPECT_EQ(rep->nr_nodes, 1u);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, 2 * GiB, 0}}));
    EXPECT_EQ(log.text,
              "NUMA: Node id 9 exceeds maximum value\n"
              "NUMA: Faking a node at [mem 0x0000000080000000-0x00000000ffffffff]\n");
}

TEST(BootMem, TooManyNodesFakesOneNode) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}};
    auto rep = add_memory_banks(mb, banks, 1, MAX_NUMNODES + 2, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(rep->numa_disabled);
    EXPECT_EQ(rep->nr_nodes, 1u);
    EXPECT_EQ(log.text,
              "NUMA: 10 nodes described, at most 8 supported\n"
              "NUMA: Faking a node at [mem 0x0000000080000000-0x00000000bfffffff]\n");
}

TEST(BootMem, OverlappingBanksOfDifferentNodesFakeOneNode) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}, {R(0xa0000000, GiB), 1}};
    auto rep = add_memory_banks(mb, banks, 2, 2, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(rep->numa_disabled);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, 0x60000000, 0}}));
    EXPECT_EQ(log.text,
              "NUMA: memory [mem 0x00000000a0000000-0x00000000dfffffff] of node 1 overlaps "
              "another node\n"
              "NUMA: Faking a node at [mem 0x0000000080000000-0x00000000dfffffff]\n");
}

TEST(BootMem, OverlappingBanksOfOneNodeMerge) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 1}, {R(0xa0000000, GiB), 1}};
    auto rep = add_memory_banks(mb, banks, 2, 2, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_FALSE(rep->numa_disabled);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, 0x60000000, 1}}));
    EXPECT_EQ(log.text, "");
}

TEST(BootMem, InterleavedNodesFakeOneNode) {
    Memblock mb;
    Log log;
    FdtBank banks[] = {{R(0x80000000, GiB), 0}, {R(0xc0000000, GiB), 1}, {R(0x100000000, GiB), 0}};
    auto rep = add_memory_banks(mb, banks, 3, 2, log.sink());
    ASSERT_TRUE(rep.ok());
    EXPECT_TRUE(rep->numa_disabled);
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, 3 * GiB, 0}}));
    EXPECT_EQ(log.text,
              "NUMA: node 0 [mem 0x0000000080000000-0x000000013fffffff] and node 1 "
              "[mem 0x00000000c0000000-0x00000000ffffffff] interleave\n"
              "NUMA: Faking a node at [mem 0x0000000080000000-0x000000013fffffff]\n");
}

TEST(BootMem, NoUsableMemory) {
    Memblock mb;
    Log log;
    auto none = add_memory_banks(mb, static_cast<const FdtBank*>(nullptr), 0, 1, log.sink());
    EXPECT_EQ(none.error(), Error::NoMemory);
    EXPECT_EQ(log.text, "memblock: no usable memory\n");
    FdtBank tiny[] = {{R(0x80000800, 0x100), 0}};
    EXPECT_EQ(add_memory_banks(mb, tiny, 1, 1, TextSink{nullptr, nullptr}).error(), Error::NoMemory);
}

TEST(BootMem, TooManyBanksForMemblock) {
    Memblock mb;
    Log log;
    std::vector<FdtBank> banks;
    for (size_t i = 0; i <= MemblockType::CAPACITY; i++)
        banks.push_back({R(0x80000000 + i * 0x200000, 0x100000), 0});
    auto rep = add_memory_banks(mb, banks.data(), banks.size(), 1, log.sink());
    EXPECT_EQ(rep.error(), Error::NoMemory);
    EXPECT_EQ(mb.memory().count(), MemblockType::CAPACITY);
    EXPECT_EQ(log.text,
              "memblock: too many memory regions, ignoring "
              "[mem 0x0000000090000000-0x00000000900fffff]\n");
}

TEST(BootMem, NoMapReservedLeavesMemory) {
    Memblock mb;
    Log log;
    ASSERT_TRUE(mb.add(R(0x80000000, GiB), 0).ok());
    FdtReserved r[] = {{R(0x80000000, 0x80000), true, "mmode_resv0@80000000"}};
    ASSERT_TRUE(add_reserved_ranges(mb, r, 1, log.sink()).ok());
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80080000, GiB - 0x80000, 0}}));
    EXPECT_EQ(mb.reserved().count(), 0u);
    EXPECT_EQ(log.text,
              "OF: reserved mem: 0x0000000080000000..0x000000008007ffff (512 KiB) nomap "
              "non-reusable mmode_resv0@80000000\n");
}

TEST(BootMem, MappedReservedIsReservedAndOutsideMemoryReported) {
    Memblock mb;
    Log log;
    ASSERT_TRUE(mb.add(R(0x80000000, GiB), 0).ok());
    MemReserveEntry r[] = {{R(0x80100000, 0x1000), false}, {R(0x40000000, 0x2000), false}};
    ASSERT_TRUE(add_reserved_ranges(mb, r, 2, log.sink()).ok());
    EXPECT_EQ(mb.reserved().count(), 2u);
    EXPECT_EQ(mb.reserved_in_memory(), 0x1000u);
    EXPECT_EQ(log.text,
              "OF: reserved mem: 0x0000000080100000..0x0000000080100fff (4 KiB) map "
              "non-reusable (memreserve)\n"
              "OF: reserved mem: 0x0000000040000000..0x0000000040001fff (8 KiB) map "
              "non-reusable (memreserve)\n"
              "memblock: reserved (memreserve) [mem 0x0000000040000000-0x0000000040001fff] is "
              "not all memory\n");
}

TEST(BootMem, NoMapOverReservedMemoryIsRefused) {
    Memblock mb;
    Log log;
    ASSERT_TRUE(mb.add(R(0x80000000, GiB), 0).ok());
    ASSERT_TRUE(reserve_boot_range(mb, R(0x80200000, 0x200000), "kernel", log.sink()).ok());
    FdtReserved r[] = {{R(0x80300000, 0x100000), true, "bad"}, {R(0x90000000, 0x1000), true, "ok"}};
    EXPECT_EQ(add_reserved_ranges(mb, r, 2, log.sink()).error(), Error::Busy);
    // The refused one changed nothing; the next one was still applied.
    EXPECT_TRUE(mb.is_region_memory(R(0x80300000, 0x100000)));
    EXPECT_FALSE(mb.is_region_memory(R(0x90000000, 0x1000)));
    EXPECT_EQ(log.text,
              "OF: reserved mem: 0x0000000080300000..0x00000000803fffff (1024 KiB) nomap "
              "non-reusable bad\n"
              "OF: reserved mem: failed to reserve memory for node 'bad': base "
              "0x0000000080300000, size 1 MiB\n"
              "OF: reserved mem: 0x0000000090000000..0x0000000090000fff (4 KiB) nomap "
              "non-reusable ok\n");
}

TEST(BootMem, NoMapOutsideMemoryIsHarmless) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, GiB), 0).ok());
    ASSERT_TRUE(mb.reserve(R(0x10000000, 0x1000)).ok());
    ReservedDesc d{R(0x10000000, 0x1000), true, "dev"};
    EXPECT_TRUE(add_reserved_range(mb, d, TextSink{nullptr, nullptr}).ok());
    EXPECT_EQ(memory(mb), (std::vector<Reg>{{0x80000000, GiB, 0}}));
}

TEST(BootMem, ReservedErrors) {
    Memblock mb;
    Log log;
    ReservedDesc empty{R(0x80000000, 0), false, "zero"};
    EXPECT_EQ(add_reserved_range(mb, empty, log.sink()).error(), Error::InvalidArgument);
    EXPECT_EQ(log.text, "OF: reserved mem: ignoring empty region zero\n");
    for (size_t i = 0; i < MemblockType::CAPACITY; i++)
        ASSERT_TRUE(mb.reserve(R(0x1000000 + i * 0x2000, 0x1000)).ok());
    ReservedDesc one{R(0x80000000, 0x1000), false, nullptr};
    log.text.clear();
    EXPECT_EQ(add_reserved_range(mb, one, log.sink()).error(), Error::NoMemory);
    EXPECT_NE(log.text.find("memblock: cannot reserve (memreserve): no memory\n"), std::string::npos);
}

TEST(BootMem, ReserveBootRange) {
    Memblock mb;
    Log log;
    ASSERT_TRUE(mb.add(R(0x80000000, GiB), 0).ok());
    EXPECT_TRUE(reserve_boot_range(mb, R(0x80200000, 0x100000), "kernel", log.sink()).ok());
    EXPECT_EQ(log.text, "");
    EXPECT_TRUE(reserve_boot_range(mb, R(0xbff00000, 0x200000), "initrd", log.sink()).ok());
    EXPECT_EQ(log.text,
              "memblock: initrd [mem 0x00000000bff00000-0x00000000c00fffff] is not inside memory\n");
    EXPECT_EQ(reserve_boot_range(mb, R(0x80000000, 0), "fdt", log.sink()).error(), Error::InvalidArgument);
    EXPECT_TRUE(mb.is_region_reserved(R(0x80200000, 1)));
    EXPECT_TRUE(mb.is_region_reserved(R(0xc0000000, 1)));
}

}  // namespace
}  // namespace mm
