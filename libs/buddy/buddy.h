// The pager's zoned buddy allocator (Linux mm/page_alloc.c semantics).
//
// Per zone, free_area[order] holds free blocks of 2^order frames for
// orders 0..MAX_ORDER-1, one list per migratetype. Allocation takes the
// smallest block that fits and splits it (expand); freeing merges a block
// with its buddy (pfn ^ 2^order) while the buddy is free with the same
// order and inside the same zone, so blocks never span a hole, a zone or
// a node boundary. Requests walk the preferred node's zonelist under the
// min/low watermarks; order-0 requests go through a per-zone cache. The
// common requests and frees take inline fast paths (fastpath.h) that make
// the same choices as the full walk.
//
// State lives in mem_map (flags, order, list links) plus this object and
// one byte per pageblock of caller-provided storage: no heap. Handed-out
// blocks are marked PG_allocated with their order on the head descriptor,
// so bad frees are detected rather than corrupting the lists.
//
// Not thread-safe: the pager serves requests from one thread.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <bit>

#include "base/addr.h"
#include "base/result.h"
#include "buddy/gfp.h"
#include "buddy/zone.h"
#include "format/format.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "mm/zonelist.h"

namespace mm {

// Called to fill a newly allocated block with zeroes (GFP_ZERO). The
// pager maps the frames to do it; host tests record or fill a buffer.
struct ZeroHook {
    void (*zero)(void* ctx, Pfn pfn, Order order) = nullptr;
    void* ctx = nullptr;
};

struct BuddyConfig {
    Grouping grouping = Grouping::ByMobility;
    uint64_t min_free_kbytes = 0;          // 0: derived from memory size, as Linux does
    uint32_t watermark_scale_factor = 10;  // gap between watermarks, in 1/10000 of the zone
    uint32_t pcp_batch = 31;               // 0 disables the per-cpu cache
    uint32_t pcp_high = 124;               // below PCP_SLOTS
    uint8_t local_nid = 0;                 // the node a NUMA_NO_NODE request starts from
    ZeroHook zero;
};

// Which watermark an allocation pass must stay above.
enum class WatermarkPass : uint8_t { Low, Min, None };

class Buddy {
public:
    // Usable as a constinit object; every request fails until init().
    constexpr Buddy() {
        for (FastAlloc& fa : fast_alloc_)
            fa = FastAlloc{&off_zone_, &off_zone_.pcp.lists[0], ~uint64_t(0), 0, false};
    }
    Buddy(const Buddy&) = delete;
    Buddy& operator=(const Buddy&) = delete;

    // Bytes of pageblock storage init() needs for `layout` (one per pageblock).
    static size_t pageblock_storage_size(const MemoryLayout& layout);

    // Takes over the zones of `layout`; every descriptor in `map` must
    // still be PG_reserved with its zone and node set. No frame is free
    // until free_bootmem_range hands it over.
    // Errors: InvalidArgument (no nodes, too many, a zone outside its node
    // or overlapping another, frames beyond MAX_PFN_LIMIT, bad config),
    // NoMemory (`storage_size` below pageblock_storage_size()).
    Status init(const MemoryLayout& layout, MemMap map, uint8_t* storage, size_t storage_size,
                const BuddyConfig& config = {});

    // free_all_bootmem for one range: frees [start, end) in the largest
    // naturally aligned blocks, merging with neighbours already free.
    // Checks the whole range before changing anything.
    // Errors: InvalidArgument (start >= end), OutOfRange (a frame outside
    // every zone), DoubleFree (a frame not PG_reserved: already handed over).
    Status free_bootmem_range(Pfn start, Pfn end);

