// Set-up and the allocation side of the buddy allocator: zone and
// zonelist construction, free_all_bootmem, the allocation passes of
// __alloc_pages, rmqueue with expand, and the per-cpu cache refill.
#include "buddy/buddy.h"

#include "base/bits.h"

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

}  // namespace

size_t Buddy::pageblock_storage_size(const MemoryLayout& layout) {
    size_t n = 0;
    for (unsigned nid = 0; nid < layout.nr_nodes && nid < MAX_NUMNODES; nid++)
        for (const ZoneSpan& z : layout.nodes[nid].zones) n += pageblocks_spanned(z);
    return n;
}

Status Buddy::check_layout(const MemoryLayout& layout) const {
    if (layout.nr_nodes == 0 || layout.nr_nodes > MAX_NUMNODES) return Error::InvalidArgument;
    for (unsigned nid = 0; nid < layout.nr_nodes; nid++) {
        const NodeSpan& node = layout.nodes[nid];
        if (node.spanned > MAX_PFN_LIMIT || node.start.raw() > MAX_PFN_LIMIT - node.spanned)
            return Error::InvalidArgument;
        Pfn prev_end = node.start;
        for (const ZoneSpan& z : node.zones) {
            if (z.spanned == 0) {
                if (z.present != 0) return Error::InvalidArgument;
                continue;
            }
            // Zones lie inside their node, in ZoneType order, without overlap.
            if (z.present > z.spanned || z.start < prev_end || z.end() > node.end())
                return Error::InvalidArgument;
            prev_end = z.end();
        }
        for (unsigned other = 0; other < nid; other++)
            if (ranges_overlap(node.start, node.spanned, layout.nodes[other].start,
                               layout.nodes[other].spanned))
                return Error::InvalidArgument;
    }
    if (config_.pcp_batch != 0 && (config_.pcp_high < config_.pcp_batch || config_.pcp_high >= PCP_SLOTS))
        return Error::InvalidArgument;
    if (config_.watermark_scale_factor == 0 || config_.watermark_scale_factor > 3000)
        return Error::InvalidArgument;
    if (config_.local_nid >= layout.nr_nodes) return Error::InvalidArgument;
    return {};
}

