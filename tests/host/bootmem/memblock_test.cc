// Memblock unit tests, in the spirit of Linux's tools/testing/memblock:
// many small cases, each checking the region lists exactly.
#include "bootmem/memblock.h"

#include <gtest/gtest.h>

#include <vector>

namespace mm {
namespace {

constexpr uint64_t SZ_4K = 0x1000, SZ_1M = 0x100000, SZ_16M = 0x1000000;

PhysRange R(uint64_t base, uint64_t size) { return PhysRange{PhysAddr(base), size}; }

struct Reg {
    uint64_t base, size;
    unsigned nid;
    bool operator==(const Reg&) const = default;
};

std::vector<Reg> regions(const MemblockType& t) {
    std::vector<Reg> v;
    for (const MemblockRegion& r : t) v.push_back({r.base.raw(), r.size, r.nid});
    return v;
}

std::vector<Reg> walk(RangeDiffWalk w) {
    std::vector<Reg> v;
    MemRange r;
    while (w.next(r)) v.push_back({r.range.base.raw(), r.range.size, r.nid});
    return v;
}

constexpr unsigned NN = NUMA_NO_NODE;

// ---- add ----

TEST(MemblockAdd, SimpleRegion) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x80000000, SZ_16M, 0}}));
    EXPECT_EQ(mb.phys_mem_size(), SZ_16M);
}

TEST(MemblockAdd, DisjointRegionsStaySortedWhateverTheOrder) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x90000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x88000000, SZ_1M), 0).ok());
    EXPECT_EQ(regions(mb.memory()),
              (std::vector<Reg>{{0x80000000, SZ_1M, 0}, {0x88000000, SZ_1M, 0}, {0x90000000, SZ_1M, 0}}));
    EXPECT_EQ(mb.phys_mem_size(), 3 * SZ_1M);
}

TEST(MemblockAdd, OverlapTopMerges) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1800000, SZ_16M), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, 0x1800000, 0}}));
    EXPECT_EQ(mb.phys_mem_size(), 0x1800000u);
}

TEST(MemblockAdd, OverlapBottomMerges) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1800000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, 0x1800000, 0}}));
}

TEST(MemblockAdd, WithinExistingIsNoChange) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1400000, SZ_1M), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, SZ_16M, 0}}));
}

TEST(MemblockAdd, TwiceIsIdempotent) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, SZ_16M, 0}}));
}

TEST(MemblockAdd, AdjacentSameNodeMerges) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 2).ok());
    ASSERT_TRUE(mb.add(R(0x1100000, SZ_1M), 2).ok());
    ASSERT_TRUE(mb.add(R(0x0f00000, SZ_1M), 2).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x0f00000, 3 * SZ_1M, 2}}));
}

TEST(MemblockAdd, BridgingAddMergesThreeIntoOne) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1400000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1800000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1080000, 0x800000), 0).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, 0x900000, 0}}));
    EXPECT_EQ(mb.phys_mem_size(), 0x900000u);
}

TEST(MemblockAdd, AdjacentOtherNodeStaysSeparate) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1100000, SZ_1M), 1).ok());
    ASSERT_TRUE(mb.add(R(0x0f00000, SZ_1M), 1).ok());
    EXPECT_EQ(regions(mb.memory()),
              (std::vector<Reg>{{0x0f00000, SZ_1M, 1}, {0x1000000, SZ_1M, 0}, {0x1100000, SZ_1M, 1}}));
}

TEST(MemblockAdd, FillsGapBetweenOtherNodes) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1200000, SZ_1M), 0).ok());
    // Exactly the gap, on another node: touches both, merges with neither.
    ASSERT_TRUE(mb.add(R(0x1100000, SZ_1M), 1).ok());
    EXPECT_EQ(regions(mb.memory()),
              (std::vector<Reg>{{0x1000000, SZ_1M, 0}, {0x1100000, SZ_1M, 1}, {0x1200000, SZ_1M, 0}}));
}