    // Allocates a block of 2^req.order frames: the preferred node's
    // zonelist above the low watermark, then above min, then (GFP_MEMALLOC)
    // without watermarks. The head descriptor gets PG_allocated and order.
    // Errors: InvalidArgument (order >= MAX_ORDER, unknown zone, node or
    // flag), Unsupported (GFP_ZERO without a zero hook), TryAgain (memory
    // is there but below a watermark, or reclaimable LRU frames exist),
    // NoMemory (no block of that order and nothing to reclaim).
    // The fast paths are inline (fastpath.h); alloc_slowpath is the same
    // allocation without them, and serves every request they leave alone.
    Result<Pfn> alloc(AllocRequest req);
    Result<Pfn> alloc_slowpath(AllocRequest req);

    // Allocates up to `n` order-0 frames into out[] (alloc_pages_bulk):
    // returns how many, at least one. Frames come from the first zone of
    // the zonelist that passes the watermarks; the rest of the request is
    // not retried elsewhere. Errors as alloc() (order must be 0).
    Result<size_t> alloc_bulk(AllocRequest req, size_t n, Pfn* out);

    // Frees a block alloc() returned, removing it from its LRU list first.
    // Errors: InvalidArgument (order >= MAX_ORDER), NotOwned (not a frame
    // of any zone, a reserved frame or hole, or no block starts there),
    // DoubleFree (already free), WrongOrder (a block starts or covers
    // `pfn` but with another order or another head).
    // The fast paths are inline (fastpath.h); free_slowpath is the same
    // free without them.
    Status free(Pfn pfn, Order order);
    Status free_slowpath(Pfn pfn, Order order);
    // Whether `pfn` lies in a free block (of any order: a freed block may
    // have merged with its buddies) or a per-cpu cache, as a free of it
    // would find (DoubleFree). Read only.
    bool is_free(Pfn pfn) const {
        const Zone* z = zone_of(pfn);
        return z && diagnose_free(*z, pfn.raw()) == Error::DoubleFree;
    }

    // Returns every frame in the per-cpu caches to the buddy lists.
    void drain_pcp();

    // Tunables; both recompute watermarks and lowmem_reserve at once.
    // Errors: InvalidArgument for 0 (scale factor) or values out of range.
    Status set_min_free_kbytes(uint64_t kbytes);
    Status set_watermark_scale_factor(uint32_t factor);
    // lowmem_reserve_ratio per zone (0 = no reserve; default 256, 32, 0).
    void set_lowmem_reserve_ratio(const uint32_t (&ratio)[MAX_NR_ZONES]);

    // Lookups. zone_of returns null for frames outside every zone.
    Zone* zone_of(Pfn pfn) {
        uint64_t raw = pfn.raw();
        if (raw - fast_start_ < fast_span_) return fast_zone_;  // the common case first
        for (unsigned n = 0; n < nr_nodes_; n++) {
            if (raw - nodes_[n].start.raw() >= nodes_[n].spanned) continue;
            for (Zone& z : zones_[n])
                if (z.contains(raw)) return &z;
            return nullptr;
        }
        return nullptr;
    }
    const Zone* zone_of(Pfn pfn) const { return const_cast<Buddy*>(this)->zone_of(pfn); }
    Zone& zone(unsigned nid, ZoneType t) { return zones_[nid][unsigned(t)]; }
    const Zone& zone(unsigned nid, ZoneType t) const { return zones_[nid][unsigned(t)]; }
    const MemMap& memmap() const { return map_; }
    Page* page(Pfn pfn) const { return map_.pfn_to_page(pfn); }
    unsigned nr_nodes() const { return nr_nodes_; }
    const NodeSpan& node_span(unsigned nid) const { return nodes_[nid]; }
    const Zonelist& zonelist(unsigned nid) const { return zonelists_[nid]; }
    uint64_t min_free_kbytes() const { return min_free_kbytes_; }
    uint64_t nr_free_pages() const;  // buddy lists plus per-cpu caches, all zones

    // The pageblock's migratetype (pfn must be inside `z`).
    static MigrateType pageblock_migratetype(const Zone& z, uint64_t pfn) {
        return MigrateType(z.pageblock_type(pfn));
    }