void Buddy::init_zone(Zone& z, unsigned nid, ZoneType t, const ZoneSpan& span, uint8_t*& storage) {
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
    z.pcp.batch = config_.pcp_batch;
    z.pcp.high = config_.pcp_batch ? config_.pcp_high : 0;
    for (unsigned i = 0; i < NR_LRU_LISTS; i++) {
        z.lru.lists[i] = PageList{};
        z.lru.nr_pages[i] = 0;
    }
    z.lru.nr_isolated = 0;
    // Linux marks every pageblock movable at boot: most memory ends up
    // holding user pages, and unmovable requests claim blocks as needed.
    uint8_t initial =
        uint8_t(config_.grouping == Grouping::Disabled ? MigrateType::Unmovable : MigrateType::Movable);
    z.pageblock_base = Pfn(align_down(span.start.raw(), PAGEBLOCK_NR_PAGES));
    uint64_t blocks = pageblocks_spanned(span);
    z.pageblock_mt = blocks ? storage : nullptr;
    z.pageblock_mt_bias = reinterpret_cast<uintptr_t>(storage) - (z.pageblock_base.raw() >> PAGEBLOCK_ORDER);
    for (uint64_t i = 0; i < blocks; i++) storage[i] = initial;
    storage += blocks;
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
            init_zone(zones_[n][t], n, ZoneType(t), span, storage);
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
            // The largest order pfn is aligned to.
            unsigned order = pfn ? bits::lowest_set(pfn) : MAX_ORDER - 1;
            if (order > MAX_ORDER - 1) order = MAX_ORDER - 1;
            while (pfn + (uint64_t(1) << order) > stop) order--;
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

// ---- free lists -----------------------------------------------------------

// Splits a block of order `high` at `pfn` down to order `low`, freeing the
// upper half at each step; the lowest 2^low frames stay with the caller.
void Buddy::expand(Zone& z, uint32_t pfn, unsigned low, unsigned high, MigrateType mt) {
    uint32_t size = 1u << high;
    while (high > low) {
        high--;
        size >>= 1;
        add_to_free_list(z, pfn + size, high, mt, false);
    }
}

// The head is left with its zone and node bits only.
uint32_t Buddy::rmqueue_smallest(Zone& z, unsigned order, MigrateType mt) {
    return take_smallest(z, order, mt, PG_buddy | (order << Page::ORDER_SHIFT));
}

uint32_t Buddy::rmqueue_any(Zone& z, unsigned order, MigrateType mt) {
    uint32_t pfn = rmqueue_smallest(z, order, mt);
    if (pfn == PFN_NONE && config_.grouping == Grouping::ByMobility) pfn = rmqueue_fallback(z, order, mt);
    return pfn;
}

// Takes up to `want` order-0 frames of `mt` from the buddy lists
// (rmqueue_bulk) and hands each to put(pfn) with its flags set to its
// zone and node bits | `flag`. Returns how many.
//
// The frames are the ones `want` calls of rmqueue_any(z, 0, mt) would
// take, in the same order, and the lists end as those calls would leave
// them; but each block is taken off its list once and handed out whole,
// instead of being split one frame at a time. One-frame allocations
// empty the lists from the smallest order up, and a block of order k,
// split for its first frame, hands out all its 2^k frames in address
// order before the next block is touched. If the run ends inside a
// block, what is left goes back as the splits would have left it: one
// naturally aligned piece per set bit of the number of frames left, each
// alone on its list, since every list below k was empty.
template <typename Put>
uint32_t Buddy::take_frames(Zone& z, MigrateType mt, uint32_t want, uint32_t flag, Put put) {
    const MemMap map = map_;
    const unsigned m = unsigned(mt);
    uint32_t n = 0;
    unsigned o = 0;
    while (n < want) {
        while (o < MAX_ORDER && z.free_area[o].free_list[m].empty()) o++;
        if (o == MAX_ORDER) {
            // Nothing of this type left: one frame through the fallback,
            // which may move a whole pageblock onto this type's lists.
            uint32_t pfn = config_.grouping == Grouping::ByMobility ? rmqueue_fallback(z, 0, mt) : PFN_NONE;
            if (pfn == PFN_NONE) break;
            Page* p = pfn_page(map, pfn);
            p->flags = (p->flags & IDENTITY_MASK) | flag;
            put(pfn);
            n++;
            o = 0;
            continue;
        }
        FreeArea& area = z.free_area[o];
        uint32_t pfn = list_pop_head(map, area.free_list[m]);
        area.nr_free--;
        Page* p = pfn_page(map, pfn);
        const uint32_t state = (p->flags & IDENTITY_MASK) | flag;
        const uint32_t size = 1u << o;
        const uint32_t take = size < want - n ? size : want - n;
        z.free_pages -= size;
        for (uint32_t i = 0; i < take; i++) {
            p[i].flags = state;
            put(pfn + i);
        }
        n += take;
        for (uint32_t x = take, j = 0; x < size; j++) {
            if (!(x & (1u << j))) continue;
            add_to_free_list(z, pfn + x, j, mt, false);
            x += 1u << j;
        }
    }
    return n;
}

// Refills an empty cache list with up to `batch` frames, stacked so that
// the lowest frame comes out first. Returns how many.
uint32_t Buddy::pcp_refill(Zone& z, MigrateType mt) {
    PcpList& l = z.pcp.lists[unsigned(mt)];  // empty
    const uint32_t batch = z.pcp.batch;
    uint32_t* top = l.slots + batch;  // filled downwards: the first frame taken is on top
    const uint32_t n =
        take_frames(z, mt, batch, PG_pcp | detail::pcp_list_bits(mt), [&](uint32_t pfn) { *--top = pfn; });
    if (n < batch)
        for (uint32_t i = 0; i < n; i++) l.slots[i] = top[i];
    l.count = n;
    return n;
}

// Takes an order-0 frame from the zone's cache, refilling it when empty.
bool Buddy::rmqueue_pcp(Zone& z, MigrateType mt, uint32_t& pfn) {
    PcpList& l = z.pcp.lists[unsigned(mt)];
    if (l.empty() && pcp_refill(z, mt) == 0) return false;
    pfn = l.pop();
    return true;
}

uint32_t Buddy::rmqueue(Zone& z, unsigned order, MigrateType mt) {
    if (order == 0 && z.pcp.high) {
        uint32_t pfn;
        return rmqueue_pcp(z, mt, pfn) ? pfn : PFN_NONE;
    }
    return rmqueue_any(z, order, mt);
}

void Buddy::prep_new_page(uint32_t pfn, unsigned order, uint16_t flags) {
    Page* p = pfn_page(map_, pfn);
    // A cached frame keeps its cache list; a buddy block's head has none.
    p->flags =
        (p->flags & (IDENTITY_MASK | detail::PCP_LIST_MASK)) | PG_allocated | (order << Page::ORDER_SHIFT);
    if (flags & GFP_ZERO) config_.zero.zero(config_.zero.ctx, Pfn(pfn), Order(order));
}

// ---- allocation passes ----------------------------------------------------

bool Buddy::zone_allowed(const Zone& z, unsigned nid, uint16_t flags) const {
    return !(flags & GFP_THISNODE) || z.nid == nid;
}

// Returns the head of a block, or PFN_NONE when no allowed zone passes
// the watermark of `pass` with a block to spare.
uint32_t Buddy::get_page_from_freelist(unsigned order, unsigned nid, unsigned highest, MigrateType mt,
                                       uint16_t flags, WatermarkPass pass) {
    for (Zone* const* zp = candidates_[nid][highest]; *zp; ++zp) {
        Zone& z = **zp;
        if (!zone_allowed(z, nid, flags)) continue;
        if (pass != WatermarkPass::None) {
            uint64_t mark = z.watermark[pass == WatermarkPass::Low ? WMARK_LOW : WMARK_MIN];
            if (!watermark_ok(z, order, mark, highest)) continue;
        }
        uint32_t pfn = rmqueue(z, order, mt);
        if (pfn != PFN_NONE) return pfn;
    }
    return PFN_NONE;
}

Result<Pfn> Buddy::alloc_slowpath(AllocRequest req) {
    return detail::unpack(alloc_slow(std::bit_cast<uint64_t>(req)));
}

// Checks the request, then runs the passes of __alloc_pages. Returns the
// frame, or detail::SLOW_ERROR | the error.
// alloc() hands the request over as the word it tested.
uint64_t Buddy::alloc_slow(uint64_t request_word) {
    const AllocRequest req = std::bit_cast<AllocRequest>(request_word);
    unsigned order = req.order;
    if (order >= MAX_ORDER || unsigned(req.zone) >= MAX_NR_ZONES || (req.flags & ~GFP_KNOWN_MASK))
        return detail::SLOW_ERROR | uint8_t(Error::InvalidArgument);
    unsigned nid = req.nid == NUMA_NO_NODE ? config_.local_nid : req.nid;
    if (nid >= nr_nodes_) return detail::SLOW_ERROR | uint8_t(Error::InvalidArgument);
    if ((req.flags & GFP_ZERO) && !config_.zero.zero) return detail::SLOW_ERROR | uint8_t(Error::Unsupported);
    unsigned highest = highest_zoneidx(req);
    MigrateType mt =
        config_.grouping == Grouping::Disabled ? MigrateType::Unmovable : gfp_migratetype(req.flags);
    uint32_t pfn = get_page_from_freelist(order, nid, highest, mt, req.flags, WatermarkPass::Low);
    if (pfn == PFN_NONE) {
        pfn = alloc_retry(req, nid, highest, mt);
        if (pfn == PFN_NONE)
            return detail::SLOW_ERROR | uint8_t(classify_failure(order, nid, highest, req.flags));
    }
    prep_new_page(pfn, order, req.flags);
    return pfn;
}

// The slow path of __alloc_pages: retry above min, then (for the pager's
// own needs) without watermarks, then once more after draining the
// per-cpu caches, whose frames the watermark checks do not count.
uint32_t Buddy::alloc_retry(AllocRequest req, unsigned nid, unsigned highest, MigrateType mt) {
    WatermarkPass last = (req.flags & GFP_MEMALLOC) ? WatermarkPass::None : WatermarkPass::Min;
    uint32_t pfn = get_page_from_freelist(req.order, nid, highest, mt, req.flags, WatermarkPass::Min);
    if (pfn == PFN_NONE && last == WatermarkPass::None)
        pfn = get_page_from_freelist(req.order, nid, highest, mt, req.flags, last);
    if (pfn != PFN_NONE) return pfn;
    bool cached = false;
    for (Zone* const* zp = candidates_[nid][highest]; *zp; ++zp) cached |= (*zp)->pcp.count() != 0;
    if (!cached) return PFN_NONE;
    drain_pcp();
    return get_page_from_freelist(req.order, nid, highest, mt, req.flags, last);
}

// "Below a watermark, reclaim would help" when an allowed zone holds a
// large enough free block that only the watermark kept back, or holds
// frames on its LRU lists; otherwise there is simply no memory.
Error Buddy::classify_failure(unsigned order, unsigned nid, unsigned highest, uint16_t flags) const {
    for (Zone* const* zp = candidates_[nid][highest]; *zp; ++zp) {
        const Zone& z = **zp;
        if (!zone_allowed(z, nid, flags)) continue;
        if (zone_has_block(z, order)) return Error::TryAgain;
        if (z.lru.nr_pages[0] + z.lru.nr_pages[1] != 0) return Error::TryAgain;
    }
    return Error::NoMemory;
}

// Takes up to `n` frames for alloc_bulk: first what the cache list of
// `mt` holds, the hottest first, marked allocated as the cache's alloc()
// does (a cached frame's flags are exactly ident | PG_pcp | list); then, while
// at least a cache batch is still wanted, straight from the buddy lists
// (the frames a refill would stack, without stacking them); the rest
// through a refill, which leaves the cache warm for the next requests.
size_t Buddy::bulk_from_pcp(Zone& z, MigrateType mt, size_t n, Pfn* out) {
    const MemMap map = map_;
    PcpList& l = z.pcp.lists[unsigned(mt)];
    size_t got = 0;
    while (got < n) {
        if (l.empty()) {
            if (n - got >= z.pcp.batch) {
                const uint32_t took =
                    take_frames(z, mt, uint32_t(n - got), PG_allocated | detail::pcp_list_bits(mt),
                                [&](uint32_t pfn) { out[got++] = Pfn(pfn); });
                if (took) continue;
                break;
            }
            if (pcp_refill(z, mt) == 0) break;
        }
        const uint32_t count = l.count;
        const uint32_t take = count < n - got ? count : uint32_t(n - got);
        for (uint32_t i = 1; i <= take; i++) {
            uint32_t pfn = l.slots[count - i];
            pfn_page(map, pfn)->flags ^= PG_pcp | PG_allocated;
            out[got++] = Pfn(pfn);
        }
        l.count = count - take;
    }
    return got;
}

Result<size_t> Buddy::alloc_bulk(AllocRequest req, size_t n, Pfn* out) {
    if (req.order != 0 || n == 0 || !out) return Error::InvalidArgument;
    if (unsigned(req.zone) >= MAX_NR_ZONES || (req.flags & ~GFP_KNOWN_MASK)) return Error::InvalidArgument;
    unsigned nid = req.nid == NUMA_NO_NODE ? config_.local_nid : req.nid;
    if (nid >= nr_nodes_) return Error::InvalidArgument;
    if ((req.flags & GFP_ZERO) && !config_.zero.zero) return Error::Unsupported;
    if (n > UINT32_MAX) n = UINT32_MAX;  // "up to n": the frame runs below count in 32 bits
    unsigned highest = highest_zoneidx(req);
    MigrateType mt =
        config_.grouping == Grouping::Disabled ? MigrateType::Unmovable : gfp_migratetype(req.flags);
    for (Zone* const* zp = candidates_[nid][highest]; *zp; ++zp) {
        Zone& z = **zp;
        if (!zone_allowed(z, nid, req.flags)) continue;
        if (!watermark_ok(z, 0, z.watermark[WMARK_LOW] + n, highest)) continue;
        size_t got = 0;
        if (z.pcp.high)
            got = bulk_from_pcp(z, mt, n, out);
        else
            (void)take_frames(z, mt, uint32_t(n), PG_allocated, [&](uint32_t pfn) { out[got++] = Pfn(pfn); });
        if (req.flags & GFP_ZERO)
            for (size_t i = 0; i < got; i++) config_.zero.zero(config_.zero.ctx, out[i], Order(0));
        if (got) return got;
    }
    // Nothing above the low watermark plus the batch: one frame the slow way.
    Pfn one = TRY(alloc_slowpath(req));
    out[0] = one;
    return size_t(1);
}

}  // namespace mm
