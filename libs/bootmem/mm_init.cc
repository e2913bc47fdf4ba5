// Node and zone sizing, mem_map and the boot log (mm_init.h), in the
// order boot runs them; Linux's mm/mm_init.c.
#include "bootmem/mm_init.h"

#include <bit>

#include "base/bits.h"

namespace mm {

namespace {

constexpr uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
constexpr uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

// ==== Node and zone sizing ===================================================
// kernelcore=/movablecore=, the zone boundaries, where ZONE_MOVABLE starts,
// each node's and zone's span and present pages, and the zonelists.

Result<CoreSetting> parse_core_setting(StrView s) {
    if (!s.data || s.empty()) return Error::InvalidArgument;
    if (s.equals("mirror")) return Error::Unsupported;
    // A percentage is a bare number followed by '%' and nothing else.
    ParsedNumber n = TRY(parse_number_prefix(s));
    if (n.used < s.len && s[n.used] == '%') {
        if (n.used + 1 != s.len) return Error::InvalidArgument;
        return CoreSetting::percent(n.value);
    }
    uint64_t bytes = TRY(parse_size(s));
    return CoreSetting::pages(bytes >> PAGE_SHIFT);
}

Result<CoreSetting> parse_core_setting(const char* s) {
    if (!s) return Error::InvalidArgument;
    return parse_core_setting(StrView::of(s));
}

namespace {

constexpr unsigned NORMAL = unsigned(ZoneType::Normal);
constexpr unsigned MOVABLE = unsigned(ZoneType::Movable);

// for_each_mem_pfn_range on one node: false when region `r` has no whole
// page or is on another node.
bool node_pfns(const MemblockRegion& r, unsigned nid, PfnRange& out) {
    if (nid != NUMA_NO_NODE && r.nid != nid) return false;
    out = region_pfns(r);
    return !out.empty();
}

Status validate(const MemblockType& memory, unsigned nr_nodes) {
    if (nr_nodes == 0 || nr_nodes > MAX_NUMNODES) return Error::InvalidArgument;
    for (size_t i = 0; i < memory.count(); i++) {
        if (memory[i].nid >= nr_nodes || memory[i].size == 0) return Error::InvalidArgument;
        if (i > 0 && memory[i].base < memory[i - 1].end()) return Error::InvalidArgument;
    }
    return ok_status();
}

// get_pfn_range_for_nid: lowest and highest whole-page frame of a node,
// both 0 when it has none.
void node_pfn_range(const MemblockType& memory, unsigned nid, uint64_t& start, uint64_t& end) {
    start = ~uint64_t(0);
    end = 0;
    PfnRange pr;
    for (const MemblockRegion& r : memory) {
        if (!node_pfns(r, nid, pr)) continue;
        start = min_u64(start, pr.start);
        end = max_u64(end, pr.end);
    }
    if (start == ~uint64_t(0)) start = 0;
}

// __absent_pages_in_range: frames of [start, end) that are not memory of `nid`.
uint64_t absent_pages(const MemblockType& memory, unsigned nid, uint64_t start, uint64_t end) {
    uint64_t absent = end - start;
    PfnRange pr;
    for (const MemblockRegion& r : memory) {
        if (!node_pfns(r, nid, pr)) continue;
        absent -= clamp_u64(pr.end, start, end) - clamp_u64(pr.start, start, end);
    }
    return absent;
}

// free_area_init's boundary loop with riscv's zone_sizes_init limits:
// DMA32 ends at min(4 GiB, end of RAM), NORMAL at the end of RAM.
void set_zone_bounds(const MemblockType& memory, ZoneLayout& out) {
    uint64_t start_pfn = memory[0].base.to_pfn().raw();
    uint64_t max_pfn = memory[memory.count() - 1].end().to_pfn().raw();
    uint64_t max_zone_pfn[2] = {min_u64(DMA32_END_PFN.raw(), max_pfn), max_pfn};
    for (unsigned z = 0; z < 2; z++) {
        uint64_t end_pfn = max_u64(max_zone_pfn[z], start_pfn);
        out.zone_lowest[z] = Pfn(start_pfn);
        out.zone_highest[z] = Pfn(end_pfn);
        start_pfn = end_pfn;
    }
    // find_usable_zone_for_movable: the highest zone with any span.
    out.movable_zone =
        out.zone_highest[NORMAL] > out.zone_lowest[NORMAL] ? ZoneType::Normal : ZoneType::DMA32;
}

// required = total * percent / 100 as Linux computes it; a product that
// would overflow saturates (anything at or above `total` acts the same).
uint64_t percent_of(uint64_t total, uint64_t percent) {
    if (total != 0 && percent > ~uint64_t(0) / total) return ~uint64_t(0);
    return total * percent / 100;
}

// Resolves kernelcore=/movablecore= into required_kernelcore pages (the
// first half of find_zone_movable_pfns_for_nodes). 0 means no ZONE_MOVABLE.
uint64_t resolve_kernelcore(CoreSetting kc, CoreSetting mc, ZoneLayout& out) {
    uint64_t total = out.total_pages;
    uint64_t kernelcore = 0, movablecore = 0;
    if ((kc.unit == CoreSetting::Unit::Percent && kc.value > 100) ||
        (mc.unit == CoreSetting::Unit::Percent && mc.value > 100))
        out.warnings |= ZW_PERCENT_OVER_100;
    if (kc.given() && mc.given()) out.warnings |= ZW_BOTH_GIVEN;
    if (kc.unit == CoreSetting::Unit::Percent)
        kernelcore = percent_of(total, kc.value);
    else if (kc.unit == CoreSetting::Unit::Pages)
        kernelcore = kc.value;
    if (mc.unit == CoreSetting::Unit::Percent)
        movablecore = percent_of(total, mc.value);
    else if (mc.unit == CoreSetting::Unit::Pages)
        movablecore = mc.value;

    if (movablecore) {
        // Round up so ZONE_MOVABLE is at least what was asked for; anything
        // beyond all memory means all memory (clamped first so the
        // rounding cannot wrap).
        movablecore = align_up(min_u64(movablecore, total + 1), MAX_ORDER_NR_PAGES);
        if (movablecore >= total) {
            movablecore = total;
            out.warnings |= ZW_MOVABLECORE_TOO_LARGE;
        }
        kernelcore = max_u64(kernelcore, total - movablecore);
    }
    out.required_movablecore = movablecore;
    out.required_kernelcore = kernelcore;
    if (kernelcore >= total && kernelcore != 0) {
        out.warnings |= ZW_KERNELCORE_TOO_LARGE;
        return 0;
    }
    return kernelcore;
}

// One pass of the spreading loop over the nodes with memory; returns the
// kernelcore still unplaced.
uint64_t spread_kernelcore(const MemblockType& memory, const bool (&has_mem)[MAX_NUMNODES], unsigned nr_nodes,
                           uint64_t required, uint64_t usable_nodes, uint64_t usable_startpfn,
                           uint64_t (&movable_pfn)[MAX_NUMNODES]) {
    uint64_t kernelcore_node = required / usable_nodes;
    for (unsigned nid = 0; nid < nr_nodes; nid++) {
        if (!has_mem[nid]) continue;
        if (required < kernelcore_node) kernelcore_node = required / usable_nodes;
        uint64_t remaining = kernelcore_node;
        PfnRange pr;
        for (const MemblockRegion& r : memory) {
            if (!node_pfns(r, nid, pr)) continue;
            uint64_t start = max_u64(pr.start, movable_pfn[nid]);
            if (start >= pr.end) continue;
            // Memory below the movable-eligible zone is kernelcore already.
            if (start < usable_startpfn) {
                uint64_t kernel_pages = min_u64(pr.end, usable_startpfn) - start;
                remaining -= min_u64(kernel_pages, remaining);
                required -= min_u64(kernel_pages, required);
                if (pr.end <= usable_startpfn) {
                    // Pushed to the end so a later pass does not count it twice.
                    movable_pfn[nid] = pr.end;
                    continue;
                }
                start = usable_startpfn;
            }
            uint64_t size_pages = min_u64(pr.end - start, remaining);
            movable_pfn[nid] = start + size_pages;
            required -= min_u64(required, size_pages);
            remaining -= size_pages;
            if (!remaining) break;
        }
    }
    return required;
}

// find_zone_movable_pfns_for_nodes.
void find_zone_movable_pfns(const MemblockType& memory, CoreSetting kc, CoreSetting mc, ZoneLayout& out) {
    bool has_mem[MAX_NUMNODES] = {};
    uint64_t usable_nodes = 0;
    PfnRange pr;
    for (const MemblockRegion& r : memory) {
        if (!node_pfns(r, NUMA_NO_NODE, pr)) continue;
        if (!has_mem[r.nid]) usable_nodes++;
        has_mem[r.nid] = true;
    }
    uint64_t required = resolve_kernelcore(kc, mc, out);
    if (!required) return;

    uint64_t movable_pfn[MAX_NUMNODES] = {};
    uint64_t usable_startpfn = out.zone_lowest[unsigned(out.movable_zone)].raw();
    // Spread kernelcore evenly; when some nodes are too small, go again
    // with one node fewer to place the rest on the nodes that have room.
    do {
        required = spread_kernelcore(memory, has_mem, out.nr_nodes, required, usable_nodes, usable_startpfn,
                                     movable_pfn);
        usable_nodes--;
    } while (usable_nodes && required > usable_nodes);

    // ZONE_MOVABLE starts MAX_ORDER aligned, and not at all past the node end.
    bool any = false;
    for (unsigned nid = 0; nid < out.nr_nodes; nid++) {
        if (!has_mem[nid]) continue;
        uint64_t start, end;
        node_pfn_range(memory, nid, start, end);
        uint64_t pfn = align_up(movable_pfn[nid], MAX_ORDER_NR_PAGES);
        if (pfn >= end) pfn = 0;
        out.zone_movable_pfn[nid] = Pfn(pfn);
        any = any || pfn != 0;
    }
    if (!any) out.warnings |= ZW_MOVABLE_EMPTY;
}

// zone_spanned_pages_in_node with adjust_zone_range_for_zone_movable.
uint64_t zone_spanned(const ZoneLayout& out, unsigned nid, unsigned zone, uint64_t node_start,
                      uint64_t node_end, uint64_t& zstart, uint64_t& zend) {
    uint64_t zone_low = out.zone_lowest[zone].raw(), zone_high = out.zone_highest[zone].raw();
    zstart = clamp_u64(node_start, zone_low, zone_high);
    zend = clamp_u64(node_end, zone_low, zone_high);
    uint64_t movable = out.zone_movable_pfn[nid].raw();
    if (movable) {
        if (zone == MOVABLE) {
            zstart = movable;
            zend = min_u64(node_end, out.zone_highest[unsigned(out.movable_zone)].raw());
        } else if (zstart < movable && zend > movable) {
            zend = movable;  // ZONE_MOVABLE starts inside this zone
        } else if (zstart >= movable) {
            zstart = zend;  // the whole zone range is ZONE_MOVABLE
        }
    }
    if (zend < node_start || zstart > node_end) return 0;
    zend = min_u64(zend, node_end);
    zstart = max_u64(zstart, node_start);
    return zend - zstart;
}

// calculate_node_totalpages (or reset_memoryless_node_totalpages).
void size_node(const MemblockType& memory, unsigned nid, ZoneLayout& out) {
    NodeSpan& node = out.nodes[nid];
    uint64_t start, end;
    node_pfn_range(memory, nid, start, end);
    node.start = Pfn(start);
    node.end = Pfn(end);
    if (start == end) return;
    for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
        uint64_t zstart, zend;
        uint64_t spanned = zone_spanned(out, nid, z, start, end, zstart, zend);
        uint64_t absent = zstart == zend ? 0 : absent_pages(memory, nid, zstart, zend);
        ZoneSpan& zs = node.zones[z];
        zs.start = Pfn(spanned ? zstart : 0);
        zs.spanned = spanned;
        zs.present = spanned - absent;
        node.spanned += spanned;
        node.present += zs.present;
    }
}

// out = ZoneLayout{} without the memset call gcc would emit for it.
void reset_layout(ZoneLayout& out) {
    out.nr_nodes = 0;
    out.total_pages = 0;
    for (unsigned z = 0; z < MAX_NR_ZONES; z++) out.zone_lowest[z] = out.zone_highest[z] = Pfn(0);
    out.movable_zone = ZoneType::DMA32;
    out.required_kernelcore = out.required_movablecore = 0;
    for (unsigned n = 0; n < MAX_NUMNODES; n++) {
        out.zone_movable_pfn[n] = Pfn(0);
        NodeSpan& node = out.nodes[n];
        node.start = node.end = Pfn(0);
        node.spanned = node.present = 0;
        for (ZoneSpan& z : node.zones) z = ZoneSpan{};
    }
    out.warnings = 0;
}

}  // namespace

Status size_zones(const MemblockType& memory, unsigned nr_nodes, CoreSetting kernelcore,
                  CoreSetting movablecore, ZoneLayout& out) {
    TRY_STATUS(validate(memory, nr_nodes));
    uint64_t total = 0;
    PfnRange pr;
    for (const MemblockRegion& r : memory)
        if (node_pfns(r, NUMA_NO_NODE, pr)) total += pr.end - pr.start;
    if (total == 0) return Error::NoMemory;

    reset_layout(out);
    out.nr_nodes = nr_nodes;
    out.total_pages = total;
    set_zone_bounds(memory, out);
    find_zone_movable_pfns(memory, kernelcore, movablecore, out);
    for (unsigned nid = 0; nid < nr_nodes; nid++) size_node(memory, nid, out);
    return ok_status();
}

void build_zonelists(const ZoneLayout& layout, const DistanceMatrix& distance,
                     Zonelist (&out)[MAX_NUMNODES]) {
    bool populated[MAX_NUMNODES][MAX_NR_ZONES] = {};
    for (unsigned n = 0; n < layout.nr_nodes; n++)
        for (unsigned z = 0; z < MAX_NR_ZONES; z++) populated[n][z] = layout.nodes[n].zones[z].present != 0;
    for (unsigned n = 0; n < MAX_NUMNODES; n++) {
        out[n].count = 0;
        if (n < layout.nr_nodes) build_zonelist(n, layout.nr_nodes, distance, populated, out[n]);
    }
}

// ==== mem_map ================================================================
// Where each node's array lies, its memory, and its descriptors.

namespace {

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

// ==== The boot log ===========================================================
// free_area_init's lines, the sizing warnings, and mem_init_print_info's
// summary.

namespace {

using ull = unsigned long long;

ull phys_of(Pfn pfn) { return ull(pfn.to_phys().raw()); }

// Inclusive last byte of a frame range ending before `end` (0 stays 0,
// as Linux prints for a node ending at frame 0).
ull last_byte(Pfn end) { return end.raw() ? phys_of(end) - 1 : 0; }

void print_zone_lines(TextSink sink, unsigned z, const ZoneSpan& zone) {
    const char* name = zone_name(ZoneType(z));
    uint64_t freesize = zone.present;
    uint64_t memmap = zone_memmap_pages(zone.spanned);
    if (freesize >= memmap) {
        freesize -= memmap;
        if (memmap) format(sink, "  %s zone: %llu pages used for memmap\n", name, ull(memmap));
    } else {
        format(sink, "  %s zone: %llu pages exceeds freesize %llu\n", name, ull(memmap), ull(freesize));
    }
    // Linux accounts dma_reserve (always 0 here) against the first zone.
    if (z == 0 && freesize > 0) format(sink, "  %s zone: 0 pages reserved\n", name);
    if (zone.present)
        format(sink, "  %s zone: %llu pages, LIFO batch:%llu\n", name, ull(zone.present),
               ull(zone_batchsize(freesize)));
}

}  // namespace

uint64_t zone_memmap_pages(uint64_t spanned) {
    return align_up(spanned * sizeof(Page), PAGE_SIZE) >> PAGE_SHIFT;
}

uint64_t zone_batchsize(uint64_t managed_pages) {
    // About a thousandth of the zone, at most 1 MiB worth, divided by 4,
    // then clamped to 2^n - 1.
    uint64_t batch = managed_pages / 1024;
    if (batch * PAGE_SIZE > uint64_t(1024) * 1024) batch = (uint64_t(1024) * 1024) / PAGE_SIZE;
    batch /= 4;
    if (batch < 1) batch = 1;
    return bits::round_down_pow2(batch + batch / 2) - 1;
}

void print_zone_ranges(TextSink sink, const ZoneLayout& zones, const MemblockType& memory) {
    format(sink, "Zone ranges:\n");
    for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
        if (ZoneType(z) == ZoneType::Movable) continue;
        format(sink, "  %-8s ", zone_name(ZoneType(z)));
        if (zones.zone_lowest[z] == zones.zone_highest[z])
            format(sink, "empty\n");
        else
            format(sink, "[mem 0x%016llx-0x%016llx]\n", phys_of(zones.zone_lowest[z]),
                   phys_of(zones.zone_highest[z]) - 1);
    }
    format(sink, "Movable zone start for each node\n");
    for (unsigned nid = 0; nid < MAX_NUMNODES; nid++)
        if (zones.zone_movable_pfn[nid].raw())
            format(sink, "  Node %u: 0x%016llx\n", nid, phys_of(zones.zone_movable_pfn[nid]));
    format(sink, "Early memory node ranges\n");
    for (const MemblockRegion& r : memory) {
        PfnRange pr = region_pfns(r);
        if (pr.empty()) continue;
        format(sink, "  node %3u: [mem 0x%016llx-0x%016llx]\n", r.nid, phys_of(Pfn(pr.start)),
               phys_of(Pfn(pr.end)) - 1);
    }
}

void print_node_setup(TextSink sink, const ZoneLayout& zones, unsigned nid) {
    const NodeSpan& node = zones.nodes[nid];
    if (node.start == node.end) {
        format(sink, "Initmem setup node %u as memoryless\n", nid);
        format(sink, "On node %u totalpages: 0\n", nid);
        return;
    }
    format(sink, "Initmem setup node %u [mem 0x%016llx-0x%016llx]\n", nid, phys_of(node.start),
           last_byte(node.end));
    format(sink, "On node %u totalpages: %llu\n", nid, ull(node.present));
    for (unsigned z = 0; z < MAX_NR_ZONES; z++)
        if (node.zones[z].spanned) print_zone_lines(sink, z, node.zones[z]);
}

void print_free_area_init(TextSink sink, const ZoneLayout& zones, const MemblockType& memory) {
    print_zone_ranges(sink, zones, memory);
    for (unsigned nid = 0; nid < zones.nr_nodes; nid++) print_node_setup(sink, zones, nid);
}

void print_zone_warnings(TextSink sink, const ZoneLayout& zones) {
    uint32_t w = zones.warnings;
    if (w & ZW_PERCENT_OVER_100)
        format(sink, "kernelcore/movablecore: percentage above 100, taken as all memory\n");
    if (w & ZW_BOTH_GIVEN)
        format(sink,
               "kernelcore= and movablecore= both given: using the larger kernelcore "
               "(%llu pages)\n",
               ull(zones.required_kernelcore));
    if (w & ZW_KERNELCORE_TOO_LARGE)
        format(sink,
               "kernelcore=%llu pages is not below total memory (%llu pages): "
               "no ZONE_MOVABLE\n",
               ull(zones.required_kernelcore), ull(zones.total_pages));
    if (w & ZW_MOVABLECORE_TOO_LARGE)
        format(sink, "movablecore= covers all memory (%llu pages): kernelcore is %llu pages\n",
               ull(zones.total_pages), ull(zones.required_kernelcore));
    if (w & ZW_MOVABLE_EMPTY)
        format(sink, "ZONE_MOVABLE requested but no node has room for it after alignment\n");
}

void print_mem_init_info(TextSink sink, const MemInitInfo& info) {
    auto kib = [](uint64_t pages) {
        uint64_t k = pages << (PAGE_SHIFT - 10);
        return ull(k);
    };
    uint64_t reserved = info.phys_pages - info.totalram_pages - info.cma_pages;
    format(sink,
           "Memory: %lluK/%lluK available (%lluK kernel code, %lluK rwdata, %lluK rodata, "
           "%lluK init, %lluK bss, %lluK reserved, %lluK cma-reserved)\n",
           kib(info.free_pages), kib(info.phys_pages), ull(info.code_bytes / 1024),
           ull(info.rwdata_bytes / 1024), ull(info.rodata_bytes / 1024), ull(info.init_bytes / 1024),
           ull(info.bss_bytes / 1024), kib(reserved), kib(info.cma_pages));
}

}  // namespace mm
