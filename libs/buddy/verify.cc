// A full consistency check of the allocator, for tests, fuzzing and
// debug builds of the pager. It needs no memory of its own: it walks
// each zone in frame order, where every frame must be reserved or belong
// to exactly one block (free, cached or allocated), and then walks every
// list and compares what it finds with the walk and with the counters.
#include "buddy/buddy.h"

namespace mm {

namespace {

constexpr uint32_t HEAD_FLAGS = PG_buddy | PG_allocated | PG_pcp;
constexpr uint32_t STATE_FLAGS = HEAD_FLAGS | PG_reserved | PG_lru | PG_isolated;
// Bits above the node field: nobody sets them, and the fast paths compare
// whole flag words, so a stray bit would make a frame unmergeable.
constexpr uint32_t UNUSED_BITS = ~uint32_t(0) << (Page::NODE_SHIFT + Page::NODE_BITS);
// Everything but zone and node: the state part of a flag word.
constexpr uint32_t STATE_PART = ~detail::IDENTITY_MASK;

// Filled by explicit loops rather than `= {}`, which the compiler may turn
// into a memset call the freestanding pager does not have.
struct ZoneTally {
    uint64_t blocks[MAX_ORDER][MIGRATE_TYPES];
    uint64_t free_pages, managed, pcp, isolated;
    uint64_t lru[NR_LRU_LISTS];

    void clear() {
        for (auto& per_order : blocks)
            for (uint64_t& n : per_order) n = 0;
        free_pages = managed = pcp = isolated = 0;
        for (uint64_t& n : lru) n = 0;
    }
};

Status fail(const TextSink* why, const char* what, unsigned nid, ZoneType t, uint64_t pfn) {
    if (why) format(*why, "node %u zone %s pfn %#lx: %s\n", nid, zone_name(t), (unsigned long)pfn, what);
    return Error::Malformed;
}

// Checks the frames of one block after its head: none may carry state of
// its own, or two blocks overlap, or a block covers a hole; and all carry
// the head's zone and node bits and nothing unknown, since splitting a
// block gives its halves the head's. Returns the problem, or null.
const char* interior_problem(const MemMap& map, uint64_t head, uint64_t size) {
    uint32_t ident = map.pfn_to_page(Pfn(head))->flags & detail::IDENTITY_MASK;
    for (uint64_t p = head + 1; p < head + size; p++) {
        uint32_t f = map.pfn_to_page(Pfn(p))->flags;
        if (f & STATE_FLAGS) return "block overlaps state or a hole";
        if ((f & detail::IDENTITY_MASK) != ident)
            return "interior frame with other zone, node or unknown bits";
    }
    return nullptr;
}

struct Checker {
    const Buddy& b;
    const Zone& z;
    const TextSink* why;

    Status fail(const char* what, uint64_t pfn) const { return mm::fail(why, what, z.nid, z.type, pfn); }
    const Page* page(uint64_t pfn) const { return b.page(Pfn(pfn)); }

    // Classifies one block head found by the frame walk into the tally.
    Status tally_block(uint64_t pfn, const Page* p, ZoneTally& t) const {
        uint32_t f = p->flags;
        uint64_t size = uint64_t(1) << p->order();
        if (pfn & (size - 1)) return fail("block not aligned to its order", pfn);
        if (pfn + size > z.end_pfn().raw()) return fail("block crosses the zone end", pfn);
        if (const char* problem = interior_problem(b.memmap(), pfn, size)) return fail(problem, pfn);
        if (f & PG_buddy)
            TRY_STATUS(tally_free(pfn, p, t));
        else if (f & PG_pcp)
            TRY_STATUS(tally_cached(pfn, f, size, t));
        else
            TRY_STATUS(tally_allocated(pfn, f, size, t));
        t.managed += size;
        return {};
    }

    // A free block: one migratetype throughout, off the LRU lists, and a
    // head whose flags are exactly those of a free block of its order.
    Status tally_free(uint64_t pfn, const Page* p, ZoneTally& t) const {
        uint32_t f = p->flags;
        uint64_t size = uint64_t(1) << p->order();
        MigrateType mt = Buddy::pageblock_migratetype(z, pfn);
        for (uint64_t q = pfn; q < pfn + size; q += PAGEBLOCK_NR_PAGES)
            if (Buddy::pageblock_migratetype(z, q) != mt)
                return fail("free block spans pageblocks of two types", pfn);
        if (f & (PG_lru | PG_isolated)) return fail("free block on an LRU list", pfn);
        // The merge test compares whole words (fastpath.h).
        if ((f & STATE_PART & ~detail::ORDER_MASK) != PG_buddy)
            return fail("free block head carries other flags", pfn);
        t.blocks[p->order()][unsigned(mt)]++;
        t.free_pages += size;
        return {};
    }

    // A frame in the per-cpu cache: order 0, off the LRU lists, and no
    // flags but PG_pcp and its list.
    Status tally_cached(uint64_t pfn, uint32_t f, uint64_t size, ZoneTally& t) const {
        if (size != 1) return fail("cached frame with an order", pfn);
        if (f & (PG_lru | PG_isolated)) return fail("cached frame on an LRU list", pfn);
        // The cache's alloc flips PG_pcp to PG_allocated (fastpath.h);
        // check_pcp checks the list bits.
        if ((f & STATE_PART & ~detail::PCP_LIST_MASK) != PG_pcp)
            return fail("cached frame carries other flags", pfn);
        t.pcp++;
        return {};
    }

