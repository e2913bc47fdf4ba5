// The page descriptor: one per physical frame, in mem_map.
//
// The kernel allocates mem_map at boot (libs/bootmem/mm_init.cc) and
// initialises every descriptor as reserved; from hand-over on the pager
// owns the contents (buddy free lists, LRU lists, ownership). The kernel
// never trusts what is written here.
//
// 32 bytes (Linux spends 64): list links are 32-bit frame numbers rather
// than pointers, and zone, node and buddy order are packed into flags.
#pragma once

#include <stdint.h>

#include "mm/mmzone.h"

namespace mm {

// A "no frame" link value.
inline constexpr uint32_t PFN_NONE = 0xffffffffu;

// Flag bits (low 16 bits of Page::flags).
enum PageFlag : uint32_t {
    PG_reserved = 1u << 0,    // not managed by the buddy allocator
    PG_buddy = 1u << 1,       // head of a free block; order() is valid
    PG_lru = 1u << 2,         // on an LRU list
    PG_active = 1u << 3,      // on the active (not inactive) list
    PG_referenced = 1u << 4,  // seen accessed once since last aging
    PG_dirty = 1u << 5,       // contents differ from the swap copy
    PG_isolated = 1u << 6,    // taken off the LRU by reclaim
    PG_zeroed = 1u << 7,      // known to contain only zeroes
    PG_poisoned = 1u << 8,    // freed and filled with the debug pattern
    PG_allocated = 1u << 9,   // head of a block the buddy allocator handed out; order() is valid
    PG_pcp = 1u << 10,        // free order-0 frame held in a per-cpu cache, not in free_area
};

struct Page {
    uint32_t flags;       // PG_* | cache list << 11 | order << 16 | zone << 20 | node << 22
    uint32_t next;        // list link (free list or LRU), a frame number
    uint32_t prev;        // list link, a frame number
    uint32_t owner_next;  // head of a granted block: its owner's list of blocks (the pager's
    uint32_t owner_prev;  // per task), frame numbers; PFN_NONE at the ends
    uint32_t owner;       // owning task id; 0 when none
    uint64_t index;       // user virtual address it is mapped at, or private

    static constexpr uint32_t FLAG_MASK = 0xffffu;
    // Inside FLAG_MASK: the pager's per-cpu cache list (a migratetype) an
    // order-0 frame is on (PG_pcp) or goes back to when freed (PG_allocated).
    static constexpr unsigned PCP_LIST_SHIFT = 11, PCP_LIST_BITS = 2;
    static constexpr unsigned ORDER_SHIFT = 16, ORDER_BITS = 4;
    static constexpr unsigned ZONE_SHIFT = 20, ZONE_BITS = 2;
    static constexpr unsigned NODE_SHIFT = 22, NODE_BITS = 4;

    bool test(PageFlag f) const { return (flags & f) != 0; }
    void set(PageFlag f) { flags |= f; }
    void clear(PageFlag f) { flags &= ~uint32_t(f); }

    unsigned order() const { return field(ORDER_SHIFT, ORDER_BITS); }
    void set_order(unsigned o) { set_field(ORDER_SHIFT, ORDER_BITS, o); }
    ZoneType zone() const { return ZoneType(field(ZONE_SHIFT, ZONE_BITS)); }
    void set_zone(ZoneType z) { set_field(ZONE_SHIFT, ZONE_BITS, unsigned(z)); }
    unsigned node() const { return field(NODE_SHIFT, NODE_BITS); }
    void set_node(unsigned n) { set_field(NODE_SHIFT, NODE_BITS, n); }

    // The state every descriptor starts in (free_area_init_core).
    static constexpr uint32_t initial_flags(ZoneType z, unsigned node) {
        return PG_reserved | (uint32_t(z) << ZONE_SHIFT) | (uint32_t(node) << NODE_SHIFT);
    }

private:
    unsigned field(unsigned shift, unsigned bits) const { return (flags >> shift) & ((1u << bits) - 1); }
    void set_field(unsigned shift, unsigned bits, unsigned v) {
        uint32_t mask = ((1u << bits) - 1) << shift;
        flags = (flags & ~mask) | ((uint32_t(v) << shift) & mask);
    }
};

static_assert(sizeof(Page) == 32, "a page descriptor is at most 32 bytes");
static_assert(MAX_ORDER <= (1u << Page::ORDER_BITS));
static_assert(MAX_NUMNODES <= (1u << Page::NODE_BITS));

// mem_map viewed as one virtually contiguous array indexed by frame
// number (vmemmap): pfn_to_page and page_to_pfn are O(1) arithmetic.
// Each node's descriptors are one flat array; the kernel maps them into
// one window so that descriptor(pfn) == base + pfn for every node.
class MemMap {
public:
    constexpr MemMap() = default;
    // `vmemmap` is where the descriptor of frame 0 would be.
    explicit MemMap(uintptr_t vmemmap) : base_(vmemmap) {}
    // For a flat array holding descriptors of frames [first, ...).
    static MemMap from_array(Page* array, Pfn first) {
        return MemMap(reinterpret_cast<uintptr_t>(array) - first.raw() * sizeof(Page));
    }
    Page* pfn_to_page(Pfn pfn) const { return reinterpret_cast<Page*>(base_ + pfn.raw() * sizeof(Page)); }
    Pfn page_to_pfn(const Page* p) const {
        return Pfn((reinterpret_cast<uintptr_t>(p) - base_) / sizeof(Page));
    }
    uintptr_t base() const { return base_; }

private:
    uintptr_t base_ = 0;
};

}  // namespace mm
