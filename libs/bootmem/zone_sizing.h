// Node and zone sizing (Linux zone_sizes_init -> free_area_init ->
// find_zone_movable_pfns_for_nodes / calculate_node_totalpages).
//
// Input: memblock's memory regions (each on a node), the number of nodes
// and the kernelcore=/movablecore= settings (parsed here too). Output: each node's span and
// present pages, each zone's start, span and present pages per node, and
// where ZONE_MOVABLE starts on each node.
//
// Zones (riscv64): ZONE_DMA32 from the lowest RAM frame up to 4 GiB (or
// the end of RAM when lower), ZONE_NORMAL from there to the end of RAM;
// an empty zone has start == end. ZONE_MOVABLE is carved, per node, from
// the top of the highest non-empty of those two ("movable_zone") when
// kernelcore= or movablecore= asks for it. Holes inside a zone span count
// in `spanned` but not in `present`.
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "bootmem/memblock.h"
#include "cmdline/cmdline.h"
#include "mm/mmzone.h"
#include "mm/zonelist.h"

namespace mm {

// kernelcore= and movablecore=: how much memory must stay unmovable, or
// how much may become ZONE_MOVABLE (Linux cmdline_parse_core).
struct CoreSetting {
    enum class Unit : uint8_t {
        None,     // not given
        Pages,    // an amount of memory, in whole frames (bytes >> PAGE_SHIFT)
        Percent,  // a share of all memory pages
    };
    Unit unit = Unit::None;
    uint64_t value = 0;

    static constexpr CoreSetting none() { return {}; }
    static constexpr CoreSetting pages(uint64_t n) { return {Unit::Pages, n}; }
    static constexpr CoreSetting percent(uint64_t p) { return {Unit::Percent, p}; }
    constexpr bool given() const { return unit != Unit::None; }
    constexpr bool operator==(const CoreSetting&) const = default;
};

// Parses a kernelcore=/movablecore= value: "25%" (a share of total pages),
// or a memparse size ("512M", "1G", "123456", "0x10000000") rounded down to
// whole pages. Percentages above 100 are accepted, as in Linux (which only
// warns); zone sizing then treats them as "all memory" and says so.
// Errors: InvalidArgument (nullptr, empty, no digits, unknown suffix,
// trailing characters, "%" with a suffix), OutOfRange (overflows 64
// bits), Unsupported ("mirror": this kernel has no mirrored memory).
Result<CoreSetting> parse_core_setting(const char* s);
Result<CoreSetting> parse_core_setting(StrView s);

// A zone of one node. `start` is 0 when the zone spans nothing.
struct ZoneSpan {
    Pfn start;
    uint64_t spanned = 0;
    uint64_t present = 0;
    constexpr Pfn end() const { return start + spanned; }
};

// One node (Linux pg_data_t sizes). start == end == 0 for a memoryless node.
struct NodeSpan {
    Pfn start;
    Pfn end;
    uint64_t spanned = 0;
    uint64_t present = 0;
    ZoneSpan zones[MAX_NR_ZONES];
    constexpr const ZoneSpan& zone(ZoneType z) const { return zones[unsigned(z)]; }
};

// Things the boot should tell the user about; none stops the boot.
enum ZoneWarning : uint32_t {
    // kernelcore= is at least all memory: no ZONE_MOVABLE.
    ZW_KERNELCORE_TOO_LARGE = 1u << 0,
    // movablecore= is at least all memory; Linux then has no ZONE_MOVABLE
    // at all (kernelcore becomes 0) unless kernelcore= is also given.
    ZW_MOVABLECORE_TOO_LARGE = 1u << 1,
    // A percentage above 100 (Linux WARNs and goes on).
    ZW_PERCENT_OVER_100 = 1u << 2,
    // Both were given; the larger kernelcore wins, as in Linux.
    ZW_BOTH_GIVEN = 1u << 3,
    // ZONE_MOVABLE was asked for but no node ended up with any (all of it
    // fell below MAX_ORDER alignment or into low zones).
    ZW_MOVABLE_EMPTY = 1u << 4,
};

struct ZoneLayout {
    unsigned nr_nodes = 0;
    // Pages of RAM (early_calculate_totalpages).
    uint64_t total_pages = 0;
    // arch_zone_lowest/highest_possible_pfn: the global zone boundaries.
    // ZONE_MOVABLE has none (both 0); its start is per node.
    Pfn zone_lowest[MAX_NR_ZONES];
    Pfn zone_highest[MAX_NR_ZONES];
    // The zone ZONE_MOVABLE takes memory from.
    ZoneType movable_zone = ZoneType::DMA32;
    // The settings as resolved to pages (after percent and movablecore
    // conversion); 0 when not given.
    uint64_t required_kernelcore = 0;
    uint64_t required_movablecore = 0;
    // First frame of ZONE_MOVABLE on each node; 0 when it has none.
    Pfn zone_movable_pfn[MAX_NUMNODES];
    NodeSpan nodes[MAX_NUMNODES];
    uint32_t warnings = 0;  // ZoneWarning bits

    constexpr bool zone_empty(ZoneType z) const {
        return zone_lowest[unsigned(z)] == zone_highest[unsigned(z)];
    }
};

// Computes `out` from memblock's memory regions (sorted, disjoint, as
// Memblock keeps them; only whole pages count: PFN_UP(base) to
// PFN_DOWN(end)). Nodes [0, nr_nodes) are sized; nodes without memory
// come out empty (memoryless).
// Errors: InvalidArgument (nr_nodes is 0 or above MAX_NUMNODES, a region
// on a node >= nr_nodes, regions unsorted or overlapping), NoMemory (not
// one whole page of memory).
Status size_zones(const MemblockType& memory, unsigned nr_nodes, CoreSetting kernelcore,
                  CoreSetting movablecore, ZoneLayout& out);

// The pfn range of a memory region: whole pages only (for_each_mem_pfn_range).
struct PfnRange {
    uint64_t start = 0;
    uint64_t end = 0;
    constexpr bool empty() const { return start >= end; }
};
constexpr PfnRange region_pfns(const MemblockRegion& r) {
    return {PhysAddr(r.base.raw() + PAGE_SIZE - 1).to_pfn().raw(), r.end().to_pfn().raw()};
}

// build_all_zonelists: node n's zonelist in out[n] for every node, from
// the node distances and which zones have present pages.
void build_zonelists(const ZoneLayout& layout, const DistanceMatrix& distance, Zonelist (&out)[MAX_NUMNODES]);

}  // namespace mm
