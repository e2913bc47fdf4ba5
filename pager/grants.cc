// The blocks granted to the tasks the pager started.
//
// A granted block is recorded in mem_map and the pager's capability space
// alone, so that the bookkeeping grows with the grants and nothing else
// bounds them: its head descriptor names the owner (Page::owner), the LRU
// list it is on and its place in the owner's list of blocks
// (Page::owner_next, owner_prev, from Client::first_block); its Frame
// capability -- the parent of every copy the client receives -- sits in
// the frame table at frame_slot(pfn) (pager.h).
//
// In order: the owners' lists; the Memory ranges and minting into the
// frame table; the frames minted ahead of the commonest requests;
// granting (grant, and grant_mapped for a batch); taking back.
#include <bit>

#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

namespace pager {

namespace {

// ---- the owners' lists of blocks ------------------------------------------

mm::Page* page(Pfn pfn) { return memory().buddy.page(pfn); }

// Puts the block at pfn at the head of c's list.
void owner_link(Client* c, Pfn pfn) {
    mm::Page* p = page(pfn);
    p->owner_next = c->first_block;
    p->owner_prev = mm::PFN_NONE;
    if (c->first_block != mm::PFN_NONE) page(Pfn(c->first_block))->owner_prev = uint32_t(pfn.raw());
    c->first_block = uint32_t(pfn.raw());
}

void owner_unlink(Client* c, Pfn pfn) {
    mm::Page* p = page(pfn);
    if (p->owner_prev == mm::PFN_NONE)
        c->first_block = p->owner_next;
    else
        page(Pfn(p->owner_prev))->owner_next = p->owner_next;
    if (p->owner_next != mm::PFN_NONE) page(Pfn(p->owner_next))->owner_prev = p->owner_prev;
    p->owner_next = p->owner_prev = mm::PFN_NONE;
}

}  // namespace

// ---- minting into the frame table -----------------------------------------

// Consecutive grants mostly come from one range: the last one found is
// tried first.
const MemoryRange* range_of(Pfn pfn) {
    static const MemoryRange* last = nullptr;
    if (last && last->contains(pfn)) return last;
    const Memory& m = memory();
    for (unsigned i = 0; i < m.nr_ranges; i++)
        if (m.ranges[i].contains(pfn)) return last = &m.ranges[i];
    return nullptr;
}

namespace {

// How many of pfns[0..n) (n >= 1), from the first, lie in one range,
// which *r names (nullptr, with a run of 1, if the first lies in none).
// Batches are minted one kernel call per such run.
unsigned range_run(const uint64_t* pfns, unsigned n, const MemoryRange** r) {
    const MemoryRange* range = range_of(Pfn(pfns[0]));
    *r = range;
    if (!range) return 1;
    unsigned run = 1;
    while (run < n && range->contains(Pfn(pfns[run]))) run++;
    return run;
}

// Mints a Frame capability for [pfn, pfn + 2^order) into frame_slot(pfn).
// Errors: NotFound (no served range holds it), those of the kernel.
Status mint_frame(Pfn pfn, unsigned order, uint8_t rights) {
    const MemoryRange* r = range_of(pfn);
    // A block lies in one range (the buddy allocator never merges across
    // one: each is a separate zone span or hole-bounded).
    if (!r || pfn.raw() + (uint64_t(1) << order) - r->first > r->pages) return Error::NotFound;
    return sys::memory_mint_frame(r->slot, pfn.raw(), order, rights, frame_slot(pfn));
}

// ---- frames minted ahead --------------------------------------------------

// Order-0 frames allocated and minted ahead of the two commonest requests
// -- a default Alloc (any zone and node, no flags) and a demand-zero fault
// (movable) -- so that answering one makes no kernel call of its own:
// each cache is refilled MINT_AHEAD at a time with one MemoryMintFrames
// call per range. Until granted the frames are allocated in the buddy
// allocator and nobody's; minted_drain() gives them back (before the final
// count, and when an allocation fails).
constexpr unsigned MINT_AHEAD = 32;
struct MintedFrames {
    uint64_t pfn[MINT_AHEAD];
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
        const MemoryRange* r;
        const unsigned run = range_run(pfns + done, n - done, &r);
        status = r ? sys::memory_mint_frames(r->slot, pfns + done, run, r->window) : Status(Error::NotFound);
        if (!status.ok()) break;
        for (unsigned i = 0; i < run; i++) cache.pfn[cache.n++] = pfns[done + i];
        done += run;
    }
    for (unsigned i = done; i < n; i++) (void)memory().buddy.free(Pfn(pfns[i]), Order(0));
    return cache.n ? ok_status() : status;
}

// Records the block at pfn (minted into its frame_slot) as granted to `c`.
[[gnu::always_inline]] inline Grant record_grant(Client* c, Pfn pfn, unsigned order, uint64_t va) {
    (void)memory().lru.add(pfn, c->id, VirtAddr(va));
    owner_link(c, pfn);
    c->held_pages += uint64_t(1) << order;
    c->blocks++;
    return Grant{pfn, frame_slot(pfn)};
}

// A request answered from cache k (not empty).
[[gnu::noinline]] Result<Grant> grant_minted(Client* c, unsigned k, uint64_t va) {
    MintedFrames& cache = g_minted[k];
    return record_grant(c, Pfn(cache.pfn[--cache.n]), 0, va);
}

}  // namespace

