// Set-up of the buddy allocator: the layout checks, the zones and their
// zonelists, the fast paths' tables, the hand-over of free memory
// (free_all_bootmem), and the zone watermarks and lowmem_reserve with
// their tunables (Linux's __setup_per_zone_wmarks and
// setup_per_zone_lowmem_reserve).
#include "base/bits.h"
#include "buddy/buddy.h"

namespace mm {

namespace {

using detail::IDENTITY_MASK;

uint64_t pageblocks_spanned(const ZoneSpan& z) {
    if (z.spanned == 0) return 0;
    return (align_up(z.end().raw(), PAGEBLOCK_NR_PAGES) - align_down(z.start.raw(), PAGEBLOCK_NR_PAGES)) >>
           PAGEBLOCK_ORDER;
}

bool ranges_overlap(Pfn a, uint64_t alen, Pfn b, uint64_t blen) {
    return alen && blen && a < b + blen && b < a + alen;
}

uint64_t int_sqrt(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = uint64_t(1) << 62; bit; bit >>= 2) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

constexpr uint64_t MIN_FREE_KBYTES_MIN = 128;
constexpr uint64_t MIN_FREE_KBYTES_MAX = 262144;
constexpr uint64_t SWAP_CLUSTER_MAX = 32;

// Node `nid` of `layout` fits below MAX_PFN_LIMIT, its zones lie inside
// it in ZoneType order without overlap, and it overlaps no earlier node.
bool node_ok(const MemoryLayout& layout, unsigned nid) {
    const NodeSpan& node = layout.nodes[nid];
    if (node.spanned > MAX_PFN_LIMIT || node.start.raw() > MAX_PFN_LIMIT - node.spanned) return false;
    Pfn prev_end = node.start;
    for (const ZoneSpan& z : node.zones) {
        if (z.spanned == 0) {
            if (z.present != 0) return false;
            continue;
        }
        if (z.present > z.spanned || z.start < prev_end || z.end() > node.end()) return false;
        prev_end = z.end();
    }
    for (unsigned other = 0; other < nid; other++)
        if (ranges_overlap(node.start, node.spanned, layout.nodes[other].start, layout.nodes[other].spanned))
            return false;
    return true;
}

// Sets up zone `t` of node `nid` over `span`, with no frame free yet, and
// gives it its pageblock types from `storage`, which it advances.
void init_zone(Zone& z, unsigned nid, ZoneType t, const ZoneSpan& span, const BuddyConfig& config,
               uint8_t*& storage) {
    z.start_pfn = span.start;
    z.spanned = span.spanned;
    z.present = span.present;
    z.managed = 0;
    z.free_pages = 0;
    for (uint64_t& w : z.watermark) w = 0;
    for (uint64_t& r : z.lowmem_reserve) r = 0;
    z.nid = uint8_t(nid);
    z.type = t;
    for (FreeArea& area : z.free_area) {
        for (PageList& l : area.free_list) l = PageList{};
        area.nr_free = 0;
    }
    for (PcpList& l : z.pcp.lists) l.count = 0;
    z.pcp.batch = config.pcp_batch;
    z.pcp.high = config.pcp_batch ? config.pcp_high : 0;
    for (unsigned i = 0; i < NR_LRU_LISTS; i++) {
        z.lru.lists[i] = PageList{};
        z.lru.nr_pages[i] = 0;
    }
    z.lru.nr_isolated = 0;
    // Linux marks every pageblock movable at boot: most memory ends up
    // holding user pages, and unmovable requests claim blocks as needed.
    uint8_t initial =
        uint8_t(config.grouping == Grouping::Disabled ? MigrateType::Unmovable : MigrateType::Movable);
    z.pageblock_base = Pfn(align_down(span.start.raw(), PAGEBLOCK_NR_PAGES));
    uint64_t blocks = pageblocks_spanned(span);
    z.pageblock_mt = blocks ? storage : nullptr;
    z.pageblock_mt_bias = reinterpret_cast<uintptr_t>(storage) - (z.pageblock_base.raw() >> PAGEBLOCK_ORDER);
    for (uint64_t i = 0; i < blocks; i++) storage[i] = initial;
    storage += blocks;
}

// The largest block that starts at `pfn` and ends by `stop`: as large as
// pfn's alignment allows, at most MAX_ORDER - 1.
unsigned bootmem_block_order(uint64_t pfn, uint64_t stop) {
    unsigned order = pfn ? bits::lowest_set(pfn) : MAX_ORDER - 1;
    if (order > MAX_ORDER - 1) order = MAX_ORDER - 1;
    while (pfn + (uint64_t(1) << order) > stop) order--;
    return order;
}

// The marks the fast paths test for `z`: its low watermark plus what it
// keeps back from requests limited to each zone index.
void update_fast_mark(Zone& z) {
    for (unsigned j = 0; j < MAX_NR_ZONES; j++) z.fast_mark[j] = z.watermark[WMARK_LOW] + z.lowmem_reserve[j];
}

}  // namespace

size_t Buddy::pageblock_storage_size(const MemoryLayout& layout) {
    size_t n = 0;
    for (unsigned nid = 0; nid < layout.nr_nodes && nid < MAX_NUMNODES; nid++)
        for (const ZoneSpan& z : layout.nodes[nid].zones) n += pageblocks_spanned(z);
    return n;
}

Status Buddy::check_layout(const MemoryLayout& layout) const {
    if (layout.nr_nodes == 0 || layout.nr_nodes > MAX_NUMNODES) return Error::InvalidArgument;
    for (unsigned nid = 0; nid < layout.nr_nodes; nid++)
        if (!node_ok(layout, nid)) return Error::InvalidArgument;
    if (config_.pcp_batch != 0 && (config_.pcp_high < config_.pcp_batch || config_.pcp_high >= PCP_SLOTS))
        return Error::InvalidArgument;
    if (config_.watermark_scale_factor == 0 || config_.watermark_scale_factor > 3000)
        return Error::InvalidArgument;
    if (config_.local_nid >= layout.nr_nodes) return Error::InvalidArgument;
    return {};
}

void Buddy::build_zonelists(const MemoryLayout& layout) {
    bool populated[MAX_NUMNODES][MAX_NR_ZONES] = {};
    for (unsigned n = 0; n < nr_nodes_; n++)
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) populated[n][t] = zones_[n][t].populated();
    for (unsigned n = 0; n < nr_nodes_; n++) {
        build_zonelist(n, nr_nodes_, layout.distance, populated, zonelists_[n]);
        for (unsigned highest = 0; highest < MAX_NR_ZONES; highest++) {
            unsigned k = 0;
            const Zonelist& zl = zonelists_[n];
            for (unsigned i = 0; i < zl.count; i++)
                if (unsigned(zl.refs[i].zone) <= highest)
                    candidates_[n][highest][k++] = &zones_[zl.refs[i].nid][unsigned(zl.refs[i].zone)];
            candidates_[n][highest][k] = nullptr;
        }
    }
}

