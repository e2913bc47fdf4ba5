#include "twin.h"

#include <iterator>

namespace mm::test {

namespace {

std::string str(uint64_t v) { return std::to_string(v); }

}  // namespace

MachineDef twin_machine(bool pcp, Grouping grouping, uint64_t normal_pages) {
    MachineDef d;
    d.nr_nodes = 2;
    uint64_t normal_end = BASE + 0x300 + normal_pages;
    uint64_t node1 = align_up(normal_end, MAX_ORDER_NR_PAGES);
    d.zones = {{0, ZoneType::DMA32, BASE, 0x300},
               {0, ZoneType::Normal, BASE + 0x300, normal_pages},
               {1, ZoneType::Normal, node1, 0x400}};
    d.holes = {{BASE + 0x500, BASE + 0x503}, {normal_end - 0x200, normal_end - 0x100}};
    d.config.grouping = grouping;
    if (pcp) {
        d.config.pcp_batch = 15;
        d.config.pcp_high = 60;
    }
    return d;
}

TwinDriver::TwinDriver(const MachineDef& def) : fast_(def), slow_(def) {
    fast_.hand_over();
    slow_.hand_over();
}

bool TwinDriver::fail(const std::string& why) {
    if (failure_.empty()) failure_ = why;
    return false;
}

bool TwinDriver::step(uint8_t op, uint32_t a, uint32_t b) {
    bool ok;
    switch (op % 16) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
            ok = do_alloc(a, b);
            break;
        case 7:
        case 8:
        case 9:
        case 10:
        case 11:
            ok = do_free(a);
            break;
        case 12:
            ok = do_bad_free(a, b);
            break;
        case 13:
            ok = do_lru_add(a);
            break;
        case 14:
            fast_.buddy().drain_pcp();
            slow_.buddy().drain_pcp();
            ok = true;
            break;
        default:
            // Several frees in a row: memory comes back above the watermarks,
            // so the fast paths get their turn between the shortages.
            ok = true;
            for (uint32_t i = 0; i < 8 && ok; i++) ok = do_free(a + i * 7919);
            break;
    }
    if (!ok) return false;
    std::string why = fast_.check();
    if (!why.empty()) return fail("verify: " + why);
    return same_state();
}

// Requests are mostly of the shapes the fast paths take (no node, no flags
// but mobility and GFP_MEMALLOC, reserved bytes zero); the rest checks they
// stay on the slow path.
bool TwinDriver::do_alloc(uint32_t a, uint32_t b) {
    static const uint8_t orders[16] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 9, 10};
    static const uint16_t flags[8] = {
        0,           0, GFP_MOVABLE, GFP_MOVABLE, GFP_RECLAIMABLE, GFP_MEMALLOC, GFP_MOVABLE | GFP_MEMALLOC,
        GFP_THISNODE};
    AllocRequest req = AllocRequest::of(orders[a % 16], flags[b % 8]);
    req.zone = ZoneType((b >> 4) % 4 == 3 ? 1 : (b >> 4) % 4);
    if ((b >> 8) % 8 == 0) req.nid = uint8_t((b >> 12) % 2);
    if ((b >> 16) % 64 == 0) req.zone = ZoneType(3);                // no such zone
    if ((b >> 22) % 16 == 0) req.reserved_ = uint8_t(b >> 26) | 1;  // ignored, off the fast path
    auto f = fast_.buddy().alloc(req);
    auto s = slow_.buddy().alloc_slowpath(req);
    if (f.ok() != s.ok() || f.error() != s.error())
        return fail(std::string("alloc answers differ: ") + error_name(f.error()) + " / " +
                    error_name(s.error()));
    if (!f.ok()) {
        counts_.failures++;
        return true;
    }
    if (f->raw() != s->raw()) return fail("alloc chose " + str(f->raw()) + " and " + str(s->raw()));
    blocks_[f->raw()] = req.order;
    counts_.allocs++;
    if (req.order) counts_.orders_above_zero++;
    return true;
}

