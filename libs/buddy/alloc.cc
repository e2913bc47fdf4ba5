// The allocation side of the buddy allocator: the passes of __alloc_pages
// over the zonelist under the watermarks, and rmqueue with expand. alloc()
// (fastpath.h) comes here for everything its fast paths leave alone; an
// empty per-cpu cache list is refilled by bulk.cc.
#include "buddy/buddy.h"

namespace mm {

namespace {

using detail::IDENTITY_MASK;

}  // namespace

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

// After the allocation the zone must keep more than `mark` free frames
// plus what it reserves for requests limited to lower zones, and for
// order > 0 a block of that size must exist at all.
bool Buddy::watermark_ok(const Zone& z, unsigned order, uint64_t mark, unsigned highest) {
    uint64_t need = mark + z.lowmem_reserve[highest] + (uint64_t(1) << order) - 1;
    if (z.free_pages <= need) return false;
    return order == 0 || zone_has_block(z, order);
}

bool Buddy::zone_has_block(const Zone& z, unsigned order) {
    for (unsigned o = order; o < MAX_ORDER; o++)
        if (z.free_area[o].nr_free) return true;
    return false;
}

// ---- taking blocks off the lists (rmqueue) --------------------------------

uint32_t Buddy::rmqueue(Zone& z, unsigned order, MigrateType mt) {
    if (order == 0 && z.pcp.high) {
        uint32_t pfn;
        return rmqueue_pcp(z, mt, pfn) ? pfn : PFN_NONE;
    }
    return rmqueue_any(z, order, mt);
}

// Takes an order-0 frame from the zone's cache, refilling it when empty.
bool Buddy::rmqueue_pcp(Zone& z, MigrateType mt, uint32_t& pfn) {
    PcpList& l = z.pcp.lists[unsigned(mt)];
    if (l.empty() && pcp_refill(z, mt) == 0) return false;
    pfn = l.pop();
    return true;
}

uint32_t Buddy::rmqueue_any(Zone& z, unsigned order, MigrateType mt) {
    uint32_t pfn = rmqueue_smallest(z, order, mt);
    if (pfn == PFN_NONE && config_.grouping == Grouping::ByMobility) pfn = rmqueue_fallback(z, order, mt);
    return pfn;
}

// The head is left with its zone and node bits only.
uint32_t Buddy::rmqueue_smallest(Zone& z, unsigned order, MigrateType mt) {
    return take_smallest(z, order, mt, PG_buddy | (order << Page::ORDER_SHIFT));
}

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

void Buddy::prep_new_page(uint32_t pfn, unsigned order, uint16_t flags) {
    Page* p = pfn_page(map_, pfn);
    // A cached frame keeps its cache list; a buddy block's head has none.
    p->flags =
        (p->flags & (IDENTITY_MASK | detail::PCP_LIST_MASK)) | PG_allocated | (order << Page::ORDER_SHIFT);
    if (flags & GFP_ZERO) config_.zero.zero(config_.zero.ctx, Pfn(pfn), Order(order));
}

}  // namespace mm
