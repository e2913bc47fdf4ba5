// mem_map: one flat array of page descriptors per node (Linux
// alloc_node_mem_map for the geometry, free_area_init_core/memmap_init for
// the contents).
//
// A node's array covers [align_down(node start, MAX_ORDER_NR_PAGES),
// align_up(node end, MAX_ORDER_NR_PAGES)) so the buddy allocator always
// finds the descriptor of a block's buddy. When a node boundary is not
// MAX_ORDER aligned the aligned ranges of two neighbours overlap; then the
// later node's array starts where the earlier one's ends, and the shared
// block's frames of the later node are described in the earlier node's
// array (with the later node's zone and node in their flags). So every
// frame has exactly one descriptor, every array starts and ends on a
// MAX_ORDER boundary (its bytes are whole pages), and the arrays can sit
// side by side in one vmemmap window: descriptor(pfn) == base + pfn.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "bootmem/memblock.h"
#include "bootmem/zone_sizing.h"
#include "mm/page.h"

namespace mm {

// The frames one node's array describes: [start, end). Empty for a
// memoryless node, or for a node so small that it lies entirely inside
// its predecessor's last MAX_ORDER block.
struct NodeMemMap {
    Pfn start;
    Pfn end;
    constexpr uint64_t nr_pages() const { return end - start; }
    constexpr uint64_t bytes() const { return nr_pages() * sizeof(Page); }
    constexpr bool empty() const { return end == start; }
};

struct MemMapLayout {
    NodeMemMap nodes[MAX_NUMNODES];
};

// Places every node's array.
// Errors: InvalidArgument when two nodes' spans overlap (interleaved
// nodes cannot each have one flat array; boot falls back to one node).
Status plan_memmap(const ZoneLayout& zones, MemMapLayout& out);

// memmap_alloc: memory for node `nid`'s array from memblock, preferring
// the node itself, page aligned, reserved.
// Errors: InvalidArgument (empty map), NoMemory.
Result<PhysAddr> alloc_node_mem_map(Memblock& memblock, const MemMapLayout& maps, unsigned nid);

// A run of consecutive descriptors that start with the same flags.
struct MemMapSegment {
    Pfn start;
    Pfn end;
    uint32_t flags;  // Page::initial_flags(zone, node)
};
inline constexpr size_t MAX_MEMMAP_SEGMENTS = size_t(MAX_NUMNODES) * MAX_NR_ZONES;

// The runs of node `nid`'s array, in frame order, covering it exactly.
// Padding before the node's first frame takes the node's lowest zone,
// padding after its last frame its highest zone; frames of a later node
// that share the last block take that node's zones. Returns the count.
size_t memmap_segments(const ZoneLayout& zones, const MemMapLayout& maps, unsigned nid,
                       MemMapSegment (&out)[MAX_MEMMAP_SEGMENTS]);

// Initialises node `nid`'s array (`array[i]` describes frame
// maps.nodes[nid].start + i): every descriptor reserved, zone and node in
// its flags, counts and owner 0, links PFN_NONE, index 0. Cost is a few
// stores per frame: runs are precomputed and each is filled by a tight
// loop with no per-frame lookup.
void init_node_memmap(Page* array, const ZoneLayout& zones, const MemMapLayout& maps, unsigned nid);

}  // namespace mm