TEST(MemblockAdd, OverlapWithOtherNodeIsBusyAndChangesNothing) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x3000000, SZ_1M), 0).ok());
    auto before = regions(mb.memory());
    EXPECT_EQ(mb.add(R(0x10ff000, SZ_1M), 1).error(), Error::Busy);
    EXPECT_EQ(mb.add(R(0x0000000, 0x4000000), 1).error(), Error::Busy);
    EXPECT_EQ(regions(mb.memory()), before);
}

TEST(MemblockAdd, InvalidArguments) {
    Memblock mb;
    EXPECT_EQ(mb.add(R(0x1000, 0), 0).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.add(R(~uint64_t(0) - 0xfff, 0x2000), 0).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.add(R(0x1000, 0x1000), MAX_NUMNODES).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.add(R(0x1000, 0x1000), NUMA_NO_NODE).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.memory().count(), 0u);
}

TEST(MemblockAdd, RangeEndingAtTopOfAddressSpace) {
    Memblock mb;
    // [2^64 - 4K, 2^64) wraps to 0 and is refused; one byte less fits.
    EXPECT_EQ(mb.add(R(~uint64_t(0) - 0xfff, 0x1000), 0).error(), Error::InvalidArgument);
    EXPECT_TRUE(mb.add(R(~uint64_t(0) - 0xfff, 0xfff), 0).ok());
}

TEST(MemblockAdd, FullListIsNoMemoryButMergingStillWorks) {
    Memblock mb;
    for (size_t i = 0; i < MemblockType::CAPACITY; i++)
        ASSERT_TRUE(mb.add(R(0x1000000 + i * 2 * SZ_1M, SZ_1M), 0).ok()) << i;
    EXPECT_EQ(mb.memory().count(), MemblockType::CAPACITY);
    auto before = regions(mb.memory());
    EXPECT_EQ(mb.add(R(0x10000000000, SZ_1M), 0).error(), Error::NoMemory);
    EXPECT_EQ(regions(mb.memory()), before);
    // Touching an existing region needs no new slot.
    EXPECT_TRUE(mb.add(R(0x1100000, SZ_1M), 0).ok());
    EXPECT_EQ(mb.memory().count(), MemblockType::CAPACITY - 1);
}

// ---- remove ----

TEST(MemblockRemove, WholeRegion) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x3000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.remove(R(0x1000000, SZ_1M)).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x3000000, SZ_1M, 0}}));
    EXPECT_EQ(mb.phys_mem_size(), SZ_1M);
}

TEST(MemblockRemove, TopAndBottomTrims) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.remove(R(0x0800000, SZ_16M)).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1800000, 0x800000, 0}}));
    ASSERT_TRUE(mb.remove(R(0x1c00000, SZ_16M)).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1800000, 0x400000, 0}}));
}

TEST(MemblockRemove, MiddleSplitsKeepingNode) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, 0x40000000), 3).ok());
    // OpenSBI-style no-map hole at the start plus one in the middle.
    ASSERT_TRUE(mb.remove(R(0x80000000, 0x80000)).ok());
    ASSERT_TRUE(mb.remove(R(0x90000000, SZ_1M)).ok());
    EXPECT_EQ(regions(mb.memory()),
              (std::vector<Reg>{{0x80080000, 0x0ff80000, 3}, {0x90100000, 0x2ff00000, 3}}));
    EXPECT_EQ(mb.phys_mem_size(), 0x40000000u - 0x80000 - SZ_1M);
}

TEST(MemblockRemove, SpanningSeveralRegions) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x1200000, SZ_1M), 1).ok());
    ASSERT_TRUE(mb.add(R(0x1400000, SZ_1M), 0).ok());
    ASSERT_TRUE(mb.remove(R(0x1080000, 0x400000)).ok());
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, 0x80000, 0}, {0x1480000, 0x80000, 0}}));
}

