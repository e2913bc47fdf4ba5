// The blocks granted to the tasks the pager started.
//
// Every granted block has one Frame capability in the pager's table (the
// parent of every copy the client receives) and an entry in the grant
// table (pfn -> slot, order, client). Its head descriptor in mem_map
// records the owner (Page::owner) and the LRU list it is on.
//
// In order: the grant table; minting Frame capabilities from the Memory
// capabilities; the frames minted ahead of the commonest requests;
// granting (grant, and grant_mapped for a batch); taking back.
#include <bit>

#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

namespace pager {

namespace {

// ---- the grant table ------------------------------------------------------

constexpr unsigned TABLE_SIZE = 2 * abi::ROOT_CAP_SLOTS;
// In a block the pager allocates for itself (grant_table_init).
constinit GrantEntry* g_table = nullptr;

size_t hash(uint64_t pfn) { return size_t((pfn * 0x9e3779b97f4a7c15ull) >> 40) & (TABLE_SIZE - 1); }

GrantEntry* find(uint64_t pfn) {
    for (unsigned i = hash(pfn), n = 0; n < TABLE_SIZE; i = (i + 1) & (TABLE_SIZE - 1), n++) {
        if (g_table[i].pfn == pfn) return &g_table[i];
        if (g_table[i].pfn == 0 && !g_table[i].tombstone) return nullptr;
    }
    return nullptr;
}

// Every entry in use holds one of the pager's capability slots (the
// grant's Frame capability), and the table has more entries than there are
// slots: an insert always finds a free entry.
static_assert(TABLE_SIZE > abi::ROOT_CAP_SLOTS);

// Puts `e` into the first free entry (never used or a tombstone) probing
// linearly from its hash.
[[gnu::always_inline]] inline void insert(const GrantEntry& e) {
    GrantEntry* p = &g_table[hash(e.pfn)];
    while (p->pfn != 0)
        if (++p == g_table + TABLE_SIZE) p = g_table;
    *p = e;
}

GrantEntry* next_entry(GrantEntry* e) { return e + 1 == g_table + TABLE_SIZE ? g_table : e + 1; }
GrantEntry* prev_entry(GrantEntry* e) { return e == g_table ? g_table + TABLE_SIZE - 1 : e - 1; }

// A tombstone keeps the probe chains that pass `e` intact. None passes it
// when the next entry was never used (probes stop there), and then the
// tombstones just before `e` are not needed either. Without this, grants
// and frees would in time leave every unused entry a tombstone, and every
// lookup that misses (a Free of a frame not granted) would probe the
// whole table.
void erase(GrantEntry* e) {
    *e = GrantEntry{};
    const GrantEntry* next = next_entry(e);
    if (next->pfn != 0 || next->tombstone) {
        e->tombstone = true;
        return;
    }
    for (GrantEntry* p = prev_entry(e); p->tombstone; p = prev_entry(p)) p->tombstone = false;
}

bool pfn_in_memmap(Pfn pfn) {
    const mm::Buddy& b = memory().buddy;
    for (unsigned n = 0; n < b.nr_nodes(); n++) {
        const mm::NodeSpan& s = b.node_span(n);
        if (pfn >= s.start && pfn < s.end()) return true;
    }
    return false;
}

}  // namespace

Status grant_table_init() {
    const unsigned order = bits::log2_ceil(align_up(TABLE_SIZE * sizeof(GrantEntry), PAGE_SIZE) / PAGE_SIZE);
    Pfn pfn = TRY(memory().buddy.alloc(mm::AllocRequest::of(order, mm::GFP_ZERO | mm::GFP_MEMALLOC)));
    g_table = reinterpret_cast<GrantEntry*>(phys_ptr(pfn));
    return {};
}

namespace {

// ---- minting Frame capabilities from the Memory capabilities --------------

// The Memory capability (boot info entry: slot and pfn range) that covers
// `pfn`, or nullptr. Consecutive grants mostly come from one range: the
// last one found is tried first.
const abi::BootMemory* memory_of(Pfn pfn) {
    static const abi::BootMemory* last = nullptr;
    if (last && pfn.raw() - last->first_pfn < last->pages) return last;
    const abi::BootInfo* b = memory().boot;
    for (unsigned i = 0; i < b->nr_memory; i++) {
        const abi::BootMemory& m = b->memory[i];
        if (pfn.raw() - m.first_pfn < m.pages) return last = &m;
    }
    return nullptr;
}

// How many of pfns[0..n) (n >= 1), from the first, lie in one Memory range,
// which *m names (nullptr, with a run of 1, if the first lies in none).
// Batches are minted one kernel call per such run.
unsigned memory_run(const uint64_t* pfns, unsigned n, const abi::BootMemory** m) {
    const abi::BootMemory* range = memory_of(Pfn(pfns[0]));
    *m = range;
    if (!range) return 1;
    const uint64_t first = range->first_pfn, pages = range->pages;
    unsigned run = 1;
    while (run < n && pfns[run] - first < pages) run++;
    return run;
}

// Mints a Frame capability for [pfn, pfn + 2^order) into a fresh slot.
// Errors: NotFound (no Memory cap covers it), those of slot_alloc / the kernel.
Result<unsigned> mint_frame(Pfn pfn, unsigned order, uint8_t rights) {
    const abi::BootMemory* m = memory_of(pfn);
    // A block lies in one Memory range (the buddy allocator never merges
    // across one: each is a separate zone span or hole-bounded).
    if (!m || pfn.raw() + (uint64_t(1) << order) - m->first_pfn > m->pages) return Error::NotFound;
    unsigned slot = TRY(slot_alloc());
    Status s = sys::memory_mint_frame(m->slot, pfn.raw(), order, rights, slot);
    if (!s.ok()) {
        slot_free(slot);
        return s.error();
    }
    return slot;
}

// ---- frames minted ahead --------------------------------------------------

// Order-0 frames allocated and minted ahead of the two commonest requests
// -- a default Alloc (any zone and node, no flags) and a demand-zero fault
// (movable) -- so that answering one makes no kernel call of its own:
// each cache is refilled MINT_AHEAD at a time with one MemoryMintFrames
// call per Memory range. Until granted the frames are allocated in the
// buddy allocator and nobody's; minted_drain() gives them back (before the
// final count, and when an allocation fails).
constexpr unsigned MINT_AHEAD = 32;
struct MintedFrames {
    uint64_t pfn[MINT_AHEAD];
    uint16_t slot[MINT_AHEAD];
    unsigned n;
};
constexpr mm::AllocRequest CACHED_REQUESTS[] = {
    mm::AllocRequest::of(0, 0, mm::ZoneType::Movable),  // Alloc with PAGER_ANY, PAGER_ANY, no flags
    DEMAND_ZERO_REQUEST,                                // demand-zero faults (pager.h)
};
constexpr unsigned NR_CACHES = sizeof CACHED_REQUESTS / sizeof CACHED_REQUESTS[0];
static_assert(NR_CACHES == NR_MINTED_CACHES);
constinit MintedFrames g_minted[NR_CACHES] = {};

// Which cache serves `r` with `rights`, or NR_CACHES: one comparison of
// the request word per cache (gfp.h: the fields fill it exactly).
unsigned cache_for(mm::AllocRequest r, uint8_t rights) {
    if (rights != (abi::RIGHT_READ | abi::RIGHT_WRITE)) return NR_CACHES;
    const uint64_t w = std::bit_cast<uint64_t>(r);
    for (unsigned k = 0; k < NR_CACHES; k++)
        if (w == std::bit_cast<uint64_t>(CACHED_REQUESTS[k])) return k;
    return NR_CACHES;
}

// Fills cache k. Errors: those of the allocator (nothing was taken) or of
// minting the first run (its frames went back).
Status minted_refill(unsigned k) {
    MintedFrames& cache = g_minted[k];
    uint64_t pfns[MINT_AHEAD];
    static_assert(sizeof(Pfn) == sizeof(uint64_t));
    const unsigned n = unsigned(TRY(
        memory().buddy.alloc_bulk(CACHED_REQUESTS[k], MINT_AHEAD - cache.n, reinterpret_cast<Pfn*>(pfns))));
    unsigned done = 0;
    Status status = ok_status();
    while (done < n) {
        const abi::BootMemory* m;
        const unsigned run = memory_run(pfns + done, n - done, &m);
        auto first = m ? slot_alloc_run(run) : Result<unsigned>(Error::NotFound);
        if (first.ok()) {
            status = sys::memory_mint_frames(m->slot, pfns + done, run, *first);
            if (!status.ok())
                for (unsigned i = 0; i < run; i++) slot_free(*first + i);
        } else {
            status = first.error();
        }
        if (!status.ok()) break;
        for (unsigned i = 0; i < run; i++) {
            cache.pfn[cache.n] = pfns[done + i];
            cache.slot[cache.n] = uint16_t(*first + i);
            cache.n++;
        }
        done += run;
    }
    for (unsigned i = done; i < n; i++) (void)memory().buddy.free(Pfn(pfns[i]), Order(0));
    return cache.n ? ok_status() : status;
}

// Records the block at pfn (minted into `slot`) as granted to `c`.
[[gnu::always_inline]] inline Grant record_grant(Client* c, Pfn pfn, unsigned order, unsigned slot,
                                                 uint64_t va) {
    (void)memory().lru.add(pfn, c->id, VirtAddr(va));
    c->held_pages += uint64_t(1) << order;
    c->blocks++;
    return Grant{pfn, slot};
}

// A request answered from cache k (not empty).
[[gnu::noinline]] Result<Grant> grant_minted(Client* c, unsigned k, uint64_t va) {
    MintedFrames& cache = g_minted[k];
    const unsigned i = --cache.n;
    const Pfn pfn(cache.pfn[i]);
    const unsigned slot = cache.slot[i];
    insert(GrantEntry{pfn.raw(), uint16_t(slot), 0, uint8_t(c->id), false});
    return record_grant(c, pfn, 0, slot, va);
}

}  // namespace

bool minted_drain() {
    bool any = false;
    for (MintedFrames& cache : g_minted) {
        for (unsigned i = 0; i < cache.n; i++) {
            (void)sys::cap_delete(cache.slot[i]);
            slot_free(cache.slot[i]);
            (void)memory().buddy.free(Pfn(cache.pfn[i]), Order(0));
        }
        any |= cache.n != 0;
        cache.n = 0;
    }
    return any;
}

GrantTableView grant_table_view() { return GrantTableView{g_table, TABLE_SIZE}; }
const GrantEntry* grant_lookup(uint64_t pfn) { return find(pfn); }
MintedView minted_view(unsigned k) { return MintedView{g_minted[k].pfn, g_minted[k].slot, g_minted[k].n}; }

unsigned minted_count() {
    unsigned n = 0;
    for (const MintedFrames& cache : g_minted) n += cache.n;
    return n;
}

// ---- granting -------------------------------------------------------------

namespace {

// After the allocator refused `req` with `e`: gives back what the minted
// caches held and, if they held anything, asks again. Out of line: the
// callers' fast paths do not pay for it.
[[gnu::noinline]] Result<Pfn> alloc_after_drain(mm::AllocRequest req, Error e) {
    if (!minted_drain()) return e;
    return memory().buddy.alloc(req);
}

}  // namespace

Result<Grant> grant(Client* c, mm::AllocRequest req, uint64_t va, uint8_t rights) {
    uint64_t pages = uint64_t(1) << req.order;
    if (c->held_pages + pages > c->quota) return Error::OverQuota;
    if (const unsigned k = cache_for(req, rights); k < NR_CACHES && (g_minted[k].n || minted_refill(k).ok()))
        return grant_minted(c, k, va);
    auto got = memory().buddy.alloc(req);
    if (!got.ok()) [[unlikely]]
        got = alloc_after_drain(req, got.error());
    Pfn pfn = TRY(got);
    auto slot = mint_frame(pfn, req.order, rights);
    if (!slot.ok()) {
        (void)memory().buddy.free(pfn, Order(req.order));
        return slot.error();
    }
    insert(GrantEntry{pfn.raw(), uint16_t(*slot), req.order, uint8_t(c->id), false});
    return record_grant(c, pfn, req.order, *slot, va);
}

namespace {

// Grant table entries for the order-0 frames pfns[0..n), minted into the
// slots from `first`, granted to the client `id`. Out of line: its loop
// wants the registers of a small function.
[[gnu::noinline]] void insert_run(const uint64_t* pfns, unsigned n, unsigned first, uint8_t id) {
    for (unsigned i = 0; i < n; i++) insert(GrantEntry{pfns[i], uint16_t(first + i), 0, id, false});
}

// Mints and maps pfns[0..n) (all of one Memory range) at va.. for `c` and
// records them: grant table entries, then the LRU lists in one run. On
// error nothing of this group stays.
Status grant_group(Client* c, uint64_t va, const uint64_t* pfns, unsigned n, unsigned memory_slot) {
    unsigned first = TRY(slot_alloc_run(n));
    Status s = sys::memory_mint_map(memory_slot, c->task_slot, va, pfns, n, first);
    if (!s.ok()) {
        for (unsigned i = 0; i < n; i++) slot_free(first + i);
        return s;
    }
    insert_run(pfns, n, first, uint8_t(c->id));
    (void)memory().lru.add_run(reinterpret_cast<const Pfn*>(pfns), n, c->id, VirtAddr(va));
    c->held_pages += n;
    c->blocks += n;
    return {};
}

// Allocates `count` order-0 frames for `req` into pfns[0..count). On
// error none stays allocated.
Status alloc_frames(mm::AllocRequest req, uint64_t* pfns, unsigned count) {
    // alloc_bulk takes as many as the first good zone has; then again.
    static_assert(sizeof(Pfn) == sizeof(uint64_t));
    Pfn* out = reinterpret_cast<Pfn*>(pfns);
    unsigned got = 0;
    if (count == 1) {
        // One frame: the allocator's single-frame fast path, and like the
        // bulk path below, another try with what the minted caches held.
        auto one = memory().buddy.alloc(req);
        if (!one.ok()) one = alloc_after_drain(req, one.error());
        pfns[0] = TRY(one).raw();
        got = 1;
    }
    while (got < count) {
        auto n = memory().buddy.alloc_bulk(req, count - got, out + got);
        if (!n.ok() && minted_drain()) continue;  // what the cache held may do
        if (!n.ok()) {
            for (unsigned k = 0; k < got; k++) (void)memory().buddy.free(Pfn(pfns[k]), Order(0));
            return n.error();
        }
        got += unsigned(*n);
    }
    return {};
}

// Grants the allocated frames pfns[0..count) to `c`, mapped from va on:
// one kernel call per run of frames from the same Memory range. On error
// none stays granted or allocated.
Status grant_runs(Client* c, uint64_t va, const uint64_t* pfns, unsigned count) {
    unsigned done = 0;
    while (done < count) {
        const abi::BootMemory* m;
        const unsigned n = memory_run(pfns + done, count - done, &m);
        Status s = m ? grant_group(c, va + done * PAGE_SIZE, pfns + done, n, unsigned(m->slot))
                     : Status(Error::NotFound);
        if (!s.ok()) {
            for (unsigned k = 0; k < done; k++) (void)ungrant(c, Pfn(pfns[k]), 0);
            for (unsigned k = done; k < count; k++) (void)memory().buddy.free(Pfn(pfns[k]), Order(0));
            return s;
        }
        done += n;
    }
    return {};
}

}  // namespace

Status grant_mapped(Client* c, uint64_t va, unsigned count, mm::AllocRequest req) {
    if (count == 0 || count > abi::MINT_MAP_MAX) return Error::InvalidArgument;
    if (c->held_pages + count > c->quota) return Error::OverQuota;
    uint64_t pfns[abi::MINT_MAP_MAX];
    req.order = 0;
    TRY_STATUS(alloc_frames(req, pfns, count));
    return grant_runs(c, va, pfns, count);
}

// ---- taking back ----------------------------------------------------------

Status ungrant(Client* c, Pfn pfn, unsigned order) {
    if (order >= mm::MAX_ORDER) return Error::InvalidArgument;
    GrantEntry* e = find(pfn.raw());
    if (!e) {
        // Not granted: free already (DoubleFree) or never anyone's (NotOwned).
        if (!pfn_in_memmap(pfn)) return Error::NotOwned;
        const mm::Page* p = memory().buddy.page(pfn);
        return p->test(mm::PG_buddy) || p->test(mm::PG_pcp) ? Error::DoubleFree : Error::NotOwned;
    }
    if (e->client != c->id) return Error::NotOwned;
    if (e->order != order) return Error::WrongOrder;
    unsigned slot = e->slot;
    (void)sys::cap_revoke(slot);  // the client's copies and their mappings
    (void)sys::cap_delete(slot);  // and the mapping the pager made for it
    slot_free(slot);
    erase(e);
    TRY_STATUS(memory().buddy.free(pfn, Order(order)));
    c->held_pages -= uint64_t(1) << order;
    c->blocks--;
    return {};
}

void release_all(Client* c) {
    for (unsigned i = 0; i < TABLE_SIZE; i++) {
        GrantEntry& e = g_table[i];
        if (e.pfn && e.client == c->id) {
            Status s = ungrant(c, Pfn(e.pfn), e.order);
            if (!s.ok())
                uprintf("pager: freeing pfn %#lx of %s failed: %s\n", e.pfn, c->name, error_name(s.error()));
        }
    }
}

}  // namespace pager