    // An allocated block: a cache list only where one exists, and on an
    // LRU list or isolated, not both.
    Status tally_allocated(uint64_t pfn, uint32_t f, uint64_t size, ZoneTally& t) const {
        // An order-0 frame of a zone with a cache names the list it
        // goes back to; free() reads it unchecked (fastpath.h).
        if (f & detail::PCP_LIST_MASK) {
            if (size != 1 || !z.pcp.high) return fail("cache list on a block that is never cached", pfn);
            if (detail::pcp_list_of(f) >= MIGRATE_TYPES) return fail("cache list out of range", pfn);
        }
        if ((f & PG_lru) && (f & PG_isolated)) return fail("block both listed and isolated", pfn);
        if (f & PG_lru) t.lru[(f & PG_active) ? 1 : 0] += size;
        if (f & PG_isolated) t.isolated += size;
        return {};
    }

    // Pass 1: every frame is reserved or belongs to exactly one block.
    Status walk_frames(ZoneTally& t) const {
        for (uint64_t pfn = z.start_pfn.raw(); pfn < z.end_pfn().raw();) {
            const Page* p = page(pfn);
            uint32_t f = p->flags;
            if (p->zone() != z.type || p->node() != z.nid) return fail("zone/node bits wrong", pfn);
            if (f & UNUSED_BITS) return fail("unknown flag bits set", pfn);
            if (f & PG_reserved) {
                if (f & (STATE_FLAGS & ~PG_reserved)) return fail("reserved frame in use", pfn);
                pfn++;
                continue;
            }
            uint32_t heads = f & HEAD_FLAGS;
            if (heads == 0) return fail("frame lost: neither free nor allocated", pfn);
            if (heads & (heads - 1)) return fail("frame both free and allocated", pfn);
            TRY_STATUS(tally_block(pfn, p, t));
            pfn += uint64_t(1) << p->order();
        }
        return {};
    }

    // Pass 2: the free lists hold exactly the free blocks the walk found,
    // and the counters agree with the walk.
    Status check_free_lists(const ZoneTally& t) const {
        for (unsigned o = 0; o < MAX_ORDER; o++) {
            uint64_t total = 0;
            for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
                TRY_STATUS(check_free_list(o, mt, t));
                total += t.blocks[o][mt];
            }
            if (total != z.free_area[o].nr_free) return fail("nr_free wrong", z.start_pfn.raw());
        }
        if (t.free_pages != z.free_pages) return fail("free page count wrong", z.start_pfn.raw());
        if (t.managed != z.managed) return fail("managed count wrong: frames lost", z.start_pfn.raw());
        return {};
    }

    // One list of free_area[o]: every entry a free block of order o and
    // type mt inside the zone, the links consistent both ways, and as
    // many entries as the walk counted.
    Status check_free_list(unsigned o, unsigned mt, const ZoneTally& t) const {
        uint64_t n = 0;
        uint32_t prev = PFN_NONE;
        const PageList& l = z.free_area[o].free_list[mt];
        for (uint32_t pfn = l.head; pfn != PFN_NONE; pfn = page(pfn)->next) {
            if (!z.contains(pfn) || ++n > z.spanned) return fail("free list leaves the zone", pfn);
            const Page* p = page(pfn);
            if (!p->test(PG_buddy) || p->order() != o)
                return fail("free list entry not a free block of its order", pfn);
            if (unsigned(Buddy::pageblock_migratetype(z, pfn)) != mt)
                return fail("free block on the wrong migratetype list", pfn);
            if (p->prev != prev) return fail("free list back link broken", pfn);
            prev = pfn;
        }
        if (prev != l.tail) return fail("free list tail wrong", prev);
        if (n != t.blocks[o][mt]) return fail("free list misses blocks", z.start_pfn.raw());
        return {};
    }

    Status check_pcp(const ZoneTally& t) const {
        uint64_t cached = 0;
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            const PcpList& l = z.pcp.lists[mt];
            if (l.size() > PCP_SLOTS) return fail("pcp list overflow", z.start_pfn.raw());
            for (uint32_t i = 0; i < l.size(); i++) {
                uint32_t pfn = l.at(i);
                if (!z.contains(pfn)) return fail("pcp entry outside the zone", pfn);
                if (!page(pfn)->test(PG_pcp)) return fail("pcp entry not cached", pfn);
                if (detail::pcp_list_of(page(pfn)->flags) != mt)
                    return fail("pcp entry names another list", pfn);
                cached++;
            }
        }
        if (cached != t.pcp) return fail("pcp count wrong", z.start_pfn.raw());
        return {};
    }

    Status check_lru(const ZoneTally& t) const {
        for (unsigned which = 0; which < NR_LRU_LISTS; which++) {
            uint64_t pages = 0, n = 0;
            for (uint32_t pfn = z.lru.lists[which].head; pfn != PFN_NONE; pfn = page(pfn)->next) {
                if (!z.contains(pfn) || ++n > z.spanned) return fail("LRU list leaves the zone", pfn);
                const Page* p = page(pfn);
                if (!p->test(PG_lru) || !p->test(PG_allocated) || p->test(PG_active) != (which == 1))
                    return fail("LRU entry in the wrong state", pfn);
                pages += uint64_t(1) << p->order();
            }
            if (pages != t.lru[which] || pages != z.lru.nr_pages[which])
                return fail("LRU count wrong", z.start_pfn.raw());
        }
        if (t.isolated != z.lru.nr_isolated) return fail("isolated count wrong", z.start_pfn.raw());
        return {};
    }
};

}  // namespace

Status Buddy::verify(const TextSink* why) const {
    for (unsigned nid = 0; nid < nr_nodes_; nid++) {
        for (const Zone& z : zones_[nid]) {
            Checker c{*this, z, why};
            ZoneTally t;
            t.clear();
            TRY_STATUS(c.walk_frames(t));
            TRY_STATUS(c.check_free_lists(t));
            TRY_STATUS(c.check_pcp(t));
            TRY_STATUS(c.check_lru(t));
        }
    }
    return {};
}

}  // namespace mm