Status Buddy::init(const MemoryLayout& layout, MemMap map, uint8_t* storage, size_t storage_size,
                   const BuddyConfig& config) {
    config_ = config;
    TRY_STATUS(check_layout(layout));
    if (storage_size < pageblock_storage_size(layout) || (storage_size && !storage)) return Error::NoMemory;
    map_ = map;
    nr_nodes_ = layout.nr_nodes;
    min_free_kbytes_ = config.min_free_kbytes;
    for (unsigned n = 0; n < MAX_NUMNODES; n++) {
        nodes_[n] = n < nr_nodes_ ? layout.nodes[n] : NodeSpan{};
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) {
            const ZoneSpan empty{};
            const ZoneSpan& span = n < nr_nodes_ ? layout.nodes[n].zones[t] : empty;
            init_zone(zones_[n][t], n, ZoneType(t), span, config_, storage);
        }
    }
    build_zonelists(layout);
    setup_per_zone_wmarks();
    setup_lowmem_reserve();
    return {};
}

// The tables the inline fast paths use (see buddy.h). Rebuilt whenever a
// watermark or lowmem_reserve changes.
void Buddy::build_fast_paths() {
    off_zone_.free_pages = 0;
    off_zone_.pcp.high = 0;
    for (unsigned h = 0; h < MAX_NR_ZONES; h++) {
        // A request limited to `h` may use ZONE_MOVABLE only when movable.
        for (unsigned f = 0; f < 4; f++) {
            uint16_t gfp = detail::fast_index_gfp(f);
            unsigned highest =
                (h == unsigned(ZoneType::Movable) && !(gfp & GFP_MOVABLE)) ? unsigned(ZoneType::Normal) : h;
            MigrateType mt =
                config_.grouping == Grouping::Disabled ? MigrateType::Unmovable : gfp_migratetype(gfp);
            Zone* z = nr_nodes_ ? candidates_[config_.local_nid][highest][0] : nullptr;
            FastAlloc& fa = fast_alloc_[h * 4 + f];
            if (!z) {
                fa = FastAlloc{&off_zone_, &off_zone_.pcp.lists[0], ~uint64_t(0), 0, false};
                continue;
            }
            bool cached = z->pcp.high != 0;
            fa.zone = z;
            // Without a cache order 0 comes from the buddy lists, and the
            // list popped is one that stays empty.
            fa.list = cached ? &z->pcp.lists[unsigned(mt)] : &off_zone_.pcp.lists[0];
            // Comfortably above: after taking even a max-order block the zone
            // is still above low + lowmem_reserve, so no order needs its own test.
            fa.mark = z->fast_mark[highest] + MAX_ORDER_NR_PAGES - 1;
            fa.mt = uint8_t(mt);
            fa.order0_from_buddy = !cached;
        }
    }
    Zone* z = nr_nodes_ ? candidates_[config_.local_nid][unsigned(ZoneType::Normal)][0] : nullptr;
    fast_zone_ = z ? z : &off_zone_;
    fast_start_ = z ? z->start_pfn.raw() : 0;
    fast_span_ = z ? z->spanned : 0;
    fast_first_ = z ? pfn_page(map_, uint32_t(fast_start_)) : nullptr;
    fast_allocated_ = z ? (Page::initial_flags(z->type, z->nid) & IDENTITY_MASK) | PG_allocated : 0;
}