bool minted_drain() {
    bool any = false;
    for (MintedFrames& cache : g_minted) {
        for (unsigned i = 0; i < cache.n; i++) {
            (void)sys::cap_delete(frame_slot(Pfn(cache.pfn[i])));
            (void)memory().buddy.free(Pfn(cache.pfn[i]), Order(0));
        }
        any |= cache.n != 0;
        cache.n = 0;
    }
    return any;
}

MintedView minted_view(unsigned k) { return MintedView{g_minted[k].pfn, g_minted[k].n}; }

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
    if (Status s = mint_frame(pfn, req.order, rights); !s.ok()) {
        (void)memory().buddy.free(pfn, Order(req.order));
        return s.error();
    }
    return record_grant(c, pfn, req.order, va);
}

namespace {

// Mints and maps pfns[0..n) (all of range r) at va.. for `c` and records
// them: the LRU lists in one run, then c's list. On error nothing of this
// group stays.
Status grant_group(Client* c, uint64_t va, const uint64_t* pfns, unsigned n, const MemoryRange& r) {
    TRY_STATUS(sys::memory_mint_map(r.slot, c->task_slot, va, pfns, n, r.window));
    (void)memory().lru.add_run(reinterpret_cast<const Pfn*>(pfns), n, c->id, VirtAddr(va));
    for (unsigned i = 0; i < n; i++) owner_link(c, Pfn(pfns[i]));
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
// one kernel call per run of frames from the same range. On error none
// stays granted or allocated.
Status grant_runs(Client* c, uint64_t va, const uint64_t* pfns, unsigned count) {
    unsigned done = 0;
    while (done < count) {
        const MemoryRange* r;
        const unsigned n = range_run(pfns + done, count - done, &r);
        Status s = r ? grant_group(c, va + done * PAGE_SIZE, pfns + done, n, *r) : Status(Error::NotFound);
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
    // Not a frame of the allocator, or not the head of a block granted to
    // c: never anyone's (NotOwned), another's, or free already
    // (DoubleFree).
    if (!range_of(pfn)) return Error::NotOwned;
    const mm::Page* p = page(pfn);
    if (!p->test(mm::PG_allocated) || p->owner == 0)
        return memory().buddy.is_free(pfn) ? Error::DoubleFree : Error::NotOwned;
    if (p->owner != c->id) return Error::NotOwned;
    if (p->order() != order) return Error::WrongOrder;
    const uint64_t slot = frame_slot(pfn);
    (void)sys::cap_revoke(slot);  // the client's copies and their mappings
    (void)sys::cap_delete(slot);  // and the mapping the pager made for it
    owner_unlink(c, pfn);
    TRY_STATUS(memory().buddy.free(pfn, Order(order)));
    c->held_pages -= uint64_t(1) << order;
    c->blocks--;
    return {};
}

void release_all(Client* c) {
    driver_ending(c);
    while (c->first_block != mm::PFN_NONE) {
        const Pfn pfn(c->first_block);
        Status s = ungrant(c, pfn, page(pfn)->order());
        if (!s.ok()) {
            // Its record is broken (verify names how); it is left, and
            // the rest still goes back.
            uprintf("pager: freeing pfn %#lx of %s failed: %s\n", pfn.raw(), c->name, error_name(s.error()));
            owner_unlink(c, pfn);
        }
    }
}

}  // namespace pager
