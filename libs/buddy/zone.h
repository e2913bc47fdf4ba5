// Nodes and zones as the allocator sees them.
//
// MemoryLayout is what the kernel hands the pager at start-up: per node
// its span and per zone its span and present pages, plus the node
// distances; with mem_map itself, all the allocator needs to know.
//
// A Zone is the frames of one ZoneType on one node, with everything the
// allocator keeps per zone (Linux's struct zone): free_area[order] lists
// per migratetype, watermarks, lowmem_reserve, the per-cpu cache of
// order-0 frames and the active/inactive LRU lists.
//
// Its lists are intrusive doubly linked lists of page descriptors (PageList),
// linked by 32-bit frame numbers in Page::next / Page::prev (PFN_NONE ends
// a list), so a list head is 8 bytes and a descriptor 32. A page is on at
// most one list at a time and the list it is on owns the links: a free
// block's head is on exactly one free_area list (and carries PG_buddy and
// its order); a cached order-0 frame is on one pcp list (PG_pcp); a
// granted frame may be on one LRU list (PG_lru).
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "buddy/gfp.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/zonelist.h"

namespace mm {

// ---- the layout handed over -----------------------------------------------

struct ZoneSpan {
    Pfn start;             // first frame of the zone (spanned, not necessarily present)
    uint64_t spanned = 0;  // frames from start to end, holes included; 0 = empty zone
    uint64_t present = 0;  // frames backed by RAM (spanned minus holes)

    constexpr Pfn end() const { return start + spanned; }
};

struct NodeSpan {
    Pfn start;                     // first frame with a descriptor in mem_map
    uint64_t spanned = 0;          // frames with descriptors; 0 = node without memory
    ZoneSpan zones[MAX_NR_ZONES];  // indexed by ZoneType

    constexpr Pfn end() const { return start + spanned; }
};

struct MemoryLayout {
    NodeSpan nodes[MAX_NUMNODES];  // node ids 0..nr_nodes-1
    uint8_t nr_nodes = 0;
    DistanceMatrix distance = {};  // as the FDT's distance-map gives them: 10 to itself
};

// ---- page lists -----------------------------------------------------------

struct PageList {
    uint32_t head = PFN_NONE;
    uint32_t tail = PFN_NONE;

    constexpr bool empty() const { return head == PFN_NONE; }
};

inline Page* pfn_page(const MemMap& map, uint32_t pfn) { return map.pfn_to_page(Pfn(pfn)); }

inline void list_add_head(const MemMap& map, PageList& l, uint32_t pfn, Page* p) {
    uint32_t head = l.head;
    p->prev = PFN_NONE;
    p->next = head;
    if (head != PFN_NONE)
        pfn_page(map, head)->prev = pfn;
    else
        l.tail = pfn;
    l.head = pfn;
}

// Unlinks `p`, which the caller knows to be on `l`, leaving its own links
// stale: for a descriptor that is about to be linked elsewhere or to
// become the interior frame of a block, whose links nobody reads.
inline void list_unlink(const MemMap& map, PageList& l, const Page* p) {
    uint32_t next = p->next, prev = p->prev;
    if (prev != PFN_NONE)
        pfn_page(map, prev)->next = next;
    else
        l.head = next;
    if (next != PFN_NONE)
        pfn_page(map, next)->prev = prev;
    else
        l.tail = prev;
}

inline void list_add_tail(const MemMap& map, PageList& l, uint32_t pfn, Page* p) {
    uint32_t tail = l.tail;
    p->next = PFN_NONE;
    p->prev = tail;
    if (tail != PFN_NONE)
        pfn_page(map, tail)->next = pfn;
    else
        l.head = pfn;
    l.tail = pfn;
}

// Unlinks `p`, which the caller knows to be on `l`, and clears its links.
inline void list_del(const MemMap& map, PageList& l, Page* p) {
    list_unlink(map, l, p);
    p->next = PFN_NONE;
    p->prev = PFN_NONE;
}

// Unlinks and returns the first entry of a non-empty list; its own links
// are left stale, as list_unlink.
inline uint32_t list_pop_head(const MemMap& map, PageList& l) {
    uint32_t pfn = l.head;
    uint32_t next = pfn_page(map, pfn)->next;
    l.head = next;
    if (next != PFN_NONE)
        pfn_page(map, next)->prev = PFN_NONE;
    else
        l.tail = PFN_NONE;
    return pfn;
}

// ---- zones ----------------------------------------------------------------

struct FreeArea {
    PageList free_list[MIGRATE_TYPES];
    uint64_t nr_free = 0;  // blocks of this order on all lists
};

enum WatermarkIdx : unsigned { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, NR_WMARK = 3 };

// Order-0 frames kept out of the buddy lists so that the common
// allocate/free pair is a push or pop on a short array (Linux's
// per_cpu_pages; the pager serves requests on one thread, so one cache
// per zone). Each migratetype has a stack of frame numbers: frees push and
// allocations pop at the top (hot frames first), drains take from the
// bottom (the coldest) and move the rest down. Keeping the frames in an
// array rather than linking their descriptors keeps the hot path to one
// descriptor write; a list is 512 bytes, so indexing by migratetype is a
// shift.
inline constexpr uint32_t PCP_SLOTS = 127;  // pcp high is at most PCP_SLOTS - 1

struct PcpList {
    uint32_t count = 0;
    uint32_t slots[PCP_SLOTS] = {};  // slots[0] is the coldest frame