TEST(MemblockRemove, OutsideMemoryIsIgnored) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x1000000, SZ_1M), 0).ok());
    EXPECT_TRUE(mb.remove(R(0x5000000, SZ_1M)).ok());
    EXPECT_TRUE(mb.remove(R(0x1100000, SZ_1M)).ok());  // touches, no overlap
    EXPECT_EQ(regions(mb.memory()), (std::vector<Reg>{{0x1000000, SZ_1M, 0}}));
}

TEST(MemblockRemove, InvalidArguments) {
    Memblock mb;
    EXPECT_EQ(mb.remove(R(0x1000, 0)).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.remove(R(~uint64_t(0), 2)).error(), Error::InvalidArgument);
}

TEST(MemblockRemove, SplitWhenFullIsNoMemoryAndChangesNothing) {
    Memblock mb;
    for (size_t i = 0; i < MemblockType::CAPACITY; i++)
        ASSERT_TRUE(mb.add(R(0x1000000 + i * 2 * SZ_1M, SZ_1M), 0).ok());
    auto before = regions(mb.memory());
    EXPECT_EQ(mb.remove(R(0x1040000, 0x1000)).error(), Error::NoMemory);
    EXPECT_EQ(regions(mb.memory()), before);
    // A trim needs no slot.
    EXPECT_TRUE(mb.remove(R(0x1000000, 0x1000)).ok());
}

// ---- reserve / free ----

TEST(MemblockReserve, MergesTouchingAndOverlapping) {
    Memblock mb;
    ASSERT_TRUE(mb.reserve(R(0x2000, 0x1000)).ok());
    ASSERT_TRUE(mb.reserve(R(0x3000, 0x1000)).ok());
    ASSERT_TRUE(mb.reserve(R(0x8000, 0x1000)).ok());
    ASSERT_TRUE(mb.reserve(R(0x3800, 0x5000)).ok());
    EXPECT_EQ(regions(mb.reserved()), (std::vector<Reg>{{0x2000, 0x7000, NN}}));
    EXPECT_EQ(mb.reserved().total_size(), 0x7000u);
}

TEST(MemblockReserve, OutsideMemoryIsKeptAndReported) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.reserve(R(0x7ff00000, 0x200000)).ok());  // straddles the start
    ASSERT_TRUE(mb.reserve(R(0x10000000, 0x1000)).ok());    // nowhere near memory
    EXPECT_EQ(walk(mb.reserved_outside_memory()),
              (std::vector<Reg>{{0x10000000, 0x1000, NN}, {0x7ff00000, 0x100000, NN}}));
    EXPECT_EQ(mb.reserved_in_memory(), 0x100000u);
    EXPECT_EQ(mb.reserved().total_size(), 0x201000u);
}

TEST(MemblockReserve, ErrorsAndFullList) {
    Memblock mb;
    EXPECT_EQ(mb.reserve(R(0x1000, 0)).error(), Error::InvalidArgument);
    EXPECT_TRUE(mb.reserve(R(~uint64_t(0) - 1, 1)).ok());                       // ends at 2^64 - 1
    EXPECT_EQ(mb.reserve(R(~uint64_t(0), 1)).error(), Error::InvalidArgument);  // wraps
    Memblock full;
    for (size_t i = 0; i < MemblockType::CAPACITY; i++)
        ASSERT_TRUE(full.reserve(R(0x100000 + i * 0x2000, 0x1000)).ok());
    EXPECT_EQ(full.reserve(R(0x10000000, 0x1000)).error(), Error::NoMemory);
    EXPECT_EQ(full.reserved().count(), MemblockType::CAPACITY);
}

