// Anti-fragmentation: pageblock migratetypes and the fallback that lets
// a request of one mobility take memory from another type's lists
// (__rmqueue_fallback). A request steals a whole pageblock when it can,
// so mobility types stay apart; otherwise it takes just one block and
// leaves the rest of the pageblock to its owner.
#include "buddy/buddy.h"

namespace mm {

namespace {

// Whether a fallback of this order may claim the pageblock for the
// requester (can_steal_fallback): big blocks always; unmovable and
// reclaimable requests always, since spreading them is what hurts;
// movable requests only from half a pageblock up.
bool can_steal_fallback(unsigned order, MigrateType start) {
    if (order >= PAGEBLOCK_ORDER / 2) return true;
    return start == MigrateType::Unmovable || start == MigrateType::Reclaimable;
}

struct PageblockRange {
    uint64_t start, end;
};

// The frames of the pageblock containing `pfn`, clipped to the zone.
PageblockRange pageblock_range(const Zone& z, uint64_t pfn) {
    uint64_t start = align_down(pfn, PAGEBLOCK_NR_PAGES);
    uint64_t end = start + PAGEBLOCK_NR_PAGES;
    if (start < z.start_pfn.raw()) start = z.start_pfn.raw();
    if (end > z.end_pfn().raw()) end = z.end_pfn().raw();
    return {start, end};
}

}  // namespace

void Buddy::set_pageblock_migratetype(Zone& z, uint64_t pfn, MigrateType mt) {
    z.pageblock_type(pfn) = uint8_t(mt);
}

// Sets the type of every pageblock a block of 2^order frames touches.
void Buddy::set_block_migratetype(Zone& z, uint32_t pfn, unsigned order, MigrateType mt) {
    uint64_t end = uint64_t(pfn) + (uint64_t(1) << order);
    for (uint64_t p = pfn; p < end; p += PAGEBLOCK_NR_PAGES) set_pageblock_migratetype(z, p, mt);
}

// Moves every free block of the pageblock containing `pfn` from the
// `from` lists to the `to` lists and retypes the pageblock. Returns the
// frames moved; `movable`, when given, receives the frames of allocated
// blocks on an LRU list (the ones reclaim could empty).
uint64_t Buddy::move_freepages_block(Zone& z, uint64_t pfn, MigrateType from, MigrateType to,
                                     uint64_t* movable) {
    PageblockRange r = pageblock_range(z, pfn);
    uint64_t moved = 0;
    for (uint64_t p = r.start; p < r.end;) {
        Page* pg = page(Pfn(p));
        unsigned order = pg->order();
        uint64_t size = uint64_t(1) << order;
        if (pg->test(PG_buddy)) {
            if (from != to) {
                del_from_free_list(z, uint32_t(p), order, from);
                add_to_free_list(z, uint32_t(p), order, to, false);
            }
            moved += size;
            p += size;
        } else if (pg->test(PG_allocated)) {
            if (movable && pg->test(PG_lru)) *movable += size;
            p += size;
        } else {
            p++;
        }
    }
    if (from != to) set_pageblock_migratetype(z, r.start, to);
    return moved;
}

int Buddy::find_suitable_fallback(const Zone& z, unsigned order, MigrateType mt, bool& can_steal) {
    const FreeArea& area = z.free_area[order];
    if (area.nr_free == 0) return -1;
    for (MigrateType fb : fallbacks[unsigned(mt)]) {
        if (area.free_list[unsigned(fb)].empty()) continue;
        can_steal = can_steal_fallback(order, mt);
        return int(fb);
    }
    return -1;
}

// Takes the first block of order `current_order` from the `fallback`
// lists to serve `order` for `start`. Whole pageblocks change type; a
// partly used pageblock changes type when at least half of it is free or
// already used by the requester's kind (try_to_claim_block), otherwise
// only the one block is taken and its remainder stays with `fallback`.
uint32_t Buddy::steal_fallback(Zone& z, unsigned current_order, unsigned order, MigrateType start,
                               MigrateType fallback, bool can_steal) {
    uint32_t pfn = z.free_area[current_order].free_list[unsigned(fallback)].head;
    if (current_order >= PAGEBLOCK_ORDER) {
        del_from_free_list(z, pfn, current_order, fallback);
        set_block_migratetype(z, pfn, current_order, start);
        expand(z, pfn, order, current_order, start);
        return pfn;
    }
    if (can_steal) {
        PageblockRange r = pageblock_range(z, pfn);
        uint64_t movable = 0;
        uint64_t free = move_freepages_block(z, pfn, fallback, fallback, &movable);
        uint64_t alike = 0;
        if (start == MigrateType::Movable)
            alike = movable;
        else if (fallback == MigrateType::Movable)
            alike = (r.end - r.start) - free - movable;
        if (free + alike >= PAGEBLOCK_NR_PAGES / 2) {
            move_freepages_block(z, pfn, fallback, start, nullptr);
            return rmqueue_smallest(z, order, start);
        }
    }
    del_from_free_list(z, pfn, current_order, fallback);
    expand(z, pfn, order, current_order, fallback);
    return pfn;
}

// Searches the fallback types from the largest order down, so that a
// steal takes as big a piece of foreign memory as possible and the next
// requests of this type find it on their own lists. A movable request
// that may not claim the block takes the smallest block instead: it does
// no lasting harm wherever it lands.
uint32_t Buddy::rmqueue_fallback(Zone& z, unsigned order, MigrateType mt) {
    bool can_steal = false;
    for (int co = int(MAX_ORDER) - 1; co >= int(order); co--) {
        int fb = find_suitable_fallback(z, unsigned(co), mt, can_steal);
        if (fb < 0) continue;
        if (!can_steal && mt == MigrateType::Movable && unsigned(co) > order) {
            for (unsigned small = order; small < MAX_ORDER; small++) {
                fb = find_suitable_fallback(z, small, mt, can_steal);
                if (fb >= 0) return steal_fallback(z, small, order, mt, MigrateType(fb), can_steal);
            }
        }
        return steal_fallback(z, unsigned(co), order, mt, MigrateType(fb), can_steal);
    }
    return PFN_NONE;
}

}  // namespace mm
