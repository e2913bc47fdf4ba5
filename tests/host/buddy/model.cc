#include "model.h"

#include <algorithm>

namespace mm::test {

namespace {

const char* name(Error e) { return error_name(e); }

}  // namespace

MachineDef model_machine(bool pcp) {
    MachineDef d;
    d.nr_nodes = 2;
    d.zones = {{0, ZoneType::DMA32, BASE, 0x300},
               {0, ZoneType::Normal, BASE + 0x300, 0x500},
               {1, ZoneType::Normal, BASE + 0x800, 0x400},
               {1, ZoneType::Movable, BASE + 0xc00, 0x400}};
    d.holes = {{BASE + 0x100, BASE + 0x103}, {BASE + 0x500, BASE + 0x540}, {BASE + 0xd10, BASE + 0xd11}};
    if (pcp) {
        d.config.pcp_batch = 7;
        d.config.pcp_high = 20;
    }
    return d;
}

ModelDriver::ModelDriver(const MachineDef& def) : m_(def) {
    m_.hand_over();
    for (unsigned n = 0; n < m_.buddy().nr_nodes(); n++)
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) managed_ += m_.buddy().zone(n, ZoneType(t)).managed;
}

bool ModelDriver::fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    return false;
}

bool ModelDriver::step(uint8_t op, uint32_t a, uint32_t b) {
    bool ok;
    switch (op % 16) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
            ok = do_alloc(a, b);
            break;
        case 6:
        case 7:
        case 8:
        case 9:
        case 10:
            ok = do_free(a);
            break;
        case 11:
            ok = do_bad_free(a, b);
            break;
        case 12:
        case 13:
            ok = do_lru(a, b);
            break;
        case 14:
            ok = do_bulk(a);
            break;
        default:
            m_.buddy().drain_pcp();
            ok = true;
            break;
    }
    return ok && check_all();
}

// Checks a block the allocator handed out against the model and the request.
bool ModelDriver::accept_block(uint64_t pfn, unsigned order, AllocRequest req) {
    uint64_t size = uint64_t(1) << order;
    if (pfn & (size - 1)) return fail("unaligned block");
    const Zone* z = m_.buddy().zone_of(Pfn(pfn));
    if (!z || !z->contains(pfn + size - 1)) return fail("block outside a zone");
    if (unsigned(z->type) > highest_zoneidx(req)) return fail("block from a zone above the request's limit");
    if ((req.flags & GFP_THISNODE) && req.nid != NUMA_NO_NODE && z->nid != req.nid)
        return fail("GFP_THISNODE block from another node");
    for (uint64_t p = pfn; p < pfn + size; p++)
        if (m_.is_hole(p)) return fail("block covers a hole");
    auto next = blocks_.lower_bound(pfn);
    if (next != blocks_.end() && next->first < pfn + size) return fail("block overlaps a later block");
    if (next != blocks_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + (uint64_t(1) << prev->second) > pfn) return fail("block overlaps an earlier block");
    }
    blocks_[pfn] = order;
    counts_.allocs++;
    return true;
}

// A failed request must be a true shortage: for MEMALLOC requests with
// nothing on the LRU lists, no allowed zone may hold a large enough block.
bool ModelDriver::check_failure(AllocRequest req, Error e) {
    if (e != Error::NoMemory && e != Error::TryAgain)
        return fail(std::string("allocation failed with ") + name(e));
    counts_.alloc_failures++;
    if (e == Error::TryAgain) counts_.try_again++;
    if (!(req.flags & GFP_MEMALLOC) || e != Error::NoMemory) return true;
    Buddy& b = m_.buddy();
    unsigned nid = req.nid == NUMA_NO_NODE ? 0 : req.nid;
    for (unsigned n = 0; n < b.nr_nodes(); n++) {
        if ((req.flags & GFP_THISNODE) && n != nid) continue;
        for (unsigned t = 0; t <= highest_zoneidx(req); t++) {
            const Zone& z = b.zone(n, ZoneType(t));
            for (unsigned o = req.order; o < MAX_ORDER; o++)
                if (z.free_area[o].nr_free) return fail("NoMemory although a block was free");
            if (z.pcp.count() && req.order == 0) return fail("NoMemory although the cache held frames");
        }
    }
    return true;
}

bool ModelDriver::do_alloc(uint32_t a, uint32_t b) {
    // Mostly small orders, as real traffic is.
    static const uint8_t orders[16] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5, 9, 10};
    AllocRequest req = AllocRequest::of(orders[a % 16]);
    req.flags = uint16_t((b & (GFP_MOVABLE | GFP_RECLAIMABLE | GFP_MEMALLOC | GFP_THISNODE)));
    req.zone = ZoneType((b >> 8) % MAX_NR_ZONES);
    req.nid = (b >> 12) % 3 == 2 ? NUMA_NO_NODE : uint8_t((b >> 12) % 3);
    auto r = m_.buddy().alloc(req);
    if (!r.ok()) return check_failure(req, r.error());
    return accept_block(r->raw(), req.order, req);
}