    // Walks every zone in frame order and checks the allocator's invariants
    // (see verify.cc). Errors: Malformed, with the first problem written to
    // `why` when given.
    Status verify(const TextSink* why = nullptr) const;

private:
    // init.cc
    Status check_layout(const MemoryLayout& layout) const;
    void build_zonelists(const MemoryLayout& layout);
    void build_fast_paths();
    void setup_per_zone_wmarks();
    void setup_lowmem_reserve();

    // alloc.cc
    uint64_t alloc_slow(uint64_t request_word);
    uint32_t alloc_retry(AllocRequest req, unsigned nid, unsigned highest, MigrateType mt);
    Error classify_failure(unsigned order, unsigned nid, unsigned highest, uint16_t flags) const;
    uint32_t get_page_from_freelist(unsigned order, unsigned nid, unsigned highest, MigrateType mt,
                                    uint16_t flags, WatermarkPass pass);
    // Whether a request of `flags` from node `nid` may use `z` (GFP_THISNODE
    // keeps it on its node). Inline: the passes of alloc.cc and alloc_bulk
    // (bulk.cc) ask for every zone they try.
    static bool zone_allowed(const Zone& z, unsigned nid, uint16_t flags) {
        return !(flags & GFP_THISNODE) || z.nid == nid;
    }
    static bool watermark_ok(const Zone& z, unsigned order, uint64_t mark, unsigned highest);
    static bool zone_has_block(const Zone& z, unsigned order);
    uint32_t rmqueue(Zone& z, unsigned order, MigrateType mt);
    bool rmqueue_pcp(Zone& z, MigrateType mt, uint32_t& pfn);
    uint32_t rmqueue_any(Zone& z, unsigned order, MigrateType mt);
    uint32_t rmqueue_smallest(Zone& z, unsigned order, MigrateType mt);
    void expand(Zone& z, uint32_t pfn, unsigned low, unsigned high, MigrateType mt);
    void prep_new_page(uint32_t pfn, unsigned order, uint16_t flags);

    // bulk.cc
    size_t bulk_from_pcp(Zone& z, MigrateType mt, size_t n, Pfn* out);
    uint32_t pcp_refill(Zone& z, MigrateType mt);
    template <typename Put>
    uint32_t take_frames(Zone& z, MigrateType mt, uint32_t want, uint32_t flag, Put put);

    // fastpath.h: the list work the fast and the slow paths share.
    // take_smallest is rmqueue_smallest with expand: it takes the smallest
    // block of order >= `order` from the `mt` lists, frees the upper halves
    // and leaves the head's flags as those of a free block of `order`
    // xor `flip`; PFN_NONE when the lists hold nothing large enough.
    // take_block is take_smallest for alloc(). free_block is
    // __free_one_page for a block whose head's flags are its zone and node
    // bits (`ident`) and whose flags once free are `state` (ident |
    // PG_buddy | order << ORDER_SHIFT): it merges the block with free
    // buddies and lists the result; free_block_high (free.cc) takes over
    // when a merge reaches a pageblock. free_buddy is free_block for free().
    // Where a freed block goes on its list: Auto puts it at the head unless
    // a merge is likely soon; hand-over uses Tail so that the lists start
    // in address order and early allocations come from low memory.
    enum class FreePlace : uint8_t { Auto, Tail };
    uint32_t take_smallest(Zone& z, unsigned order, MigrateType mt, uint32_t flip);
    uint32_t take_block(Zone& z, unsigned order, MigrateType mt);
    void free_block(Zone& z, uint32_t pfn, unsigned order, uint32_t state, FreePlace place);
    void free_buddy(Page* p, uint32_t pfn, unsigned order, uint32_t flags);