    constexpr uint32_t size() const { return count; }
    constexpr bool empty() const { return count == 0; }
    void push(uint32_t pfn) { slots[count++] = pfn; }
    uint32_t pop() { return slots[--count]; }
    uint32_t at(uint32_t i) const { return slots[i]; }  // i-th coldest
    // Forgets the `n` coldest frames (n <= count), which the caller took.
    void drop_cold(uint32_t n) {
        for (uint32_t i = n; i < count; i++) slots[i - n] = slots[i];
        count -= n;
    }
};
static_assert(sizeof(PcpList) == 512);

// `high` bounds each list, not their sum as Linux's pcp->high does: the
// fast paths then keep one counter per list and test the list they touch.
// Requests of one mobility (nearly all of the pager's) see Linux's bound.
struct PerCpuPages {
    PcpList lists[MIGRATE_TYPES];
    uint32_t high = 0;   // a list over this drains `batch` frames back; 0 = cache off
    uint32_t batch = 0;  // frames moved between the cache and the buddy lists at a time

    // Frames on all lists.
    constexpr uint32_t count() const {
        uint32_t n = 0;
        for (const PcpList& l : lists) n += l.count;
        return n;
    }
};

enum class LruList : uint8_t { Inactive = 0, Active = 1 };
inline constexpr unsigned NR_LRU_LISTS = 2;

struct LruVec {
    PageList lists[NR_LRU_LISTS];
    uint64_t nr_pages[NR_LRU_LISTS] = {};  // frames (a block of order k counts 2^k)
    uint64_t nr_isolated = 0;              // frames taken off by isolate, not yet put back
};

struct Zone {
    Pfn start_pfn;
    uint64_t spanned = 0;
    uint64_t present = 0;
    uint64_t managed = 0;     // frames handed to the allocator (free_bootmem_range)
    uint64_t free_pages = 0;  // frames on the free_area lists (not the pcp cache)
    uint64_t watermark[NR_WMARK] = {};
    // Frames this zone keeps back from requests that could have used a
    // higher zone, indexed by the request's highest zone (protection).
    uint64_t lowmem_reserve[MAX_NR_ZONES] = {};
    // watermark[WMARK_LOW] + lowmem_reserve[j], from which the fast paths'
    // marks are built (Buddy::build_fast_paths).
    uint64_t fast_mark[MAX_NR_ZONES] = {};
    uint8_t nid = 0;
    ZoneType type = ZoneType::DMA32;

    FreeArea free_area[MAX_ORDER];
    PerCpuPages pcp;
    LruVec lru;

    // One MigrateType byte per pageblock, from caller-provided storage.
    uint8_t* pageblock_mt = nullptr;
    Pfn pageblock_base;  // start_pfn rounded down to a pageblock
    // pageblock_mt minus (pageblock_base >> PAGEBLOCK_ORDER), as an address:
    // the byte of frame pfn is at pageblock_mt_bias + (pfn >> PAGEBLOCK_ORDER),
    // which makes the lookup on the free fast path one shift and one load.
    uintptr_t pageblock_mt_bias = 0;

    // The pageblock's migratetype byte (pfn must lie inside the zone).
    uint8_t& pageblock_type(uint64_t pfn) const {
        return *reinterpret_cast<uint8_t*>(pageblock_mt_bias + (pfn >> PAGEBLOCK_ORDER));
    }
    constexpr Pfn end_pfn() const { return start_pfn + spanned; }
    constexpr bool contains(uint64_t pfn) const { return pfn - start_pfn.raw() < spanned; }
    constexpr bool populated() const { return present != 0; }
    constexpr uint64_t nr_pageblocks() const {
        return spanned == 0 ? 0
                            : (align_up(end_pfn().raw(), PAGEBLOCK_NR_PAGES) - pageblock_base.raw()) >>
                                  PAGEBLOCK_ORDER;
    }
};

}  // namespace mm