TEST(MemblockFree, WholePartialAndSplit) {
    Memblock mb;
    ASSERT_TRUE(mb.reserve(R(0x10000, 0x10000)).ok());
    ASSERT_TRUE(mb.free(R(0x14000, 0x1000)).ok());
    EXPECT_EQ(regions(mb.reserved()), (std::vector<Reg>{{0x10000, 0x4000, NN}, {0x15000, 0xb000, NN}}));
    ASSERT_TRUE(mb.free(R(0x10000, 0x4000)).ok());
    EXPECT_EQ(regions(mb.reserved()), (std::vector<Reg>{{0x15000, 0xb000, NN}}));
    ASSERT_TRUE(mb.free(R(0x0, 0x100000)).ok());
    EXPECT_EQ(mb.reserved().count(), 0u);
    EXPECT_EQ(mb.free(R(0x1000, 0)).error(), Error::InvalidArgument);
}

TEST(MemblockFree, NotReservedIsIgnored) {
    Memblock mb;
    ASSERT_TRUE(mb.reserve(R(0x10000, 0x1000)).ok());
    EXPECT_TRUE(mb.free(R(0x20000, 0x1000)).ok());
    EXPECT_EQ(regions(mb.reserved()), (std::vector<Reg>{{0x10000, 0x1000, NN}}));
}

// ---- queries ----

TEST(MemblockQuery, EmptyMemblock) {
    Memblock mb;
    EXPECT_EQ(mb.start_of_dram().raw(), 0u);
    EXPECT_EQ(mb.end_of_dram().raw(), 0u);
    EXPECT_EQ(mb.phys_mem_size(), 0u);
    EXPECT_EQ(mb.reserved_in_memory(), 0u);
    EXPECT_FALSE(mb.is_region_memory(R(0, 1)));
    EXPECT_TRUE(walk(mb.free_ranges()).empty());
}

TEST(MemblockQuery, StartEndAndIsRegionMemory) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x81000000, SZ_16M), 1).ok());  // touching, other node
    ASSERT_TRUE(mb.add(R(0x90000000, SZ_16M), 1).ok());
    EXPECT_EQ(mb.start_of_dram().raw(), 0x80000000u);
    EXPECT_EQ(mb.end_of_dram().raw(), 0x91000000u);
    EXPECT_TRUE(mb.is_region_memory(R(0x80fff000, 0x2000)));  // across the node boundary
    EXPECT_TRUE(mb.is_region_memory(R(0x80000000, 2 * SZ_16M)));
    EXPECT_FALSE(mb.is_region_memory(R(0x81fff000, 0x2000)));  // runs into the hole
    EXPECT_FALSE(mb.is_region_memory(R(0x7ffff000, 0x2000)));
    EXPECT_FALSE(mb.is_region_memory(R(0x80000000, 0)));
}

TEST(MemblockQuery, IsRegionReserved) {
    Memblock mb;
    ASSERT_TRUE(mb.reserve(R(0x10000, 0x1000)).ok());
    EXPECT_TRUE(mb.is_region_reserved(R(0x10fff, 1)));
    EXPECT_TRUE(mb.is_region_reserved(R(0x0, 0x10001)));
    EXPECT_FALSE(mb.is_region_reserved(R(0x11000, 0x1000)));
    EXPECT_FALSE(mb.is_region_reserved(R(0x0, 0x10000)));
    EXPECT_FALSE(mb.is_region_reserved(R(0x10000, 0)));
}

TEST(MemblockQuery, FreeRangesWithNodesBothDirections) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x0000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x2000000, SZ_16M), 1).ok());
    ASSERT_TRUE(mb.reserve(R(0x0000000, SZ_1M)).ok());
    ASSERT_TRUE(mb.reserve(R(0x0f00000, 0x1200000)).ok());  // end of node 0 .. into node 1
    ASSERT_TRUE(mb.reserve(R(0x2800000, SZ_1M)).ok());
    std::vector<Reg> asc{{0x0100000, 0xe00000, 0}, {0x2100000, 0x700000, 1}, {0x2900000, 0x700000, 1}};
    EXPECT_EQ(walk(mb.free_ranges()), asc);
    std::vector<Reg> desc(asc.rbegin(), asc.rend());
    EXPECT_EQ(walk(mb.free_ranges(NUMA_NO_NODE, WalkOrder::Descending)), desc);
    EXPECT_EQ(walk(mb.free_ranges(1)), (std::vector<Reg>{asc[1], asc[2]}));
    EXPECT_EQ(walk(mb.free_ranges(0, WalkOrder::Descending)), (std::vector<Reg>{asc[0]}));
    EXPECT_TRUE(walk(mb.free_ranges(5)).empty());
    EXPECT_EQ(mb.reserved_in_memory(), SZ_1M + 0x100000 + 0x100000 + SZ_1M);
}

