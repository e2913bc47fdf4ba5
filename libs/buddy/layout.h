// The memory layout the kernel hands the pager at start-up: per node its
// span and per zone its span and present pages, plus the node distances.
// This is all the allocator needs to know besides mem_map itself.
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "mm/mmzone.h"
#include "mm/zonelist.h"

namespace mm {

struct ZoneSpan {
    Pfn start;             // first frame of the zone (spanned, not necessarily present)
    uint64_t spanned = 0;  // frames from start to end, holes included; 0 = empty zone
    uint64_t present = 0;  // frames backed by RAM (spanned minus holes)

    constexpr Pfn end() const { return start + spanned; }
};

struct NodeSpan {
    Pfn start;                     // first frame with a descriptor in mem_map
    uint64_t spanned = 0;          // frames with descriptors; 0 = node without memory
    ZoneSpan zones[MAX_NR_ZONES];  // indexed by ZoneType

    constexpr Pfn end() const { return start + spanned; }
};

struct MemoryLayout {
    NodeSpan nodes[MAX_NUMNODES];  // node ids 0..nr_nodes-1
    uint8_t nr_nodes = 0;
    DistanceMatrix distance = {};  // as the FDT's distance-map gives them: 10 to itself
};

}  // namespace mm
