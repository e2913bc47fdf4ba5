// Active and inactive LRU lists per node and zone: the bookkeeping the
// pager's reclaim needs (Linux's lruvec with mark_page_accessed,
// shrink_active_list and isolate_lru_pages, in one list pair per zone).
//
// A granted block goes on a list with its owner and user address in the
// descriptor. Accesses promote it (second chance); aging moves blocks
// nobody touched from the active to the inactive list; reclaim isolates
// a batch from the inactive tail, writes the frames out and frees them
// (free() takes a block off its list) or puts them back.
//
// The lists live in the zones of a Buddy; Lru is the interface to them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "buddy/buddy.h"

namespace mm {

// Reports whether a frame was accessed since the last call, clearing the
// hardware accessed bits (the pager reads them through a syscall).
struct AccessProbe {
    bool (*test_and_clear_young)(void* ctx, Pfn pfn) = nullptr;
    void* ctx = nullptr;
};

class Lru {
public:
    explicit Lru(Buddy& buddy) : buddy_(buddy) {}

    // Puts the allocated block headed by `pfn` on `list`, recording who
    // owns it and where it is mapped. Errors: NotOwned (not the head of
    // an allocated block), Busy (already on a list or isolated).
    // Inline: the pager adds each block it grants alone (Alloc, faults).
    Status add(Pfn pfn, uint32_t owner, VirtAddr vaddr, LruList list = LruList::Inactive);

    // The distinct order-0 frames pfns[0..n) (as alloc_bulk hands them
    // out), frame i mapped at vaddr + i pages, put on `list` exactly as n
    // calls of add() in order would (the last one at the head): the pager's
    // batch grants. A frame named twice is not detected. Each zone's part is linked as a
    // chain and spliced onto its list once. All or nothing: every frame is
    // checked before any is touched. Errors: those of add(), and WrongOrder
    // (a block larger than one frame).
    Status add_run(const Pfn* pfns, size_t n, uint32_t owner, VirtAddr vaddr,
                   LruList list = LruList::Inactive);

    // mark_page_accessed: the first access sets PG_referenced; a second on
    // an inactive block moves it to the active list. Errors: NotFound (not
    // on a list and not isolated).
    Status mark_accessed(Pfn pfn);

    // Scans up to `nr_to_scan` blocks from the active tail: referenced ones
    // (PG_referenced or the probe) get a second chance at the active head,
    // the rest move to the inactive head. Returns the frames deactivated.
    // Errors: InvalidArgument (no such node or zone).
    Result<size_t> age(unsigned nid, ZoneType zone, size_t nr_to_scan, AccessProbe probe = {});

    // Scans up to `nr_to_scan` blocks from the inactive tail; referenced
    // ones are activated, the others taken off the list (PG_isolated) into
    // out[] until `max` are taken. Returns how many were taken.
    // Errors: InvalidArgument (no such node or zone, or out == null with max > 0).
    Result<size_t> isolate(unsigned nid, ZoneType zone, size_t nr_to_scan, Pfn* out, size_t max,
                           AccessProbe probe = {});

    // Returns an isolated block to the head of `list`. Errors: NotFound
    // (not isolated).
    Status putback(Pfn pfn, LruList list);

    // Takes a block off its list without freeing it. Errors: NotFound (not
    // on a list).
    Status del(Pfn pfn);

    // Whether the inactive list is short compared with the active one,
    // so aging should run (inactive_is_low: the ratio grows with the
    // square root of the zone size, 1 below 1 GiB). False for an unknown zone.
    bool inactive_is_low(unsigned nid, ZoneType zone) const;

    uint64_t nr_pages(unsigned nid, ZoneType zone, LruList list) const;
    uint64_t nr_isolated(unsigned nid, ZoneType zone) const;

private:
    Zone* lookup(unsigned nid, ZoneType zone) const;
    static bool referenced(Page* p, uint32_t pfn, AccessProbe probe);
    void move(Zone& z, uint32_t pfn, Page* p, LruList from, LruList to);

    Buddy& buddy_;
};

// One load of the flags decides; the descriptor then takes its new flags
// in one store.
inline Status Lru::add(Pfn pfn, uint32_t owner, VirtAddr vaddr, LruList list) {
    Zone* z = buddy_.zone_of(pfn);
    if (!z) return Error::NotOwned;
    Page* p = buddy_.page(pfn);
    uint32_t f = p->flags;
    if ((f & (PG_allocated | PG_lru | PG_isolated)) != PG_allocated)
        return (f & PG_allocated) ? Error::Busy : Error::NotOwned;
    p->owner = owner;
    p->index = vaddr.raw();
    list_add_head(buddy_.memmap(), z->lru.lists[unsigned(list)], uint32_t(pfn.raw()), p);
    // After the links: x86 compilers would pair the flags with `next` in a vector store.
    uint32_t active = list == LruList::Active ? uint32_t(PG_active) : 0;
    p->flags = (f & ~uint32_t(PG_referenced | PG_active)) | PG_lru | active;
    z->lru.nr_pages[unsigned(list)] += uint64_t(1) << ((f & detail::ORDER_MASK) >> Page::ORDER_SHIFT);
    return {};
}

}  // namespace mm