    // free.cc
    [[gnu::noinline]] void free_block_high(Zone& z, uint32_t pfn, unsigned order, MigrateType mt,
                                           FreePlace place);
    Error diagnose_free(const Zone& z, uint64_t pfn) const;
    void free_one(Zone& z, uint32_t pfn, unsigned order, FreePlace place = FreePlace::Auto);
    void free_to_pcp(Zone& z, uint32_t pfn, Page* p);
    void drain_pcp_list(Zone& z, PcpList& l, uint32_t count);
    void lru_forget(Zone& z, Page* p);

public:
    // Free-list primitives, shared with the mobility code (pageblock.cc)
    // and the verifier; `pfn` heads a block of 2^order frames in `z`.
    void add_to_free_list(Zone& z, uint32_t pfn, unsigned order, MigrateType mt, bool tail);
    void del_from_free_list(Zone& z, uint32_t pfn, unsigned order, MigrateType mt);

private:
    // add_to_free_list's list and count part: the free block headed by p (pfn) onto
    // area's list of type mt, at the head or the tail.
    void push_free(FreeArea& area, MigrateType mt, uint32_t pfn, Page* p, bool tail);
    // pageblock.cc
    static void set_pageblock_migratetype(Zone& z, uint64_t pfn, MigrateType mt);
    static void set_block_migratetype(Zone& z, uint32_t pfn, unsigned order, MigrateType mt);
    uint64_t move_freepages_block(Zone& z, uint64_t pfn, MigrateType from, MigrateType to, uint64_t* movable);
    uint32_t rmqueue_fallback(Zone& z, unsigned order, MigrateType mt);
    static int find_suitable_fallback(const Zone& z, unsigned order, MigrateType mt, bool& can_steal);
    uint32_t steal_fallback(Zone& z, unsigned current_order, unsigned order, MigrateType start,
                            MigrateType fallback, bool can_steal);

    MemMap map_;
    BuddyConfig config_;
    uint8_t nr_nodes_ = 0;
    uint64_t min_free_kbytes_ = 0;
    uint32_t lowmem_reserve_ratio_[MAX_NR_ZONES] = {256, 32, 0};
    NodeSpan nodes_[MAX_NUMNODES] = {};
    Zone zones_[MAX_NUMNODES][MAX_NR_ZONES] = {};
    Zonelist zonelists_[MAX_NUMNODES] = {};
    // Per node and highest zone index, the zones a request may try in
    // order, null-terminated: the zonelist pre-filtered by zone limit.
    Zone* candidates_[MAX_NUMNODES][MAX_NR_ZONES][MAX_NUMNODES * MAX_NR_ZONES + 1] = {};
    // Fast-path tables (build_fast_paths), indexed by zone limit and the
    // mobility bits of a request: the first zone a local request tries,
    // the cache list an order-0 request pops from (an always empty list
    // when the zone has no cache), the free-page count the zone must stay
    // above, the request's migratetype, and whether order 0 comes from
    // the buddy lists (no cache; with one, an empty list means a refill,
    // which the slow path does).
    struct FastAlloc {
        Zone* zone;
        PcpList* list;
        uint64_t mark;
        uint8_t mt;
        bool order0_from_buddy;
    };
    FastAlloc fast_alloc_[4 * 4] = {};  // zone limit * 4 + mobility bits; limit 3: off_zone_
    const FastAlloc& fast_entry(uint64_t request_word) const;
    // The free fast path serves frames of one zone: the first zone of the
    // local node's zonelist for an unqualified request.
    Zone* fast_zone_ = &off_zone_;
    uint64_t fast_start_ = 0, fast_span_ = 0;
    Page* fast_first_ = nullptr;  // the descriptor of fast_start_
    // The flags of an allocated order-0 head in the fast zone: its zone
    // and node bits and PG_allocated.
    uint32_t fast_allocated_ = 0;
    // Stands in for a missing zone in the tables: never has free pages and
    // never takes frames into its cache, so the fast paths need no null test.
    Zone off_zone_;
};

}  // namespace mm

#include "buddy/fastpath.h"
