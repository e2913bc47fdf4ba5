#include "bootmem/memmap.h"

#include <bit>

namespace mm {

namespace {

constexpr uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

struct PageWords {
    uint64_t w[4];
};
static_assert(sizeof(PageWords) == sizeof(Page));
using AliasU64 = uint64_t __attribute__((may_alias));

bool has_memory(const NodeSpan& n) { return n.end > n.start; }

// Nodes with memory in order of their first frame; returns how many.
unsigned nodes_by_start(const ZoneLayout& zones, unsigned (&order)[MAX_NUMNODES]) {
    unsigned n = 0;
    for (unsigned nid = 0; nid < zones.nr_nodes; nid++) {
        if (!has_memory(zones.nodes[nid])) continue;
        unsigned j = n++;
        while (j > 0 && zones.nodes[order[j - 1]].start > zones.nodes[nid].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = nid;
    }
    return n;
}

// Appends the runs of node `nid`'s frames that fall in [lo, hi): its
// lowest zone from `lo`, a new run at each further zone's start, its
// highest zone up to `hi`.
size_t node_runs(const ZoneLayout& zones, unsigned nid, uint64_t lo, uint64_t hi, MemMapSegment* out,
                 size_t n) {
    const NodeSpan& node = zones.nodes[nid];
    unsigned spanned[MAX_NR_ZONES];
    unsigned count = 0;
    for (unsigned z = 0; z < MAX_NR_ZONES; z++)
        if (node.zones[z].spanned) spanned[count++] = z;
    for (unsigned i = 0; i < count; i++) {
        uint64_t s = i == 0 ? lo : max_u64(lo, node.zones[spanned[i]].start.raw());
        uint64_t e = i + 1 == count ? hi : min_u64(hi, node.zones[spanned[i + 1]].start.raw());
        if (s >= e) continue;
        out[n++] = MemMapSegment{Pfn(s), Pfn(e), Page::initial_flags(ZoneType(spanned[i]), nid)};
    }
    return n;
}

}  // namespace

Status plan_memmap(const ZoneLayout& zones, MemMapLayout& out) {
    for (NodeMemMap& m : out.nodes) m = NodeMemMap{};
    unsigned order[MAX_NUMNODES];
    unsigned n = nodes_by_start(zones, order);
    for (unsigned i = 1; i < n; i++)
        if (zones.nodes[order[i]].start < zones.nodes[order[i - 1]].end) return Error::InvalidArgument;
    uint64_t prev_end = 0;
    for (unsigned i = 0; i < n; i++) {
        const NodeSpan& node = zones.nodes[order[i]];
        uint64_t start = max_u64(align_down(node.start.raw(), MAX_ORDER_NR_PAGES), prev_end);
        uint64_t end = max_u64(start, align_up(node.end.raw(), MAX_ORDER_NR_PAGES));
        out.nodes[order[i]] = NodeMemMap{Pfn(start), Pfn(end)};
        prev_end = end;
    }
    return ok_status();
}

Result<PhysAddr> alloc_node_mem_map(Memblock& memblock, const MemMapLayout& maps, unsigned nid) {
    if (nid >= MAX_NUMNODES || maps.nodes[nid].empty()) return Error::InvalidArgument;
    return memblock.alloc(maps.nodes[nid].bytes(), PAGE_SIZE, nid);
}

size_t memmap_segments(const ZoneLayout& zones, const MemMapLayout& maps, unsigned nid,
                       MemMapSegment (&out)[MAX_MEMMAP_SEGMENTS]) {
    if (nid >= zones.nr_nodes || maps.nodes[nid].empty()) return 0;
    uint64_t ms = maps.nodes[nid].start.raw(), me = maps.nodes[nid].end.raw();
    unsigned order[MAX_NUMNODES];
    unsigned n = nodes_by_start(zones, order);
    unsigned k = 0;
    while (order[k] != nid) k++;
    // Node `nid` owns its array up to the next node's first frame; a later
    // node starting inside the array owns the frames from its start on.
    size_t count = 0;
    uint64_t lo = ms;
    for (; k < n && lo < me; k++) {
        uint64_t hi = k + 1 < n ? min_u64(me, zones.nodes[order[k + 1]].start.raw()) : me;
        count = node_runs(zones, order[k], lo, hi, out, count);
        lo = hi;
    }
    return count;
}

void init_node_memmap(Page* array, const ZoneLayout& zones, const MemMapLayout& maps, unsigned nid) {
    MemMapSegment segs[MAX_MEMMAP_SEGMENTS];
    size_t n = memmap_segments(zones, maps, nid, segs);
    uint64_t first = maps.nodes[nid].start.raw();
    for (size_t i = 0; i < n; i++) {
        // The descriptor as four 64-bit words held in registers: each frame
        // costs four stores and the loop step. Stores go through a
        // may_alias type so they are valid writes to the Page objects.
        const Page tmpl{segs[i].flags, PFN_NONE, PFN_NONE, 0, 0, 0, 0};
        const PageWords w = std::bit_cast<PageWords>(tmpl);
        auto* p = reinterpret_cast<AliasU64*>(array + (segs[i].start.raw() - first));
        auto* end = reinterpret_cast<AliasU64*>(array + (segs[i].end.raw() - first));
        for (; p != end; p += 4) {
            p[0] = w.w[0];
            p[1] = w.w[1];
            p[2] = w.w[2];
            p[3] = w.w[3];
        }
    }
}

}  // namespace mm