// ---- alloc ----

TEST(MemblockAlloc, TopDownTakesTheHighestFit) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    auto a = mb.alloc(0x3000, SZ_4K);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x81000000u - 0x3000);
    auto b = mb.alloc(0x1000, SZ_4K);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x81000000u - 0x4000);
    // Both merged into one reserved region.
    EXPECT_EQ(regions(mb.reserved()), (std::vector<Reg>{{0x80ffc000, 0x4000, NN}}));
}

TEST(MemblockAlloc, TopDownAlignmentRoundsDown) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, 0x1234000), 0).ok());
    auto a = mb.alloc(0x1000, 0x200000);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x81200000u);
}

TEST(MemblockAlloc, TopDownSkipsReservedAndTooSmallGaps) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.reserve(R(0x80f00000, SZ_1M)).ok());
    ASSERT_TRUE(mb.reserve(R(0x80e00000, 0xff000)).ok());  // leaves a 4K gap at 0x80eff000
    auto a = mb.alloc(0x2000, SZ_4K);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x80e00000u - 0x2000);
    auto b = mb.alloc(0x1000, SZ_4K);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x80eff000u);
}

TEST(MemblockAlloc, BottomUpTakesTheLowestFit) {
    Memblock mb;
    mb.set_direction(AllocDirection::BottomUp);
    EXPECT_EQ(mb.direction(), AllocDirection::BottomUp);
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.reserve(R(0x80000000, 0x1800)).ok());
    auto a = mb.alloc(0x1000, SZ_4K);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x80002000u);
    auto b = mb.alloc(0x800, 0x800);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x80001800u);
    auto c = mb.alloc(0x1000, 0x100000);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->raw(), 0x80100000u);
}

TEST(MemblockAlloc, NeverReturnsTheFirstPage) {
    Memblock mb;
    mb.set_direction(AllocDirection::BottomUp);
    ASSERT_TRUE(mb.add(R(0x0, 0x3000), 0).ok());
    auto a = mb.alloc(0x1000, 0x1000);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x1000u);
    auto b = mb.alloc(0x1000, 0x1000);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x2000u);
    EXPECT_EQ(mb.alloc(0x1000, 0x1000).error(), Error::NoMemory);
}

TEST(MemblockAlloc, ExactFitAndNoRoom) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, 0x10000), 0).ok());
    auto a = mb.alloc(0x10000, 0x10000);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x80000000u);
    EXPECT_EQ(mb.alloc(1, 1).error(), Error::NoMemory);
    EXPECT_EQ(mb.reserved_in_memory(), 0x10000u);
}

TEST(MemblockAlloc, AlignmentMustBeAPowerOfTwoAndSizeNonZero) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    EXPECT_EQ(mb.alloc(0x1000, 0).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.alloc(0x1000, 0x3000).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.alloc(0, 0x1000).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.alloc(0x1000, 0x1000, MAX_NUMNODES).error(), Error::InvalidArgument);
    EXPECT_EQ(mb.reserved().count(), 0u);
    EXPECT_TRUE(mb.alloc(1, 1).ok());
}

