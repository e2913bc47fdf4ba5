#include "buddy/lru.h"

namespace mm {

namespace {

uint64_t block_pages(const Page* p) { return uint64_t(1) << p->order(); }

LruList list_of(const Page* p) { return p->test(PG_active) ? LruList::Active : LruList::Inactive; }

// Buddy::zone_of out of line, so that the loops of add_run keep their
// values in registers.
[[gnu::noinline]] Zone* zone_at(Buddy& buddy, Pfn pfn) { return buddy.zone_of(pfn); }

}  // namespace

Zone* Lru::lookup(unsigned nid, ZoneType zone) const {
    if (nid >= buddy_.nr_nodes() || unsigned(zone) >= MAX_NR_ZONES) return nullptr;
    return &buddy_.zone(nid, zone);
}

bool Lru::referenced(Page* p, uint32_t pfn, AccessProbe probe) {
    bool young = probe.test_and_clear_young && probe.test_and_clear_young(probe.ctx, Pfn(pfn));
    bool ref = p->test(PG_referenced) || young;
    p->clear(PG_referenced);
    return ref;
}

void Lru::move(Zone& z, uint32_t pfn, Page* p, LruList from, LruList to) {
    const MemMap& map = buddy_.memmap();
    list_del(map, z.lru.lists[unsigned(from)], p);
    z.lru.nr_pages[unsigned(from)] -= block_pages(p);
    list_add_head(map, z.lru.lists[unsigned(to)], pfn, p);
    z.lru.nr_pages[unsigned(to)] += block_pages(p);
    if (to == LruList::Active)
        p->set(PG_active);
    else
        p->clear(PG_active);
}

Status Lru::add_run(const Pfn* pfns, size_t n, uint32_t owner, VirtAddr vaddr, LruList list) {
    const MemMap map = buddy_.memmap();
    const Pfn* const end = pfns + n;
    // Both passes go zone by zone: a run's frames mostly share one, whose
    // bounds are looked up again only when a frame falls outside them.
    // First every frame is checked.
    for (const Pfn* pfn = pfns; pfn != end;) {
        const Zone* z = zone_at(buddy_, *pfn);
        if (!z) return Error::NotOwned;
        const uint64_t zone_start = z->start_pfn.raw(), zone_span = z->spanned;
        for (; pfn != end && pfn->raw() - zone_start < zone_span; pfn++) {
            const uint32_t f = map.pfn_to_page(*pfn)->flags;
            if ((f & (PG_allocated | PG_lru | PG_isolated | detail::ORDER_MASK)) != PG_allocated) {
                if (!(f & PG_allocated)) return Error::NotOwned;
                return (f & (PG_lru | PG_isolated)) ? Error::Busy : Error::WrongOrder;
            }
        }
    }
    // Then each zone's frames are chained newest first (each one's next is
    // the frame added before it) and the chain spliced onto the list head.
    constexpr uint32_t keep = ~uint32_t(PG_referenced | PG_active);
    const uint32_t set = PG_lru | (list == LruList::Active ? uint32_t(PG_active) : 0);
    auto take = [owner, set](Page* p, uint64_t va) {
        p->owner = owner;
        p->index = va;
        p->flags = (p->flags & keep) | set;
    };
    uint64_t va = vaddr.raw();
    for (const Pfn* pfn = pfns; pfn != end;) {
        Zone* z = zone_at(buddy_, *pfn);
        const uint64_t zone_start = z->start_pfn.raw(), zone_span = z->spanned;
        const Pfn* const oldest = pfn;
        Page* newest = map.pfn_to_page(*pfn);
        take(newest, va);
        while (++pfn != end && pfn->raw() - zone_start < zone_span) {
            va += PAGE_SIZE;
            Page* p = map.pfn_to_page(*pfn);
            p->next = uint32_t(pfn[-1].raw());
            newest->prev = uint32_t(pfn->raw());
            take(p, va);  // after the links: flags and next are not paired in one store
            newest = p;
        }
        va += PAGE_SIZE;
        newest->prev = PFN_NONE;
        PageList& l = z->lru.lists[unsigned(list)];
        map.pfn_to_page(*oldest)->next = l.head;
        if (l.head != PFN_NONE)
            map.pfn_to_page(Pfn(l.head))->prev = uint32_t(oldest->raw());
        else
            l.tail = uint32_t(oldest->raw());
        l.head = uint32_t(pfn[-1].raw());
        z->lru.nr_pages[unsigned(list)] += uint64_t(pfn - oldest);
    }
    return {};
}

Status Lru::mark_accessed(Pfn pfn) {
    Zone* z = buddy_.zone_of(pfn);
    if (!z) return Error::NotFound;
    Page* p = buddy_.page(pfn);
    if (!p->test(PG_allocated) || !(p->test(PG_lru) || p->test(PG_isolated))) return Error::NotFound;
    if (p->test(PG_lru) && !p->test(PG_active) && p->test(PG_referenced)) {
        move(*z, uint32_t(pfn.raw()), p, LruList::Inactive, LruList::Active);
        p->clear(PG_referenced);
    } else {
        p->set(PG_referenced);
    }
    return {};
}

Result<size_t> Lru::age(unsigned nid, ZoneType zone, size_t nr_to_scan, AccessProbe probe) {
    Zone* z = lookup(nid, zone);
    if (!z) return Error::InvalidArgument;
    size_t deactivated = 0;
    PageList& active = z->lru.lists[unsigned(LruList::Active)];
    for (size_t scanned = 0; scanned < nr_to_scan && !active.empty(); scanned++) {
        uint32_t pfn = active.tail;
        Page* p = buddy_.page(Pfn(pfn));
        if (referenced(p, pfn, probe)) {
            move(*z, pfn, p, LruList::Active, LruList::Active);
        } else {
            move(*z, pfn, p, LruList::Active, LruList::Inactive);
            deactivated += block_pages(p);
        }
    }
    return deactivated;
}

Result<size_t> Lru::isolate(unsigned nid, ZoneType zone, size_t nr_to_scan, Pfn* out, size_t max,
                            AccessProbe probe) {
    Zone* z = lookup(nid, zone);
    if (!z || (max && !out)) return Error::InvalidArgument;
    size_t taken = 0;
    PageList& inactive = z->lru.lists[unsigned(LruList::Inactive)];
    for (size_t scanned = 0; scanned < nr_to_scan && taken < max && !inactive.empty(); scanned++) {
        uint32_t pfn = inactive.tail;
        Page* p = buddy_.page(Pfn(pfn));
        if (referenced(p, pfn, probe)) {
            move(*z, pfn, p, LruList::Inactive, LruList::Active);
            continue;
        }
        list_del(buddy_.memmap(), inactive, p);
        z->lru.nr_pages[unsigned(LruList::Inactive)] -= block_pages(p);
        z->lru.nr_isolated += block_pages(p);
        p->clear(PG_lru);
        p->set(PG_isolated);
        out[taken++] = Pfn(pfn);
    }
    return taken;
}

Status Lru::putback(Pfn pfn, LruList list) {
    Zone* z = buddy_.zone_of(pfn);
    if (!z) return Error::NotFound;
    Page* p = buddy_.page(pfn);
    if (!p->test(PG_allocated) || !p->test(PG_isolated)) return Error::NotFound;
    p->clear(PG_isolated);
    z->lru.nr_isolated -= block_pages(p);
    p->set(PG_lru);
    if (list == LruList::Active)
        p->set(PG_active);
    else
        p->clear(PG_active);
    list_add_head(buddy_.memmap(), z->lru.lists[unsigned(list)], uint32_t(pfn.raw()), p);
    z->lru.nr_pages[unsigned(list)] += block_pages(p);
    return {};
}

Status Lru::del(Pfn pfn) {
    Zone* z = buddy_.zone_of(pfn);
    if (!z) return Error::NotFound;
    Page* p = buddy_.page(pfn);
    if (!p->test(PG_allocated) || !p->test(PG_lru)) return Error::NotFound;
    LruList from = list_of(p);
    list_del(buddy_.memmap(), z->lru.lists[unsigned(from)], p);
    z->lru.nr_pages[unsigned(from)] -= block_pages(p);
    p->clear(PG_lru);
    p->clear(PG_active);
    p->clear(PG_referenced);
    return {};
}

bool Lru::inactive_is_low(unsigned nid, ZoneType zone) const {
    Zone* z = lookup(nid, zone);
    if (!z) return false;
    uint64_t inactive = z->lru.nr_pages[unsigned(LruList::Inactive)];
    uint64_t active = z->lru.nr_pages[unsigned(LruList::Active)];
    uint64_t gb = (inactive + active) >> (30 - PAGE_SHIFT);
    uint64_t ratio = 1;
    if (gb) {
        // int_sqrt(10 * gb), small enough for a linear search.
        ratio = 1;
        while ((ratio + 1) * (ratio + 1) <= 10 * gb) ratio++;
    }
    return inactive * ratio < active;
}

uint64_t Lru::nr_pages(unsigned nid, ZoneType zone, LruList list) const {
    Zone* z = lookup(nid, zone);
    return z ? z->lru.nr_pages[unsigned(list)] : 0;
}

uint64_t Lru::nr_isolated(unsigned nid, ZoneType zone) const {
    Zone* z = lookup(nid, zone);
    return z ? z->lru.nr_isolated : 0;
}

}  // namespace mm
