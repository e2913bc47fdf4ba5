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
    p->prev = PFN_NONE;
    p->next = l.head;
    if (l.head != PFN_NONE) pfn_page(map, l.head)->prev = pfn;
    else l.tail = pfn;
    l.head = pfn;
}

inline void list_add_tail(const MemMap& map, PageList& l, uint32_t pfn, Page* p) {
    p->next = PFN_NONE;
    p->prev = l.tail;
    if (l.tail != PFN_NONE) pfn_page(map, l.tail)->next = pfn;
    else l.head = pfn;
    l.tail = pfn;
}

// Unlinks `pfn`, which the caller knows to be on `l`.
inline void list_del(const MemMap& map, PageList& l, Page* p) {
    if (p->prev != PFN_NONE) pfn_page(map, p->prev)->next = p->next;
    else l.head = p->next;
    if (p->next != PFN_NONE) pfn_page(map, p->next)->prev = p->prev;
    else l.tail = p->prev;
    p->next = PFN_NONE;
    p->prev = PFN_NONE;
}

// Unlinks and returns the first entry of a non-empty list.
inline uint32_t list_pop_head(const MemMap& map, PageList& l) {
    uint32_t pfn = l.head;
    Page* p = pfn_page(map, pfn);
    l.head = p->next;
    if (l.head != PFN_NONE) pfn_page(map, l.head)->prev = PFN_NONE;
    else l.tail = PFN_NONE;
    p->next = PFN_NONE;
    return pfn;
}

}  // namespace mm
