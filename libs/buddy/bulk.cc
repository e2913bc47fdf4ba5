// Order-0 frames by the batch: the refill of a per-cpu cache list
// (Linux's rmqueue_bulk: take_frames and pcp_refill) and alloc_bulk
// (alloc_pages_bulk), which serves the pager's batch grants and its
// minted-frame caches.
#include "buddy/buddy.h"

namespace mm {

namespace {

using detail::IDENTITY_MASK;

}  // namespace

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

}  // namespace mm
