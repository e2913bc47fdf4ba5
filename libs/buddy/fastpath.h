// The buddy allocator's hot paths, inline: alloc() and free() with their
// per-cpu cache pop and push, rmqueue_smallest with expand
// (take_smallest) and __free_one_page below a pageblock (free_block),
// which the slow paths share. Only buddy.h includes this header.
//
// Descriptor states are compared as whole words. Every frame of a zone
// carries the same zone and node bits (`ident`, the bits IDENTITY_MASK
// keeps; verify() checks it), and the flags of a block's head are exactly:
//   ident | PG_buddy | order << ORDER_SHIFT      head of a free block
//   ident | PG_pcp | list                        frame in the per-cpu cache
//   ident | PG_allocated | order << ORDER_SHIFT  allocated head
//   ident | PG_allocated | list                  allocated order-0 frame of
//                                                a zone with a cache
// where `list` is the cache list (a migratetype, << PCP_LIST_SHIFT) the
// frame is on or goes back to (an allocated head may carry LRU and other
// bits on top, which sends its free to the slow path). So "is my buddy a
// free block of this order in my zone" is one comparison, which also says
// no to reserved frames, holes and frames of another zone or node: they
// never look like that; and a freed order-0 frame finds its cache list in
// its own flags.
//
// That list is the migratetype the frame was allocated as (the list it
// was cached on, or the request's for a frame taken from the buddy lists
// for a batch). Linux looks the pageblock's type up again when the frame
// is freed (get_pfnblock_migratetype); the two differ only for a frame
// whose pageblock changed type while it was allocated, and a drain puts
// every frame on its pageblock's free list either way.
//
// The buddy's descriptor is read before knowing it is in the zone: the
// kernel's mem_map covers every node in whole MAX_ORDER blocks
// (libs/bootmem/mm_init.h, Linux's alloc_node_mem_map), and a buddy below
// MAX_ORDER - 1 lies in the same MAX_ORDER block as the block itself.
#pragma once

#include "buddy/buddy.h"

