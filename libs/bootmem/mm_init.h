// What boot does with memory once memblock describes it, in the order
// kernel/boot/phys_memory.cc calls it: node and zone sizing (with
// ZONE_MOVABLE and the zonelists), the mem_map arrays, and the lines
// Linux prints about them ("Zone ranges:" .. "Memory:"). It mirrors
// Linux's mm/mm_init.c, which keeps these together (only the zonelists
// live in Linux's page_alloc.c).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "bootmem/memblock.h"
#include "cmdline/cmdline.h"
#include "format/format.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/zonelist.h"

namespace mm {

// ==== Node and zone sizing ===================================================
// Linux zone_sizes_init -> free_area_init ->
// find_zone_movable_pfns_for_nodes / calculate_node_totalpages.
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

// ==== mem_map ================================================================
// One flat array of page descriptors per node (Linux alloc_node_mem_map
// for the geometry, free_area_init_core/memmap_init for the contents).
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

// ==== The boot log ===========================================================
// The memory bring-up log, in Linux's words and layout so a boot of this
// kernel can be laid next to a Linux boot on the same QEMU machine:
//
//   Zone ranges:
//     DMA32    [mem 0x0000000080000000-0x00000000bfffffff]
//     Normal   empty
//   Movable zone start for each node
//   Early memory node ranges
//     node   0: [mem 0x0000000080000000-0x00000000bfffffff]
//   Initmem setup node 0 [mem 0x0000000080000000-0x00000000bfffffff]
//   On node 0 totalpages: 262144
//     DMA32 zone: 2048 pages used for memmap
//     DMA32 zone: 0 pages reserved
//     DMA32 zone: 262144 pages, LIFO batch:63
//
// The first blocks follow free_area_init and free_area_init_node of Linux
// 6.x. The per-zone lines are the ones Linux 4.x-5.x printed from
// free_area_init_core and zone_pcp_init (KERN_DEBUG; later dropped); the
// memmap figure uses this kernel's 32-byte descriptor where Linux's is 56
// or 64 bytes, so only that number differs by design.

// "Zone ranges:" .. "Movable zone start for each node" (+ one line per
// node that has ZONE_MOVABLE) .. "Early memory node ranges" (one line
// per memory region with a whole page).
void print_zone_ranges(TextSink sink, const ZoneLayout& zones, const MemblockType& memory);

// "Initmem setup node N [mem ...]" (or "... as memoryless"), "On node N
// totalpages: P" and the per-zone lines.
void print_node_setup(TextSink sink, const ZoneLayout& zones, unsigned nid);

// Everything free_area_init prints, for all nodes, in Linux's order.
void print_free_area_init(TextSink sink, const ZoneLayout& zones, const MemblockType& memory);

// One line per ZoneWarning bit set in zones.warnings (nothing when none).
void print_zone_warnings(TextSink sink, const ZoneLayout& zones);

// Pages of mem_map a zone costs (calc_memmap_size for a flat map).
uint64_t zone_memmap_pages(uint64_t spanned);
// The per-cpu list batch Linux derives from a zone's managed pages
// (zone_batchsize); printed for comparison only.
uint64_t zone_batchsize(uint64_t managed_pages);

// Numbers for mem_init_print_info's summary line.
struct MemInitInfo {
    uint64_t free_pages = 0;      // frames handed to the buddy allocator
    uint64_t phys_pages = 0;      // present frames (get_num_physpages)
    uint64_t totalram_pages = 0;  // frames managed by the buddy allocator
    uint64_t cma_pages = 0;       // frames set aside for CMA (none here)
    uint64_t code_bytes = 0;      // kernel .text
    uint64_t rwdata_bytes = 0;    // kernel .data
    uint64_t rodata_bytes = 0;    // kernel .rodata
    uint64_t init_bytes = 0;      // kernel init sections (freed after boot)
    uint64_t bss_bytes = 0;       // kernel .bss
};

// "Memory: 123456K/131072K available (123K kernel code, 45K rwdata, 67K
// rodata, 89K init, 10K bss, 2345K reserved, 0K cma-reserved)"; reserved
// is phys - totalram - cma pages.
void print_mem_init_info(TextSink sink, const MemInitInfo& info);

}  // namespace mm
