#include "machine.h"

#include <algorithm>

namespace mm::test {

namespace {

void string_sink(void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); }

}  // namespace

std::string capture(void (*fn)(const Buddy&, TextSink), const Buddy& b) {
    std::string s;
    fn(b, TextSink{string_sink, &s});
    return s;
}

MachineDef single_zone(uint64_t pages, uint64_t start, ZoneType type) {
    MachineDef d;
    d.zones.push_back({0, type, start, pages});
    return d;
}

MachineDef with_pcp(uint32_t batch, uint32_t high) {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = batch;
    d.config.pcp_high = high;
    return d;
}

MachineDef two_zones() {
    MachineDef d;
    d.zones = {{0, ZoneType::DMA32, 0x80000, 2048}, {0, ZoneType::Normal, 0x80000 + 2048, 2048}};
    return d;
}

bool Machine::is_hole(uint64_t pfn) const {
    for (const HoleDef& h : def_.holes)
        if (pfn >= h.start && pfn < h.end) return true;
    return false;
}

Machine::Machine(const MachineDef& def) : def_(def), buddy_(std::make_unique<Buddy>()), lru_(*buddy_) {
    layout_.nr_nodes = def.nr_nodes;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned n = 0; n < def.nr_nodes; n++) {
        uint64_t nlo = UINT64_MAX, nhi = 0;
        for (const ZoneDef& z : def.zones) {
            if (z.nid != n) continue;
            uint64_t present = z.pages;
            for (const HoleDef& h : def.holes) {
                uint64_t s = std::max(h.start, z.start), e = std::min(h.end, z.start + z.pages);
                if (s < e) present -= e - s;
            }
            layout_.nodes[n].zones[unsigned(z.type)] = ZoneSpan{Pfn(z.start), z.pages, present};
            nlo = std::min(nlo, z.start);
            nhi = std::max(nhi, z.start + z.pages);
        }
        if (nhi == 0) continue;
        // Like alloc_node_mem_map: the node's descriptors span whole MAX_ORDER blocks.
        nlo = align_down(nlo, MAX_ORDER_NR_PAGES);
        nhi = align_up(nhi, MAX_ORDER_NR_PAGES);
        layout_.nodes[n].start = Pfn(nlo);
        layout_.nodes[n].spanned = nhi - nlo;
        lo = std::min(lo, nlo);
        hi = std::max(hi, nhi);
    }
    for (unsigned a = 0; a < def.nr_nodes; a++)
        for (unsigned b = 0; b < def.nr_nodes; b++)
            layout_.distance[a][b] = def.distance.empty() ? (a == b ? 10 : 20) : def.distance[a][b];
    first_ = lo == UINT64_MAX ? 0 : lo;
    memmap_.resize(hi > lo ? hi - lo : 1);
    for (uint64_t pfn = first_; pfn < first_ + memmap_.size(); pfn++) {
        Page& p = memmap_[pfn - first_];
        p = Page{};
        p.next = p.prev = PFN_NONE;
        p.flags = Page::initial_flags(ZoneType::DMA32, 0);
        for (const ZoneDef& z : def.zones)
            if (pfn >= z.start && pfn < z.start + z.pages) p.flags = Page::initial_flags(z.type, z.nid);
    }
    pageblocks_.resize(Buddy::pageblock_storage_size(layout_));
    init_status_ = buddy_->init(layout_, MemMap::from_array(memmap_.data(), Pfn(first_)), pageblocks_.data(),
                                pageblocks_.size(), def.config);
}

void Machine::hand_over() {
    for (const ZoneDef& z : def_.zones) {
        uint64_t run = z.start;
        for (uint64_t pfn = z.start; pfn <= z.start + z.pages; pfn++) {
            bool end = pfn == z.start + z.pages || is_hole(pfn);
            if (!end) continue;
            if (pfn > run) (void)buddy_->free_bootmem_range(Pfn(run), Pfn(pfn));
            run = pfn + 1;
        }
    }
}

std::string Machine::check() {
    std::string why;
    TextSink sink{string_sink, &why};
    Status s = buddy_->verify(&sink);
    if (!s.ok() && why.empty()) why = "verify failed without a reason";
    return why;
}

}  // namespace mm::test