TEST(MemblockAlloc, AlignmentLargerThanMemoryFails) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80001000, 0x10000), 0).ok());
    EXPECT_EQ(mb.alloc(0x1000, 0x100000).error(), Error::NoMemory);
    mb.set_direction(AllocDirection::BottomUp);
    EXPECT_EQ(mb.alloc(0x1000, 0x100000).error(), Error::NoMemory);
}

TEST(MemblockAlloc, RespectsCurrentLimit) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    mb.set_current_limit(PhysAddr(0x80800000));
    EXPECT_EQ(mb.current_limit().raw(), 0x80800000u);
    auto a = mb.alloc(0x1000, SZ_4K);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x807ff000u);
    mb.set_current_limit(PhysAddr(0x80000800));
    EXPECT_EQ(mb.alloc(0x1000, SZ_4K).error(), Error::NoMemory);
    mb.set_current_limit(PhysAddr(0x1000));
    EXPECT_EQ(mb.alloc(0x1000, SZ_4K).error(), Error::NoMemory);
    mb.set_current_limit(PhysAddr(0));
    EXPECT_EQ(mb.alloc(0x1000, SZ_4K).error(), Error::InvalidArgument);
}

TEST(MemblockAlloc, RangeBounds) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    auto a = mb.alloc_range(0x1000, SZ_4K, PhysAddr(0x80100000), PhysAddr(0x80200000), NN);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x801ff000u);
    mb.set_direction(AllocDirection::BottomUp);
    auto b = mb.alloc_range(0x1000, SZ_4K, PhysAddr(0x80100800), PhysAddr(0x80200000), NN);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x80101000u);
    EXPECT_EQ(mb.alloc_range(0x1000, SZ_4K, PhysAddr(0x80200000), PhysAddr(0x80200000), NN).error(),
              Error::InvalidArgument);
    EXPECT_EQ(mb.alloc_range(0x2000, SZ_4K, PhysAddr(0x80300000), PhysAddr(0x80301000), NN).error(),
              Error::NoMemory);
    // An explicit upper bound is not clipped by the current limit.
    mb.set_current_limit(PhysAddr(0x80000000));
    EXPECT_TRUE(mb.alloc_range(0x1000, SZ_4K, PhysAddr(0x80400000), PhysAddr(0x80500000), NN).ok());
}

TEST(MemblockAlloc, PrefersTheNodeAndFallsBack) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, SZ_16M), 0).ok());
    ASSERT_TRUE(mb.add(R(0x90000000, SZ_1M), 1).ok());
    auto a = mb.alloc(0x1000, SZ_4K, 0);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x80fff000u);  // node 0 although node 1 is higher
    auto b = mb.alloc(0x1000, SZ_4K, 1);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->raw(), 0x900ff000u);
    // Node 1 has less than 2 MiB left: fall back to any node (highest free).
    auto c = mb.alloc(0x200000, SZ_4K, 1);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->raw(), 0x80fff000u - 0x200000);
    // A node with no memory at all falls back too.
    auto d = mb.alloc(0x1000, SZ_4K, 5);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->raw(), 0x900fe000u);
}

TEST(MemblockAlloc, ReservedListFullIsNoMemoryAndNothingReserved) {
    Memblock mb;
    ASSERT_TRUE(mb.add(R(0x80000000, 0x10000000), 0).ok());
    for (size_t i = 0; i < MemblockType::CAPACITY; i++)
        ASSERT_TRUE(mb.reserve(R(0x80000000 + i * 0x2000, 0x1000)).ok());
    // The free space at the top does not touch any reserved region.
    auto before = regions(mb.reserved());
    EXPECT_EQ(mb.alloc(0x1000, SZ_4K).error(), Error::NoMemory);
    EXPECT_EQ(regions(mb.reserved()), before);
    // An allocation adjacent to a reserved region merges and succeeds.
    mb.set_direction(AllocDirection::BottomUp);
    auto a = mb.alloc(0x1000, SZ_4K);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->raw(), 0x80001000u);
}

}  // namespace
}  // namespace mm
