// Intrusive doubly linked lists of page descriptors.
//
// Links are 32-bit frame numbers stored in Page::next / Page::prev
// (PFN_NONE ends a list), so a list costs 8 bytes and a descriptor 32.
// A page is on at most one list at a time: a free_area list, a per-cpu
// list or an LRU list; the list it is on owns the links.
#pragma once

#include <stdint.h>

#include "mm/page.h"

namespace mm {

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

}  // namespace mm
