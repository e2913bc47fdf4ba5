#include "bootmem/zone_sizing.h"

namespace mm {

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

constexpr uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
constexpr uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

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

}  // namespace mm
