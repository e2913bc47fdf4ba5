// Introspection: what /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo
// and debugfs extfrag/{unusable_index,extfrag_index} show on Linux, as
// data (ZoneStats, for tools and the pager's IPC) and as text in the same
// layout as Linux so a person can compare the two.
#pragma once

#include <stdint.h>

#include "buddy/buddy.h"
#include "format/format.h"

namespace mm {

// Free memory of one zone as seen by a request of some order
// (fill_contig_page_info).
struct ContigPageInfo {
    uint64_t free_pages = 0;            // frames on the free lists
    uint64_t free_blocks_total = 0;     // free blocks of any order
    uint64_t free_blocks_suitable = 0;  // blocks of the request's size the free memory holds
};

ContigPageInfo contig_page_info(const Zone& z, unsigned order);

// Share of free memory, in thousandths, that a request of `order` cannot
// use because it lies in smaller blocks: 0 = all usable, 1000 = none.
int unusable_free_index(unsigned order, const ContigPageInfo& info);

// Linux's fragmentation index in thousandths, meaningful when a request
// of `order` would fail: towards 0 the failure is for lack of memory,
// towards 1000 for fragmentation. -1000 when the request would succeed,
// 0 when nothing is free.
int fragmentation_index(unsigned order, const ContigPageInfo& info);

// Every field is written by zone_stats() (no initializers: zeroing a
// struct this size would be a memset call in the freestanding build).
struct ZoneStats {
    uint8_t nid;
    ZoneType type;
    uint64_t spanned, present, managed;
    uint64_t free_pages;  // on the buddy lists
    uint64_t pcp_pages;   // in the per-cpu cache
    uint64_t watermark[NR_WMARK];
    uint64_t protection[MAX_NR_ZONES];  // lowmem_reserve
    uint64_t nr_free[MAX_ORDER];
    uint64_t nr_free_by_type[MIGRATE_TYPES][MAX_ORDER];
    uint64_t nr_pageblocks_by_type[MIGRATE_TYPES];
    uint64_t lru[NR_LRU_LISTS];
    uint64_t isolated;
    int unusable_index[MAX_ORDER];  // thousandths
    int extfrag_index[MAX_ORDER];   // thousandths
};

ZoneStats zone_stats(const Buddy& b, unsigned nid, ZoneType type);

// Text output; each prints one block per populated zone, nodes in order.
void print_buddyinfo(const Buddy& b, TextSink out);
void print_pagetypeinfo(const Buddy& b, TextSink out);
void print_zoneinfo(const Buddy& b, TextSink out);
void print_unusable_index(const Buddy& b, TextSink out);
void print_extfrag_index(const Buddy& b, TextSink out);
// One line of key=value pairs per populated zone, for scripts.
void print_zone_stats_kv(const Buddy& b, TextSink out);

}  // namespace mm
