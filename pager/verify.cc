// The pager's check of its own state (Stats with PAGER_STAT_VERIFY,
// docs/pager-protocol.md): the buddy allocator's own check, then what the
// pager keeps on top of it -- the clients' lists of blocks, the minted
// caches, the clients' counts, the LRU lists and the free count -- against
// each other and against the kernel's view of the frame table. Read only.
#include "buddy/buddy.h"
#include "format/format.h"
#include "pager/pager.h"
#include "runtime/syscall.h"

namespace pager {

namespace {

// The problem, printf-style with up to three numbers, and Malformed.
Status fail(const TextSink* why, const char* fmt, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
    if (why) format(*why, fmt, (unsigned long)a, (unsigned long)b, (unsigned long)c);
    return Error::Malformed;
}

// The kernel holds a Frame capability for [pfn, pfn + 2^order) in its
// slot of the frame table.
bool kernel_has_frame(Pfn pfn, unsigned order) {
    auto c = sys::cap_identify(frame_slot(pfn));
    return c.ok() && c->type == abi::CapType::Frame && c->word == (pfn.raw() << 8 | order);
}

struct ClientTally {
    uint64_t pages, blocks;
};

// A frame of a served range that a zone of mem_map describes.
bool served(Pfn pfn) { return range_of(pfn) && memory().buddy.zone_of(pfn); }

// Each live client's list of blocks: linked both ways, each an allocated
// block of the client's on the LRU lists, its capability in the frame
// table. A list longer than the client's count of blocks is broken (and
// the walk stops there, so that a cycle ends it).
Status check_blocks(const TextSink* why, ClientTally* tally, uint64_t* granted) {
    const mm::Buddy& b = memory().buddy;
    for (unsigned id = 1; id <= MAX_CLIENTS; id++) {
        const Client* c = client_by_badge(id);
        if (!c) continue;
        uint32_t prev = mm::PFN_NONE;
        for (uint32_t pfn = c->first_block; pfn != mm::PFN_NONE; pfn = b.page(Pfn(pfn))->owner_next) {
            if (!served(Pfn(pfn)))
                return fail(why, "pager: client %lu lists pfn %#lx, not a served frame\n", id, pfn);
            const mm::Page* p = b.page(Pfn(pfn));
            if (p->owner_prev != prev)
                return fail(why, "pager: client %lu's block %#lx links back to %#lx\n", id, pfn,
                            p->owner_prev);
            if (!p->test(mm::PG_allocated) || p->owner != id ||
                !(p->test(mm::PG_lru) || p->test(mm::PG_isolated)))
                return fail(why,
                            "pager: client %lu lists pfn %#lx, not an allocated block of its on the LRU\n",
                            id, pfn);
            if (!kernel_has_frame(Pfn(pfn), p->order()))
                return fail(why, "pager: the frame table holds no Frame of granted pfn %#lx (order %lu)\n",
                            pfn, p->order());
            if (++tally[id - 1].blocks > c->blocks)
                return fail(why, "pager: client %lu lists more than its %lu blocks\n", id, c->blocks);
            tally[id - 1].pages += uint64_t(1) << p->order();
            *granted += uint64_t(1) << p->order();
            prev = pfn;
        }
    }
    return {};
}

Status check_clients(const TextSink* why, const ClientTally* tally) {
    for (unsigned id = 1; id <= MAX_CLIENTS; id++) {
        const Client* c = client_by_badge(id);
        const ClientTally& t = tally[id - 1];
        if (!c) {
            if (t.pages) return fail(why, "pager: client %lu is gone, yet holds %lu pages\n", id, t.pages);
            continue;
        }
        if (c->held_pages != t.pages || c->blocks != t.blocks)
            return fail(why, "pager: client %lu counts %lu pages, its grants make %lu\n", id, c->held_pages,
                        t.pages);
        if (c->held_pages > c->quota)
            return fail(why, "pager: client %lu holds %lu pages, past its quota\n", id, c->held_pages);
    }
    return {};
}

// Frames allocated and minted ahead: allocated order-0 blocks on no LRU
// list and nobody's, each with its Frame in the frame table.
Status check_minted(const TextSink* why, uint64_t* minted) {
    const mm::Buddy& b = memory().buddy;
    for (unsigned k = 0; k < NR_MINTED_CACHES; k++) {
        const MintedView v = minted_view(k);
        for (unsigned i = 0; i < v.n; i++) {
            const uint64_t pfn = v.pfns[i];
            if (!served(Pfn(pfn))) return fail(why, "pager: minted pfn %#lx not a served frame\n", pfn);
            const mm::Page* p = b.page(Pfn(pfn));
            if (!p->test(mm::PG_allocated) || p->order() != 0 || p->test(mm::PG_lru) || p->owner != 0)
                return fail(why, "pager: minted pfn %#lx is not an allocated frame nobody holds\n", pfn);
            if (!kernel_has_frame(Pfn(pfn), 0))
                return fail(why, "pager: minted pfn %#lx: the frame table holds no Frame of it\n", pfn);
        }
        *minted += v.n;
    }
    if (*minted != minted_count())
        return fail(why, "pager: %lu frames minted ahead, counted %lu\n", *minted, minted_count());
    return {};
}

// Every block on an LRU list is granted, to the client it names.
Status check_lru(const TextSink* why, uint64_t granted) {
    const mm::Buddy& b = memory().buddy;
    uint64_t on_lists = 0;
    for (unsigned n = 0; n < b.nr_nodes(); n++) {
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            const mm::Zone& zone = b.zone(n, mm::ZoneType(z));
            for (const mm::PageList& l : zone.lru.lists) {
                for (uint32_t pfn = l.head; pfn != mm::PFN_NONE; pfn = b.page(Pfn(pfn))->next) {
                    const mm::Page* p = b.page(Pfn(pfn));
                    if (!client_by_badge(p->owner))
                        return fail(why, "pager: pfn %#lx on an LRU list, its owner %lu no live client\n",
                                    pfn, p->owner);
                    on_lists += uint64_t(1) << p->order();
                }
            }
            on_lists += zone.lru.nr_isolated;
        }
    }
    if (on_lists != granted)
        return fail(why, "pager: %lu pages on the LRU lists, %lu granted\n", on_lists, granted);
    return {};
}

}  // namespace

Status verify(const TextSink* why) {
    TRY_STATUS(memory().buddy.verify(why));
    ClientTally tally[MAX_CLIENTS] = {};
    uint64_t granted = 0, minted = 0;
    TRY_STATUS(check_blocks(why, tally, &granted));
    TRY_STATUS(check_clients(why, tally));
    TRY_STATUS(check_minted(why, &minted));
    TRY_STATUS(check_lru(why, granted));
    const uint64_t free = memory().buddy.nr_free_pages();
    const uint64_t own = memory().own_pages;
    if (free + granted + minted + own != memory().start_free)
        return fail(why,
                    "pager: %lu pages free, granted, minted ahead or the pager's own, %lu at the start\n",
                    free + granted + minted + own, memory().start_free);
    return {};
}

}  // namespace pager