Status Buddy::free_bootmem_range(Pfn start, Pfn end) {
    if (start >= end) return Error::InvalidArgument;
    // Check everything first: a refused range leaves no frame changed.
    for (uint64_t pfn = start.raw(); pfn < end.raw();) {
        Zone* z = zone_of(Pfn(pfn));
        if (!z) return Error::OutOfRange;
        uint64_t stop = end < z->end_pfn() ? end.raw() : z->end_pfn().raw();
        for (; pfn < stop; pfn++)
            if (!page(Pfn(pfn))->test(PG_reserved)) return Error::DoubleFree;
    }
    for (uint64_t pfn = start.raw(); pfn < end.raw();) {
        Zone& z = *zone_of(Pfn(pfn));
        uint64_t stop = end < z.end_pfn() ? end.raw() : z.end_pfn().raw();
        for (uint64_t p = pfn; p < stop; p++) {
            Page* pg = page(Pfn(p));
            pg->flags &= IDENTITY_MASK;
            pg->next = pg->prev = PFN_NONE;
        }
        z.managed += stop - pfn;
        while (pfn < stop) {
            unsigned order = bootmem_block_order(pfn, stop);
            free_one(z, uint32_t(pfn), order, FreePlace::Tail);
            pfn += uint64_t(1) << order;
        }
    }
    setup_per_zone_wmarks();
    setup_lowmem_reserve();
    return {};
}

uint64_t Buddy::nr_free_pages() const {
    uint64_t n = 0;
    for (unsigned nid = 0; nid < nr_nodes_; nid++)
        for (const Zone& z : zones_[nid]) n += z.free_pages + z.pcp.count();
    return n;
}

// ---- watermarks and lowmem_reserve ----------------------------------------

// min_free_kbytes is split over the zones in proportion to their size;
// ZONE_MOVABLE only gets a token minimum, since nothing that must not
// fail allocates from it. low and high sit one and two "gaps" above min,
// the gap being a quarter of min or watermark_scale_factor of the zone.
void Buddy::setup_per_zone_wmarks() {
    uint64_t lowmem = 0;
    for (unsigned n = 0; n < nr_nodes_; n++)
        for (const Zone& z : zones_[n])
            if (z.type != ZoneType::Movable) lowmem += z.managed;
    uint64_t kbytes = config_.min_free_kbytes;
    if (kbytes == 0) {
        uint64_t lowmem_kbytes = lowmem << (PAGE_SHIFT - 10);
        kbytes = clamp(int_sqrt(lowmem_kbytes * 16), MIN_FREE_KBYTES_MIN, MIN_FREE_KBYTES_MAX);
    }
    min_free_kbytes_ = kbytes;
    uint64_t pages_min = kbytes >> (PAGE_SHIFT - 10);
    for (unsigned n = 0; n < nr_nodes_; n++) {
        for (Zone& z : zones_[n]) {
            uint64_t share = lowmem ? pages_min * z.managed / lowmem : 0;
            uint64_t min = share;
            if (z.type == ZoneType::Movable) min = clamp(z.managed / 1024, SWAP_CLUSTER_MAX, 128);
            uint64_t gap = z.managed * config_.watermark_scale_factor / 10000;
            if (share / 4 > gap) gap = share / 4;
            z.watermark[WMARK_MIN] = min;
            z.watermark[WMARK_LOW] = min + gap;
            z.watermark[WMARK_HIGH] = min + 2 * gap;
            update_fast_mark(z);
        }
    }
    build_fast_paths();
}

// A lower zone keeps back, from requests that could have been served by
// a higher zone j, 1/ratio of the memory of the zones between: DMA32
// stays available for the devices that need it.
void Buddy::setup_lowmem_reserve() {
    for (unsigned n = 0; n < nr_nodes_; n++) {
        for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
            Zone& z = zones_[n][i];
            uint64_t above = 0;
            for (unsigned j = 0; j < MAX_NR_ZONES; j++) {
                if (j > i) above += zones_[n][j].managed;
                uint32_t ratio = lowmem_reserve_ratio_[i];
                z.lowmem_reserve[j] = (j > i && ratio) ? above / ratio : 0;
            }
            update_fast_mark(z);
        }
    }
    build_fast_paths();
}

Status Buddy::set_min_free_kbytes(uint64_t kbytes) {
    if (kbytes < MIN_FREE_KBYTES_MIN || kbytes > MIN_FREE_KBYTES_MAX * 4) return Error::InvalidArgument;
    config_.min_free_kbytes = kbytes;
    setup_per_zone_wmarks();
    return {};
}

Status Buddy::set_watermark_scale_factor(uint32_t factor) {
    if (factor == 0 || factor > 3000) return Error::InvalidArgument;
    config_.watermark_scale_factor = factor;
    setup_per_zone_wmarks();
    return {};
}

void Buddy::set_lowmem_reserve_ratio(const uint32_t (&ratio)[MAX_NR_ZONES]) {
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) lowmem_reserve_ratio_[i] = ratio[i];
    setup_lowmem_reserve();
}

}  // namespace mm