bool TwinDriver::do_free(uint32_t a) {
    if (blocks_.empty()) return true;
    auto it = blocks_.begin();
    std::advance(it, a % blocks_.size());
    Status f = fast_.buddy().free(Pfn(it->first), Order(it->second));
    Status s = slow_.buddy().free_slowpath(Pfn(it->first), Order(it->second));
    if (!f.ok() || !s.ok())
        return fail(std::string("free failed: ") + error_name(f.error()) + " / " + error_name(s.error()));
    blocks_.erase(it);
    counts_.frees++;
    return true;
}

// Frees at a frame and order chosen at random: mostly bad frees, whose
// errors must agree; a good one frees in both machines.
bool TwinDriver::do_bad_free(uint32_t a, uint32_t b) {
    uint64_t pfn = fast_.first_pfn() + a % (fast_.end_pfn() - fast_.first_pfn() + 16);
    unsigned order = b % (MAX_ORDER + 2);
    Status f = fast_.buddy().free(Pfn(pfn), Order(order));
    Status s = slow_.buddy().free_slowpath(Pfn(pfn), Order(order));
    if (f.error() != s.error())
        return fail("free of " + str(pfn) + " order " + str(order) + ": " + error_name(f.error()) + " / " +
                    error_name(s.error()));
    if (f.ok())
        blocks_.erase(pfn);
    else
        counts_.bad_frees++;
    return true;
}

// A block on an LRU list is freed on the slow path by both machines.
bool TwinDriver::do_lru_add(uint32_t a) {
    if (blocks_.empty()) return true;
    auto it = blocks_.begin();
    std::advance(it, a % blocks_.size());
    Status f = fast_.lru().add(Pfn(it->first), 1, VirtAddr(it->first << 12));
    Status s = slow_.lru().add(Pfn(it->first), 1, VirtAddr(it->first << 12));
    if (f.error() != s.error()) return fail("lru add answers differ");
    if (f.ok()) counts_.lru_adds++;
    return true;
}

bool TwinDriver::same_state() {
    for (uint64_t pfn = fast_.first_pfn(); pfn < fast_.end_pfn(); pfn++) {
        const Page* f = fast_.page(pfn);
        const Page* s = slow_.page(pfn);
        if (f->flags != s->flags) return fail("flags of " + str(pfn) + " differ");
        if (f->next != s->next || f->prev != s->prev) return fail("links of " + str(pfn) + " differ");
        if (f->owner != s->owner || f->index != s->index) return fail("owner of " + str(pfn) + " differs");
    }
    const Buddy& fb = fast_.buddy();
    const Buddy& sb = slow_.buddy();
    for (unsigned n = 0; n < fb.nr_nodes(); n++) {
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) {
            const Zone& f = fb.zone(n, ZoneType(t));
            const Zone& s = sb.zone(n, ZoneType(t));
            std::string where = " in node " + str(n) + " zone " + zone_name(ZoneType(t));
            if (f.free_pages != s.free_pages) return fail("free_pages differ" + where);
            for (unsigned o = 0; o < MAX_ORDER; o++) {
                if (f.free_area[o].nr_free != s.free_area[o].nr_free) return fail("nr_free differs" + where);
                for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
                    if (f.free_area[o].free_list[mt].head != s.free_area[o].free_list[mt].head ||
                        f.free_area[o].free_list[mt].tail != s.free_area[o].free_list[mt].tail)
                        return fail("free list ends differ" + where);
            }
            if (f.pcp.count() != s.pcp.count()) return fail("pcp counts differ" + where);
            for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
                const PcpList& fl = f.pcp.lists[mt];
                const PcpList& sl = s.pcp.lists[mt];
                if (fl.size() != sl.size()) return fail("pcp list sizes differ" + where);
                for (uint32_t i = 0; i < fl.size(); i++)
                    if (fl.at(i) != sl.at(i)) return fail("pcp lists differ" + where);
            }
            for (uint64_t p = f.start_pfn.raw(); p < f.end_pfn().raw(); p += PAGEBLOCK_NR_PAGES)
                if (fb.pageblock_migratetype(f, p) != sb.pageblock_migratetype(s, p))
                    return fail("pageblock types differ" + where);
        }
    }
    return true;
}

}  // namespace mm::test
