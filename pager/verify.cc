// The pager's check of its own state (Stats with PAGER_STAT_VERIFY,
// docs/pager-protocol.md): the buddy allocator's own check, then what the
// pager keeps on top of it -- the grant table, the minted caches, the
// clients' counts, the LRU lists and the free count -- against each other
// and against the kernel's view of the pager's capabilities. Read only.
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

bool slot_used(unsigned slot) {
    return slot < abi::ROOT_CAP_SLOTS && (slots_detail::g_bits.w[slot / 64] >> (slot % 64)) & 1;
}

// The kernel holds a Frame capability for [pfn, pfn + 2^order) in `slot`.
bool kernel_has_frame(unsigned slot, uint64_t pfn, unsigned order) {
    auto c = sys::cap_identify(slot);
    return c.ok() && c->type == abi::CapType::Frame && c->word == (pfn << 8 | order);
}

struct ClientTally {
    uint64_t pages, blocks;
};

// Every grant: a live client's, of an allocated block on the LRU lists
// owned by that client, its capability in a slot the pager marks used and
// the kernel has, found where a lookup probes.
Status check_grants(const TextSink* why, ClientTally* tally, uint64_t* granted) {
    const GrantTableView table = grant_table_view();
    const mm::Buddy& b = memory().buddy;
    for (unsigned i = 0; i < table.size; i++) {
        const GrantEntry& e = table.entries[i];
        if (e.pfn == 0) continue;
        if (e.tombstone) return fail(why, "pager: grant entry %lu (pfn %#lx) marked deleted\n", i, e.pfn);
        Client* c = e.client ? client_by_badge(e.client) : nullptr;
        if (!c) return fail(why, "pager: pfn %#lx granted to %lu, no live client\n", e.pfn, e.client);
        if (grant_lookup(e.pfn) != &e)
            return fail(why, "pager: pfn %#lx: a lookup finds another entry or none (entry %lu)\n", e.pfn, i);
        if (e.order >= mm::MAX_ORDER || !b.zone_of(Pfn(e.pfn)))
            return fail(why, "pager: pfn %#lx order %lu not a block of the allocator\n", e.pfn, e.order);
        const mm::Page* p = b.page(Pfn(e.pfn));
        if (!p->test(mm::PG_allocated) || p->order() != e.order)
            return fail(why, "pager: granted pfn %#lx is not an allocated block of order %lu\n", e.pfn,
                        e.order);
        if (!(p->test(mm::PG_lru) || p->test(mm::PG_isolated)) || p->owner != e.client)
            return fail(why, "pager: granted pfn %#lx not on the LRU lists as client %lu's\n", e.pfn,
                        e.client);
        if (e.slot < FIRST_DYNAMIC_SLOT || !slot_used(e.slot))
            return fail(why, "pager: granted pfn %#lx in slot %lu, not one in use\n", e.pfn, e.slot);
        if (!kernel_has_frame(e.slot, e.pfn, e.order))
            return fail(why, "pager: slot %lu holds no Frame of granted pfn %#lx\n", e.slot, e.pfn);
        tally[e.client - 1].pages += uint64_t(1) << e.order;
        tally[e.client - 1].blocks++;
        *granted += uint64_t(1) << e.order;
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
// list and in no grant, each in a used slot holding its Frame.
Status check_minted(const TextSink* why, uint64_t* minted) {
    const mm::Buddy& b = memory().buddy;
    for (unsigned k = 0; k < NR_MINTED_CACHES; k++) {
        const MintedView v = minted_view(k);
        for (unsigned i = 0; i < v.n; i++) {
            const uint64_t pfn = v.pfns[i];
            if (!b.zone_of(Pfn(pfn))) return fail(why, "pager: minted pfn %#lx outside the allocator\n", pfn);
            const mm::Page* p = b.page(Pfn(pfn));
            if (!p->test(mm::PG_allocated) || p->order() != 0 || p->test(mm::PG_lru) || grant_lookup(pfn))
                return fail(why, "pager: minted pfn %#lx is not an allocated frame nobody holds\n", pfn);
            if (!slot_used(v.slots[i]) || !kernel_has_frame(v.slots[i], pfn, 0))
                return fail(why, "pager: minted pfn %#lx: slot %lu holds no Frame of it\n", pfn, v.slots[i]);
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
                    const GrantEntry* e = grant_lookup(pfn);
                    if (!e || e->client != b.page(Pfn(pfn))->owner)
                        return fail(why, "pager: pfn %#lx on an LRU list, not granted to its owner %lu\n",
                                    pfn, b.page(Pfn(pfn))->owner);
                    on_lists += uint64_t(1) << e->order;
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
    TRY_STATUS(check_grants(why, tally, &granted));
    TRY_STATUS(check_clients(why, tally));
    TRY_STATUS(check_minted(why, &minted));
    TRY_STATUS(check_lru(why, granted));
    const uint64_t free = memory().buddy.nr_free_pages();
    if (free + granted + minted != memory().start_free)
        return fail(why, "pager: %lu pages free, granted or minted ahead, %lu at the start\n",
                    free + granted + minted, memory().start_free);
    return {};
}

}  // namespace pager
