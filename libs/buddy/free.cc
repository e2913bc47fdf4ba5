// The freeing side of the buddy allocator: checking a free request
// against what was handed out, merging with free buddies from a pageblock
// up (below, free_block in fastpath.h), and the per-cpu cache of order-0
// frames.
#include "buddy/buddy.h"

namespace mm {

namespace {

using detail::IDENTITY_MASK;
using detail::ORDER_MASK;

unsigned order_of(uint32_t flags) { return (flags & ORDER_MASK) >> Page::ORDER_SHIFT; }

}  // namespace

Status Buddy::free_slowpath(Pfn pfn, Order order) {
    unsigned o = order.raw();
    if (o >= MAX_ORDER) return Error::InvalidArgument;
    Zone* z = zone_of(pfn);
    if (!z) return Error::NotOwned;
    uint32_t raw = uint32_t(pfn.raw());
    Page* p = pfn_page(map_, raw);
    uint32_t f = p->flags;
    if ((f & (PG_allocated | ORDER_MASK)) != (PG_allocated | (o << Page::ORDER_SHIFT)))
        return diagnose_free(*z, raw);
    if (f & (PG_lru | PG_isolated)) lru_forget(*z, p);
    if (o == 0 && z->pcp.high) {
        free_to_pcp(*z, raw, p);
        return {};
    }
    p->flags &= IDENTITY_MASK;
    free_one(*z, raw, o);
    return {};
}

// Works out why `pfn` is not the head of an allocated block of `order`.
// A block containing pfn starts at pfn rounded down to its own order, so
// trying each order finds it if there is one.
Error Buddy::diagnose_free(const Zone& z, uint64_t pfn) const {
    uint32_t f = pfn_page(map_, uint32_t(pfn))->flags;
    if (f & PG_reserved) return Error::NotOwned;
    if (f & PG_allocated) return Error::WrongOrder;
    if (f & (PG_buddy | PG_pcp)) return Error::DoubleFree;
    for (unsigned o = 1; o < MAX_ORDER; o++) {
        uint64_t head = pfn & ~((uint64_t(1) << o) - 1);
        if (!z.contains(head)) break;
        uint32_t hf = pfn_page(map_, uint32_t(head))->flags;
        if (order_of(hf) < o) continue;
        if (hf & PG_buddy) return Error::DoubleFree;
        if (hf & PG_allocated) return Error::WrongOrder;
    }
    return Error::NotOwned;
}

// free_block from a pageblock up: a whole free pageblock may sit on
// another type's list, and the merged block takes the freed block's type.
// z.free_pages already counts the freed block. Out of line, so that
// free_block reaches it by a tail call and stays small where it is inlined.
void Buddy::free_block_high(Zone& z, uint32_t pfn, unsigned order, MigrateType mt, FreePlace place) {
    uint32_t ident = pfn_page(map_, pfn)->flags & IDENTITY_MASK;  // the same for every frame of the zone
    uint32_t want = ident | PG_buddy | (order << Page::ORDER_SHIFT);
    for (; order < MAX_ORDER - 1; order++, want += detail::ORDER_ONE) {
        uint32_t buddy = pfn ^ (1u << order);
        Page* bp = pfn_page(map_, buddy);
        if (bp->flags != want) break;
        MigrateType bmt = pageblock_migratetype(z, buddy);
        FreeArea& area = z.free_area[order];
        list_unlink(map_, area.free_list[unsigned(bmt)], bp);
        area.nr_free--;
        bp->flags = ident;
        if (bmt != mt) set_block_migratetype(z, buddy, order, mt);
        pfn &= ~(1u << order);
    }
    if (order > PAGEBLOCK_ORDER) set_block_migratetype(z, pfn, order, mt);
    // From MAX_ORDER - 2 up a second merge would pass the largest order:
    // no buddy_merge_likely here.
    Page* p = pfn_page(map_, pfn);
    p->flags = want;
    push_free(z.free_area[order], mt, pfn, p, place == FreePlace::Tail);
}

// __free_one_page for the slow paths. The head's flags must already be
// its zone and node bits.
void Buddy::free_one(Zone& z, uint32_t pfn, unsigned order, FreePlace place) {
    uint32_t ident = pfn_page(map_, pfn)->flags;
    free_block(z, pfn, order, ident | PG_buddy | (order << Page::ORDER_SHIFT), place);
}

// An allocated order-0 frame of a zone with a cache carries the list it
// goes back to (fastpath.h).
void Buddy::free_to_pcp(Zone& z, uint32_t pfn, Page* p) {
    const uint32_t f = p->flags;
    p->flags = (f & (IDENTITY_MASK | detail::PCP_LIST_MASK)) | PG_pcp;
    PcpList& l = z.pcp.lists[detail::pcp_list_of(f)];
    l.push(pfn);
    if (l.size() > z.pcp.high) drain_pcp_list(z, l, z.pcp.batch);
}

// Returns the `count` coldest frames of one list (count <= its size).
void Buddy::drain_pcp_list(Zone& z, PcpList& l, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        uint32_t pfn = l.at(i);
        pfn_page(map_, pfn)->flags &= IDENTITY_MASK;
        free_one(z, pfn, 0);
    }
    l.drop_cold(count);
}

void Buddy::drain_pcp() {
    for (unsigned nid = 0; nid < nr_nodes_; nid++)
        for (Zone& z : zones_[nid])
            for (PcpList& l : z.pcp.lists) drain_pcp_list(z, l, l.size());
}

// A block being freed leaves its LRU list (or reclaim's isolation) first.
void Buddy::lru_forget(Zone& z, Page* p) {
    uint64_t pages = uint64_t(1) << p->order();
    if (p->test(PG_lru)) {
        unsigned which = p->test(PG_active) ? unsigned(LruList::Active) : unsigned(LruList::Inactive);
        list_del(map_, z.lru.lists[which], p);
        z.lru.nr_pages[which] -= pages;
    }
    if (p->test(PG_isolated)) z.lru.nr_isolated -= pages;
    p->flags &= ~uint32_t(PG_lru | PG_active | PG_referenced | PG_isolated);
    p->owner = 0;
    p->index = 0;
}

}  // namespace mm