bool ModelDriver::do_bulk(uint32_t a) {
    Pfn out[32];
    size_t want = 1 + a % 32;
    auto r = m_.buddy().alloc_bulk(AllocRequest::of(0, uint16_t(a >> 8) & GFP_MOVABLE), want, out);
    if (!r.ok()) return check_failure(AllocRequest::of(0), r.error());
    if (*r < 1 || *r > want) return fail("bulk count out of range");
    counts_.bulk++;
    for (size_t i = 0; i < *r; i++)
        if (!accept_block(out[i].raw(), 0, AllocRequest::of(0, GFP_MOVABLE, ZoneType::Normal))) return false;
    return true;
}

bool ModelDriver::do_free(uint32_t a) {
    if (blocks_.empty()) return true;
    auto it = blocks_.begin();
    std::advance(it, a % blocks_.size());
    Status s = m_.buddy().free(Pfn(it->first), Order(it->second));
    if (!s.ok()) return fail(std::string("free of an allocated block failed: ") + name(s.error()));
    on_lru_.erase(it->first);
    isolated_.erase(it->first);
    blocks_.erase(it);
    counts_.frees++;
    return true;
}

Error ModelDriver::expected_free_error(uint64_t pfn, unsigned order) const {
    if (order >= MAX_ORDER) return Error::InvalidArgument;
    if (!m_.buddy().zone_of(Pfn(pfn)) || m_.is_hole(pfn)) return Error::NotOwned;
    auto next = blocks_.upper_bound(pfn);
    if (next != blocks_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + (uint64_t(1) << prev->second) > pfn)
            return (prev->first == pfn && prev->second == order) ? Error::None : Error::WrongOrder;
    }
    return Error::DoubleFree;
}

// Frees something that is not an allocated block (or with the wrong
// order) and expects the right error and no change.
bool ModelDriver::do_bad_free(uint32_t a, uint32_t b) {
    uint64_t pfn = BASE - 8 + a % (0x1000 + 16);
    unsigned order = b % (MAX_ORDER + 1);
    Error want = expected_free_error(pfn, order);
    if (want == Error::None) return true;  // happens to be a valid free: skip
    Status s = m_.buddy().free(Pfn(pfn), Order(order));
    if (s.error() != want)
        return fail("bad free of " + std::to_string(pfn) + " order " + std::to_string(order) + ": got " +
                    name(s.error()) + ", want " + name(want));
    counts_.bad_frees++;
    return true;
}

bool ModelDriver::do_lru(uint32_t a, uint32_t b) {
    Lru& lru = m_.lru();
    if (blocks_.empty()) return true;
    auto it = blocks_.begin();
    std::advance(it, a % blocks_.size());
    uint64_t pfn = it->first;
    counts_.lru_ops++;
    switch (b % 5) {
        case 0: {
            Error want = (on_lru_.count(pfn) || isolated_.count(pfn)) ? Error::Busy : Error::None;
            Status s = lru.add(Pfn(pfn), 1, VirtAddr(pfn << 12), LruList(b >> 8 & 1));
            if (s.error() != want) return fail(std::string("lru add: ") + name(s.error()));
            if (s.ok()) on_lru_.insert(pfn);
            return true;
        }
        case 1: {
            Error want = (on_lru_.count(pfn) || isolated_.count(pfn)) ? Error::None : Error::NotFound;
            if (lru.mark_accessed(Pfn(pfn)).error() != want) return fail("mark_accessed");
            return true;
        }
        case 2: {
            const Zone* z = m_.buddy().zone_of(Pfn(pfn));
            if (!lru.age(z->nid, z->type, b >> 8 & 15).ok()) return fail("age");
            return true;
        }
        case 3: {
            const Zone* z = m_.buddy().zone_of(Pfn(pfn));
            Pfn out[8];
            auto r = lru.isolate(z->nid, z->type, 16, out, 1 + (b >> 8) % 8);
            if (!r.ok()) return fail("isolate");
            for (size_t i = 0; i < *r; i++) {
                if (!on_lru_.erase(out[i].raw())) return fail("isolated a block that was not listed");
                isolated_.insert(out[i].raw());
                counts_.isolated++;
            }
            return true;
        }
        default: {
            Error want = isolated_.count(pfn) ? Error::None : Error::NotFound;
            if (lru.putback(Pfn(pfn), LruList::Inactive).error() != want) return fail("putback");
            if (want == Error::None) {
                isolated_.erase(pfn);
                on_lru_.insert(pfn);
            }
            return true;
        }
    }
}

bool ModelDriver::check_all() {
    std::string why = m_.check();
    if (!why.empty()) return fail("verify: " + why);
    uint64_t allocated = 0, listed = 0, isolated = 0;
    for (auto [pfn, order] : blocks_) {
        const Page* p = m_.page(pfn);
        if (!p->test(PG_allocated) || p->order() != order) return fail("model block not marked allocated");
        listed += p->test(PG_lru);
        isolated += p->test(PG_isolated);
        allocated += uint64_t(1) << order;
    }
    // Counting is enough once every model entry is known to carry its flag.
    if (listed != on_lru_.size() || isolated != isolated_.size())
        return fail("LRU state differs from the model");
    for (uint64_t pfn : on_lru_)
        if (!m_.page(pfn)->test(PG_lru)) return fail("model LRU block not listed");
    for (uint64_t pfn : isolated_)
        if (!m_.page(pfn)->test(PG_isolated)) return fail("model isolated block not isolated");
    if (allocated + m_.buddy().nr_free_pages() != managed_)
        return fail("frames lost: allocated + free != managed");
    return true;
}

}  // namespace mm::test
