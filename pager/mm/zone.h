// A zone: the frames of one ZoneType on one node, with everything the
// allocator keeps per zone (Linux's struct zone): free_area[order] lists
// per migratetype, watermarks, lowmem_reserve, the per-cpu cache of
// order-0 frames and the active/inactive LRU lists.
//
// Ownership: a free block's head is on exactly one free_area list (and
// carries PG_buddy and its order); a cached order-0 frame is on one pcp
// list (PG_pcp); a granted frame may be on one LRU list (PG_lru).
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "mm/migratetype.h"
#include "mm/mmzone.h"
#include "mm/page_list.h"

namespace mm {

struct FreeArea {
    PageList free_list[MIGRATE_TYPES];
    uint64_t nr_free = 0;   // blocks of this order on all lists
};

enum WatermarkIdx : unsigned { WMARK_MIN = 0, WMARK_LOW = 1, WMARK_HIGH = 2, NR_WMARK = 3 };

// Order-0 frames kept out of the buddy lists so that the common
// allocate/free pair is a push or pop on a short array (Linux's
// per_cpu_pages; the pager serves requests on one thread, so one cache
// per zone). Each migratetype has a ring of frame numbers: frees push and
// allocations pop at `top` (hot frames first), drains take from `bottom`
// (the coldest). Keeping the frames in an array rather than linking their
// descriptors keeps the hot path to one descriptor write.
inline constexpr uint32_t PCP_SLOTS = 128;   // pcp high is at most PCP_SLOTS - 1

struct PcpList {
    uint32_t top = 0;       // next slot to push (mod PCP_SLOTS)
    uint32_t bottom = 0;    // oldest frame
    uint32_t slots[PCP_SLOTS] = {};

    constexpr uint32_t size() const { return top - bottom; }
    constexpr bool empty() const { return top == bottom; }
    void push(uint32_t pfn) { slots[top++ % PCP_SLOTS] = pfn; }
    uint32_t pop() { return slots[--top % PCP_SLOTS]; }
    uint32_t pop_cold() { return slots[bottom++ % PCP_SLOTS]; }
    uint32_t at(uint32_t i) const { return slots[(bottom + i) % PCP_SLOTS]; }
};

struct PerCpuPages {
    PcpList lists[MIGRATE_TYPES];
    uint32_t count = 0;     // frames on all lists
    uint32_t high = 0;      // drain `batch` frames back when count exceeds this; 0 = cache off
    uint32_t batch = 0;     // frames moved between the cache and the buddy lists at a time
};

enum class LruList : uint8_t { Inactive = 0, Active = 1 };
inline constexpr unsigned NR_LRU_LISTS = 2;

constexpr const char* lru_list_name(LruList l) {
    return l == LruList::Active ? "active" : "inactive";
}

struct LruVec {
    PageList lists[NR_LRU_LISTS];
    uint64_t nr_pages[NR_LRU_LISTS] = {};   // frames (a block of order k counts 2^k)
    uint64_t nr_isolated = 0;               // frames taken off by isolate, not yet put back
};

struct Zone {
    Pfn start_pfn;
    uint64_t spanned = 0;
    uint64_t present = 0;
    uint64_t managed = 0;       // frames handed to the allocator (free_bootmem_range)
    uint64_t free_pages = 0;    // frames on the free_area lists (not the pcp cache)
    uint64_t watermark[NR_WMARK] = {};
    // Frames this zone keeps back from requests that could have used a
    // higher zone, indexed by the request's highest zone (protection).
    uint64_t lowmem_reserve[MAX_NR_ZONES] = {};
    // watermark[WMARK_LOW] + lowmem_reserve[j]: the order-0 fast path's check.
    uint64_t fast_mark[MAX_NR_ZONES] = {};
    uint8_t nid = 0;
    ZoneType type = ZoneType::DMA32;

    FreeArea free_area[MAX_ORDER];
    PerCpuPages pcp;
    LruVec lru;

    // One MigrateType byte per pageblock, from caller-provided storage.
    uint8_t* pageblock_mt = nullptr;
    Pfn pageblock_base;         // start_pfn rounded down to a pageblock

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
