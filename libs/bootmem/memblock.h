// memblock: the boot-time physical memory allocator (Linux mm/memblock.c).
//
// Two sorted lists of regions in fixed storage: `memory` (RAM the FDT
// describes, each region on one NUMA node) and `reserved` (ranges in use:
// firmware, kernel image, FDT, initrd, and everything allocated here).
// Free memory is memory minus reserved. Early allocations (page tables,
// mem_map) come from here and are reserved as they are handed out; the
// pager later frees every frame that is still free (free_all_bootmem).
//
// Invariants of both lists: regions are non-empty, sorted by base and do
// not overlap; in `memory`, touching regions of the same node are merged;
// in `reserved`, touching regions are always merged. Every operation
// either completes or returns an error with nothing changed.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "mm/mmzone.h"

namespace mm {

// "Any node" for allocation and walks (Linux NUMA_NO_NODE).
inline constexpr unsigned NUMA_NO_NODE = ~0u;

struct MemblockRegion {
    PhysAddr base;
    uint64_t size = 0;
    unsigned nid = NUMA_NO_NODE;  // NUMA_NO_NODE in the reserved list

    constexpr PhysAddr end() const { return base + size; }
    constexpr PhysRange range() const { return PhysRange{base, size}; }
};

struct RegionEdit;

// One region list (Linux struct memblock_type).
class MemblockType {
public:
    static constexpr size_t CAPACITY = 128;

    constexpr size_t count() const { return count_; }
    constexpr const MemblockRegion& operator[](size_t i) const { return regions_[i]; }
    constexpr const MemblockRegion* begin() const { return regions_; }
    constexpr const MemblockRegion* end() const { return regions_ + count_; }
    // Sum of the region sizes.
    constexpr uint64_t total_size() const { return total_; }

private:
    friend struct RegionEdit;
    MemblockRegion regions_[CAPACITY] = {};
    size_t count_ = 0;
    uint64_t total_ = 0;
};

// A range with the node it belongs to (NUMA_NO_NODE for reserved ranges).
struct MemRange {
    PhysRange range;
    unsigned nid = NUMA_NO_NODE;
};

enum class WalkOrder : uint8_t { Ascending, Descending };

// Walks the parts of list `a` that list `b` does not cover: memory minus
// reserved gives the free ranges (for_each_free_mem_range), reserved minus
// memory gives reserved ranges with no RAM behind them. Only regions of
// `a` on node `nid` are considered unless it is NUMA_NO_NODE. The walk
// reads the lists live: do not change them while walking.
class RangeDiffWalk {
public:
    RangeDiffWalk(const MemblockType& a, const MemblockType& b, unsigned nid, WalkOrder order);
    // Stores the next range; false when there are no more.
    bool next(MemRange& out);

private:
    bool next_ascending(MemRange& out);
    bool next_descending(MemRange& out);
    uint64_t gap_start(size_t k) const;
    uint64_t gap_end(size_t k) const;

    const MemblockType& a_;
    const MemblockType& b_;
    unsigned nid_;
    WalkOrder order_;
    // Ascending: the next region of a and gap of b to look at. Descending:
    // one past them. Gap k lies between region k-1 and region k of b.
    size_t ia_, ib_;
};

enum class AllocDirection : uint8_t { TopDown, BottomUp };

class Memblock {
public:
    // Upper bound meaning "no limit" for set_current_limit().
    static constexpr PhysAddr NO_LIMIT = PhysAddr(~uint64_t(0));

    constexpr Memblock() = default;

    // memblock_add_node: adds RAM on node `nid`. Overlapping or touching
    // memory of the same node merges; touching memory of another node
    // stays a separate region.
    // Errors: InvalidArgument (empty range, range wrapping past 2^64, nid
    // >= MAX_NUMNODES), Busy (overlaps memory of another node), NoMemory
    // (list full).
    Status add(PhysRange r, unsigned nid);

    // memblock_remove: takes a range out of memory altogether (FDT
    // /reserved-memory with no-map), splitting regions as needed. Parts
    // of the range that are not memory are ignored.
    // Errors: InvalidArgument (empty or wrapping range), NoMemory (a
    // split needs a slot and the list is full).
    Status remove(PhysRange r);

    // memblock_reserve: marks a range in use. It need not be memory (see
    // reserved_outside_memory()).
    // Errors: InvalidArgument (empty or wrapping range), NoMemory (full).
    Status reserve(PhysRange r);

    // memblock_phys_free: un-reserves a range; parts not reserved are ignored.
    // Errors: InvalidArgument (empty or wrapping range), NoMemory (a
    // split needs a slot and the list is full).
    Status free(PhysRange r);

    // memblock_phys_alloc_try_nid: finds `size` free bytes aligned to
    // `align` below the current limit, preferring node `nid` and falling
    // back to any node, reserves them and returns their base. Never
    // returns the first page (address 0 is left alone, as in Linux).
    // Errors: InvalidArgument (size 0, align not a power of two, nid
    // neither NUMA_NO_NODE nor < MAX_NUMNODES), NoMemory (no room, or the
    // reserved list is full).
    Result<PhysAddr> alloc(uint64_t size, uint64_t align, unsigned nid = NUMA_NO_NODE);

    // memblock_alloc_range_nid: like alloc() within [min, max); `max` of
    // NO_LIMIT means the current limit.
    // Errors: as alloc(), and InvalidArgument when min >= max.
    Result<PhysAddr> alloc_range(uint64_t size, uint64_t align, PhysAddr min, PhysAddr max, unsigned nid);

    // The top of the range alloc() may use (memblock_set_current_limit),
    // e.g. the end of what the early page tables map. Exclusive.
    void set_current_limit(PhysAddr limit) { current_limit_ = limit; }
    PhysAddr current_limit() const { return current_limit_; }

    // Top-down (the default) or bottom-up allocation (memblock_set_bottom_up).
    void set_direction(AllocDirection d) { direction_ = d; }
    AllocDirection direction() const { return direction_; }

    const MemblockType& memory() const { return memory_; }
    const MemblockType& reserved() const { return reserved_; }

    // memblock_phys_mem_size: bytes of memory.
    uint64_t phys_mem_size() const { return memory_.total_size(); }
    // Bytes reserved, counting only what lies inside memory.
    uint64_t reserved_in_memory() const;
    // memblock_start_of_DRAM / memblock_end_of_DRAM (exclusive); 0 when
    // there is no memory.
    PhysAddr start_of_dram() const;
    PhysAddr end_of_dram() const;

    // memblock_is_region_memory: every byte of `r` is memory (possibly
    // spanning touching regions). False for an empty range.
    bool is_region_memory(PhysRange r) const;
    // memblock_is_region_reserved: some byte of `r` is reserved.
    bool is_region_reserved(PhysRange r) const;

    // Free ranges (memory minus reserved), with their node.
    RangeDiffWalk free_ranges(unsigned nid = NUMA_NO_NODE, WalkOrder order = WalkOrder::Ascending) const {
        return RangeDiffWalk(memory_, reserved_, nid, order);
    }
    // Reserved ranges with no memory behind them (boot reports these).
    RangeDiffWalk reserved_outside_memory() const {
        return RangeDiffWalk(reserved_, memory_, NUMA_NO_NODE, WalkOrder::Ascending);
    }

private:
    Result<PhysAddr> find_in_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
                                   unsigned nid) const;

    MemblockType memory_;
    MemblockType reserved_;
    PhysAddr current_limit_ = NO_LIMIT;
    AllocDirection direction_ = AllocDirection::TopDown;
};

}  // namespace mm