namespace mm {

namespace detail {
inline constexpr uint32_t ORDER_MASK = ((1u << Page::ORDER_BITS) - 1) << Page::ORDER_SHIFT;
// Zone and node bits survive every state change of a descriptor.
inline constexpr uint32_t IDENTITY_MASK = ~(Page::FLAG_MASK | ORDER_MASK);
inline constexpr uint32_t ORDER_ONE = 1u << Page::ORDER_SHIFT;
inline constexpr uint32_t PCP_LIST_MASK = ((1u << Page::PCP_LIST_BITS) - 1) << Page::PCP_LIST_SHIFT;
static_assert(PG_pcp < (1u << Page::PCP_LIST_SHIFT) &&
              Page::PCP_LIST_SHIFT + Page::PCP_LIST_BITS <= Page::ORDER_SHIFT);
static_assert(MIGRATE_TYPES <= (1u << Page::PCP_LIST_BITS));
// A migratetype as the cache-list bits of a frame's flags.
constexpr uint32_t pcp_list_bits(MigrateType mt) { return uint32_t(mt) << Page::PCP_LIST_SHIFT; }
constexpr unsigned pcp_list_of(uint32_t flags) { return (flags & PCP_LIST_MASK) >> Page::PCP_LIST_SHIFT; }
// The cache-list bits, shifted right by this, are the list's byte offset
// in PerCpuPages::lists.
inline constexpr unsigned PCP_LIST_OFFSET_SHIFT = Page::PCP_LIST_SHIFT - 9;
static_assert(sizeof(PcpList) == 1u << 9);

// A request takes a fast path when, read as one word (callers hold it in
// one register, as it arrives in a message), it names no node, its zone
// limit is below 4 and it carries no flags but mobility and GFP_MEMALLOC
// (which only matters below the min watermark, where the fast paths never
// go). Zone limit 3 does not exist: its row of the table never passes.
// The reserved bytes must be zero: alloc_slow ignores them, but here they
// would stand between the table index and the top of the word.
constexpr uint64_t request_word(uint8_t order, uint8_t zone, uint8_t nid, uint16_t flags) {
    AllocRequest r;
    r.order = order;
    r.zone = ZoneType(zone);
    r.nid = nid;
    r.flags = flags;
    return std::bit_cast<uint64_t>(r);
}
inline constexpr uint16_t FAST_GFP = GFP_MOVABLE | GFP_RECLAIMABLE | GFP_MEMALLOC;
inline constexpr uint64_t FAST_REQ_MASK = ~request_word(0xff, 0x03, 0, FAST_GFP);
inline constexpr uint64_t FAST_REQ_VALUE = request_word(0, 0, NUMA_NO_NODE, 0);

// Index into the fast-path table: zone limit * 4 + mobility bits, which
// sit next to each other in the word (gfp.h).
inline constexpr unsigned FAST_INDEX_SHIFT = 30;
constexpr unsigned fast_index(uint64_t word) { return unsigned(word >> FAST_INDEX_SHIFT) & 0xf; }
// The mobility bits of a table index as GFP flags.
constexpr uint16_t fast_index_gfp(unsigned mobility) { return uint16_t(mobility << (FAST_INDEX_SHIFT - 16)); }
static_assert(fast_index(request_word(0, 2, 0, GFP_RECLAIMABLE)) == 2 * 4 + 2);
static_assert(fast_index(request_word(0, 1, 0, GFP_MOVABLE)) == 1 * 4 + 1);
static_assert(fast_index(request_word(0, 3, 0xff, 0xffff)) == 3 * 4 + 3);
static_assert(fast_index_gfp(1) == GFP_MOVABLE && fast_index_gfp(2) == GFP_RECLAIMABLE);

// The slow path's answer in one register (a Result<Pfn> is returned
// through memory): a frame number, or SLOW_ERROR | the error.
inline constexpr uint64_t SLOW_ERROR = uint64_t(1) << 63;
inline Result<Pfn> unpack(uint64_t word) {
    if (word & SLOW_ERROR) return Error(uint8_t(word));
    return Pfn(word);
}
}  // namespace detail

// fast_alloc_[fast_index(word)] for a word that takes the fast path, with
// the index and the scaling by the entry size done as one shift: every
// bit above the index is zero then, and so are the five below it.
namespace detail {
constexpr uintptr_t fast_offset(uint64_t word) { return uintptr_t(word >> (FAST_INDEX_SHIFT - 5)); }
constexpr bool fast_offset_ok(uint64_t word) {
    return (word & FAST_REQ_MASK) != FAST_REQ_VALUE || fast_offset(word) == uintptr_t(fast_index(word)) * 32;
}
static_assert(fast_offset_ok(request_word(0xff, 2, NUMA_NO_NODE, FAST_GFP)));
static_assert(fast_offset_ok(request_word(3, 1, NUMA_NO_NODE, GFP_RECLAIMABLE | GFP_MEMALLOC)));
static_assert(fast_offset_ok(request_word(0, 0, NUMA_NO_NODE, 0)));
inline constexpr uint64_t FAST_ZERO_BITS =
    ~uint64_t(0) << (FAST_INDEX_SHIFT + 4) | uint64_t(0x1f) << (FAST_INDEX_SHIFT - 5);
static_assert((FAST_REQ_MASK & FAST_ZERO_BITS) == FAST_ZERO_BITS && (FAST_REQ_VALUE & FAST_ZERO_BITS) == 0);
}  // namespace detail
inline const Buddy::FastAlloc& Buddy::fast_entry(uint64_t word) const {
    static_assert(sizeof(FastAlloc) == 32);
    uintptr_t offset = detail::fast_offset(word);
    return *reinterpret_cast<const FastAlloc*>(reinterpret_cast<uintptr_t>(fast_alloc_) + offset);
}

inline void Buddy::add_to_free_list(Zone& z, uint32_t pfn, unsigned order, MigrateType mt, bool tail) {
    Page* p = map_.pfn_to_page(Pfn(pfn));
    p->flags = (p->flags & detail::IDENTITY_MASK) | PG_buddy | (order << Page::ORDER_SHIFT);
    push_free(z.free_area[order], mt, pfn, p, tail);
    z.free_pages += uint64_t(1) << order;
}

inline void Buddy::push_free(FreeArea& area, MigrateType mt, uint32_t pfn, Page* p, bool tail) {
    if (tail)
        list_add_tail(map_, area.free_list[unsigned(mt)], pfn, p);
    else
        list_add_head(map_, area.free_list[unsigned(mt)], pfn, p);
    area.nr_free++;
}

inline void Buddy::del_from_free_list(Zone& z, uint32_t pfn, unsigned order, MigrateType mt) {
    Page* p = map_.pfn_to_page(Pfn(pfn));
    FreeArea& area = z.free_area[order];
    list_unlink(map_, area.free_list[unsigned(mt)], p);
    p->flags &= detail::IDENTITY_MASK;
    area.nr_free--;
    z.free_pages -= uint64_t(1) << order;
}

// The halves a split frees are written whole, never read: they are
// interior frames, whose zone and node bits are the head's. The head
// ends with the flags of a free block of `order` (ident | PG_buddy |
// order << ORDER_SHIFT) xor `flip`, one instruction from what the split
// leaves in a register.
inline uint32_t Buddy::take_smallest(Zone& z, unsigned order, MigrateType mt, uint32_t flip) {
    const MemMap map = map_;  // a local copy: stores to the counters cannot alias it
    const unsigned m = unsigned(mt);
    unsigned o = order;
    uint32_t pfn;
    while ((pfn = z.free_area[o].free_list[m].head) == PFN_NONE)
        if (++o == MAX_ORDER) return PFN_NONE;
    FreeArea* area = &z.free_area[o];
    Page* p = pfn_page(map, pfn);
    uint32_t next = p->next;
    area->free_list[m].head = next;
    if (next != PFN_NONE)
        pfn_page(map, next)->prev = PFN_NONE;
    else
        area->free_list[m].tail = PFN_NONE;
    area->nr_free--;
    uint32_t state = p->flags;  // ident | PG_buddy | o << ORDER_SHIFT
    const uint32_t want = 1u << order;
    if (o != order) {
        // expand: the upper half of each split goes to the next list down.
        uint32_t size = 1u << o;
        do {
            size >>= 1;
            state -= detail::ORDER_ONE;
            area--;
            Page* h = p + size;
            list_add_head(map, area->free_list[m], pfn + size, h);
            h->flags = state;  // after the links: x86 compilers would pair it with `next` in a vector store
            area->nr_free++;
        } while (size != want);
    }
    z.free_pages -= want;
    p->flags = state ^ flip;
    return pfn;
}

[[gnu::always_inline]] inline uint32_t Buddy::take_block(Zone& z, unsigned order, MigrateType mt) {
    return take_smallest(z, order, mt, PG_buddy | PG_allocated);
}

static_assert(PAGEBLOCK_ORDER == MAX_ORDER - 2, "free_block tests buddy_merge_likely below a pageblock only");

// Below a pageblock both halves of a block share one pageblock and so one
// list; merges that reach a pageblock continue in free_block_high.
// `state` is what the head's flags are when the block is free:
// ident | PG_buddy | order << ORDER_SHIFT, which is also what a free buddy
// of the same order shows.
inline void Buddy::free_block(Zone& z, uint32_t pfn, unsigned order, uint32_t state, FreePlace place) {
    const MemMap map = map_;  // a local copy: stores to the counters cannot alias it
    const unsigned mt = z.pageblock_type(pfn);
    const uint32_t ident = state & detail::IDENTITY_MASK;
    uint32_t size = 1u << order;
    z.free_pages += size;
    FreeArea* area = &z.free_area[order];
    for (;;) {
        if (size >= PAGEBLOCK_NR_PAGES) {
            unsigned order_now = (state & detail::ORDER_MASK) >> Page::ORDER_SHIFT;
            return free_block_high(z, pfn, order_now, MigrateType(mt), place);
        }
        Page* bp = pfn_page(map, pfn ^ size);
        if (bp->flags != state) break;
        list_unlink(map, area->free_list[mt], bp);
        area->nr_free--;
        bp->flags = ident;
        pfn &= ~size;
        size <<= 1;
        area++;
        state += detail::ORDER_ONE;
    }
    // buddy_merge_likely: when the buddy of the merged pair one order up is
    // already free, our own buddy's return would merge twice; go last so
    // that the block is still here then.
    bool tail = place == FreePlace::Tail ||
                pfn_page(map, (pfn & ~size) ^ (size << 1))->flags == state + detail::ORDER_ONE;
    Page* p = pfn_page(map, pfn);
    if (tail)
        list_add_tail(map, area->free_list[mt], pfn, p);
    else
        list_add_head(map, area->free_list[mt], pfn, p);
    p->flags = state;
    area->nr_free++;
}

// free()'s way into the buddy lists; `flags` is the head's, as free() read
// it: an allocated block of this order in the fast zone, nothing more, so
// the free block's state is the same word with PG_buddy for PG_allocated.
// The head keeps only its zone and node bits until the merge decides
// where the free block starts.
[[gnu::always_inline]] inline void Buddy::free_buddy(Page* p, uint32_t pfn, unsigned order, uint32_t flags) {
    p->flags = flags & detail::IDENTITY_MASK;
    free_block(*fast_zone_, pfn, order, flags ^ (PG_allocated | PG_buddy), FreePlace::Auto);
}

// alloc(), free() and the two steps they take into the buddy lists are
// always inlined: at -O2 (the target build) gcc would call them, and the
// Result would come back through memory instead of in registers.
//
// The fast paths (Linux's pcp fast path and rmqueue_smallest): a request
// of the local node whose first zone is comfortably above its low
// watermark takes the hottest cached frame (order 0 with a cache) or the
// smallest block of its own migratetype. Anything else goes through
// alloc_slow, which makes the same choice whenever a fast path would have
// and returns every error.
[[gnu::always_inline]] inline Result<Pfn> Buddy::alloc(AllocRequest req) {
    uint64_t word = std::bit_cast<uint64_t>(req);
    if ((word & detail::FAST_REQ_MASK) == detail::FAST_REQ_VALUE) [[likely]] {
        const FastAlloc& fa = fast_entry(word);
        Zone& z = *fa.zone;
        unsigned order = req.order;
        if (z.free_pages > fa.mark) [[likely]] {
            bool from_buddy = order < MAX_ORDER;
            if (order == 0) {
                if (!fa.list->empty()) [[likely]] {
                    uint32_t pfn = fa.list->pop();
                    // A cached frame's flags are exactly ident | PG_pcp | list.
                    map_.pfn_to_page(Pfn(pfn))->flags ^= PG_pcp | PG_allocated;
                    return Pfn(pfn);
                }
                from_buddy = fa.order0_from_buddy;
            }
            if (from_buddy) {
                uint32_t pfn = take_block(z, order, MigrateType(fa.mt));
                if (pfn != PFN_NONE) [[likely]]
                    return Pfn(pfn);
            }
        }
    }
    return detail::unpack(alloc_slow(word));
}

// The fast paths: a frame of the fast zone whose head shows exactly an
// allocated block of this order (so not on an LRU list, not isolated)
// goes onto its cache list (order 0, while the list is below high) or
// merges into the buddy lists. Everything else, including every error
// and a full list, goes through free_slowpath. The head's flags are
// compared with the whole word the fast zone's allocated heads carry
// (fast_allocated_ plus the order, or plus the cache list for order 0),
// so the state test is one comparison and, for order 0, what is left
// after it is the list's offset.
[[gnu::always_inline]] inline Status Buddy::free(Pfn pfn, Order order) {
    uint64_t raw = pfn.raw();
    const uint64_t index = raw - fast_start_;
    if (index < fast_span_) [[likely]] {
        Page* p = fast_first_ + index;
        uint32_t f = p->flags;
        Zone& z = *fast_zone_;
        if (order.raw() == 0) {
            const uint32_t list = f ^ fast_allocated_;
            if (!(list & ~detail::PCP_LIST_MASK)) [[likely]] {
                PcpList* l = reinterpret_cast<PcpList*>(reinterpret_cast<uintptr_t>(z.pcp.lists) +
                                                        (list >> detail::PCP_LIST_OFFSET_SHIFT));
                const uint32_t n = l->count;
                if (n < z.pcp.high) [[likely]] {
                    p->flags = f ^ (PG_allocated | PG_pcp);
                    l->count = n + 1;
                    l->slots[n] = uint32_t(raw);
                    return {};
                }
            }
            if (z.pcp.high) return free_slowpath(pfn, order);
        }
        if (f == fast_allocated_ + (order.raw() << Page::ORDER_SHIFT)) [[likely]] {
            free_buddy(p, uint32_t(raw), order.raw(), f);
            return {};
        }
    }
    return free_slowpath(pfn, order);
}

}  // namespace mm
