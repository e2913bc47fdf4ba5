// The freeing side of the buddy allocator: checking a free request
// against what was handed out, merging with free buddies
// (__free_one_page), and the per-cpu cache of order-0 frames.
#include "mm/buddy.h"

namespace mm {

namespace {

constexpr uint32_t ORDER_MASK = ((1u << Page::ORDER_BITS) - 1) << Page::ORDER_SHIFT;
constexpr uint32_t IDENTITY_MASK = ~(Page::FLAG_MASK | ORDER_MASK);

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
    free_one(*z, raw, o, pageblock_migratetype(*z, raw));
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

// Merging is likely soon if the block's buddy at the next order up is
// already free: once our own buddy comes back, two merges follow. Such a
// block goes to the tail of its list so it is handed out last.
bool Buddy::buddy_merge_likely(const Zone& z, uint32_t pfn, unsigned order) const {
    uint32_t combined = pfn & ~(1u << order);
    uint32_t higher_buddy = combined ^ (1u << (order + 1));
    if (!z.contains(higher_buddy)) return false;
    uint32_t f = pfn_page(map_, higher_buddy)->flags;
    return (f & PG_buddy) && order_of(f) == order + 1;
}

// __free_one_page: merge with the buddy while it is free with the same
// order and inside the zone (a hole's frames stay PG_reserved and never
// look free), then put the result on the list of `mt`.
void Buddy::free_one(Zone& z, uint32_t pfn, unsigned order, MigrateType mt, FreePlace place) {
    while (order < MAX_ORDER - 1) {
        uint32_t buddy = pfn ^ (1u << order);
        if (!z.contains(buddy)) break;
        uint32_t bf = pfn_page(map_, buddy)->flags;
        if (!(bf & PG_buddy) || order_of(bf) != order) break;
        // Below a pageblock both halves share one pageblock and so one list;
        // a whole free pageblock may sit on another type's list.
        MigrateType bmt = order >= PAGEBLOCK_ORDER ? pageblock_migratetype(z, buddy) : mt;
        del_from_free_list(z, buddy, order, bmt);
        if (bmt != mt) set_block_migratetype(z, buddy, order, mt);
        pfn &= buddy;
        order++;
    }
    if (order > PAGEBLOCK_ORDER) set_block_migratetype(z, pfn, order, mt);
    bool tail = place == FreePlace::Tail || (order < MAX_ORDER - 2 && buddy_merge_likely(z, pfn, order));
    add_to_free_list(z, pfn, order, mt, tail);
}

void Buddy::free_to_pcp(Zone& z, uint32_t pfn, Page* p) {
    p->flags = (p->flags & IDENTITY_MASK) | PG_pcp;
    z.pcp.lists[unsigned(pageblock_migratetype(z, pfn))].push(pfn);
    if (++z.pcp.count > z.pcp.high) drain_pcp_zone(z, z.pcp.batch);
}

// Returns up to `count` frames from the cold ends of the cache's lists,
// taking from each list in turn (free_pcppages_bulk).
void Buddy::drain_pcp_zone(Zone& z, uint32_t count) {
    unsigned mt = 0;
    while (count && z.pcp.count) {
        PcpList& l = z.pcp.lists[mt];
        mt = (mt + 1) % MIGRATE_TYPES;
        if (l.empty()) continue;
        uint32_t pfn = l.pop_cold();
        pfn_page(map_, pfn)->flags &= ~uint32_t(PG_pcp);
        z.pcp.count--;
        count--;
        free_one(z, pfn, 0, pageblock_migratetype(z, pfn));
    }
}

void Buddy::drain_pcp() {
    for (unsigned nid = 0; nid < nr_nodes_; nid++)
        for (Zone& z : zones_[nid]) drain_pcp_zone(z, z.pcp.count);
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
