#include "buddy/introspect.h"

namespace mm {

namespace {

void print_thousandths(TextSink out, int v) {
    const char* sign = v < 0 ? "-" : "";
    unsigned a = unsigned(v < 0 ? -v : v);
    format(out, "%s%u.%03u ", sign, a / 1000, a % 1000);
}

void zone_header(TextSink out, const Zone& z) {
    format(out, "Node %u, zone %8s ", unsigned(z.nid), zone_name(z.type));
}

template <typename Fn>
void for_each_populated(const Buddy& b, Fn fn) {
    for (unsigned nid = 0; nid < b.nr_nodes(); nid++)
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) {
            const Zone& z = b.zone(nid, ZoneType(t));
            if (z.populated()) fn(z);
        }
}

uint64_t list_length(const Buddy& b, const PageList& l) {
    uint64_t n = 0;
    for (uint32_t pfn = l.head; pfn != PFN_NONE; pfn = b.page(Pfn(pfn))->next) n++;
    return n;
}

}  // namespace

ContigPageInfo contig_page_info(const Zone& z, unsigned order) {
    ContigPageInfo info;
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        uint64_t blocks = z.free_area[o].nr_free;
        info.free_blocks_total += blocks;
        info.free_pages += blocks << o;
        if (o >= order) info.free_blocks_suitable += blocks << (o - order);
    }
    return info;
}

int unusable_free_index(unsigned order, const ContigPageInfo& info) {
    if (info.free_pages == 0) return 1000;
    return int((info.free_pages - (info.free_blocks_suitable << order)) * 1000 / info.free_pages);
}

int fragmentation_index(unsigned order, const ContigPageInfo& info) {
    if (info.free_blocks_total == 0) return 0;
    if (info.free_blocks_suitable) return -1000;
    uint64_t requested = uint64_t(1) << order;
    return 1000 - int((1000 + info.free_pages * 1000 / requested) / info.free_blocks_total);
}

ZoneStats zone_stats(const Buddy& b, unsigned nid, ZoneType type) {
    ZoneStats s;
    const Zone& z = b.zone(nid, type);
    s.nid = uint8_t(nid);
    s.type = type;
    s.spanned = z.spanned;
    s.present = z.present;
    s.managed = z.managed;
    s.free_pages = z.free_pages;
    s.pcp_pages = z.pcp.count();
    for (unsigned i = 0; i < NR_WMARK; i++) s.watermark[i] = z.watermark[i];
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) s.protection[i] = z.lowmem_reserve[i];
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        s.nr_free[o] = z.free_area[o].nr_free;
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
            s.nr_free_by_type[mt][o] = list_length(b, z.free_area[o].free_list[mt]);
        ContigPageInfo info = contig_page_info(z, o);
        s.unusable_index[o] = unusable_free_index(o, info);
        s.extfrag_index[o] = fragmentation_index(o, info);
    }
    for (uint64_t& n : s.nr_pageblocks_by_type) n = 0;
    for (uint64_t i = 0; i < z.nr_pageblocks(); i++) s.nr_pageblocks_by_type[z.pageblock_mt[i]]++;
    for (unsigned i = 0; i < NR_LRU_LISTS; i++) s.lru[i] = z.lru.nr_pages[i];
    s.isolated = z.lru.nr_isolated;
    return s;
}

void print_buddyinfo(const Buddy& b, TextSink out) {
    for_each_populated(b, [&](const Zone& z) {
        zone_header(out, z);
        for (const FreeArea& area : z.free_area) format(out, "%6lu ", (unsigned long)area.nr_free);
        format(out, "\n");
    });
}

void print_pagetypeinfo(const Buddy& b, TextSink out) {
    format(out, "Page block order: %u\nPages per block:  %lu\n\n", PAGEBLOCK_ORDER,
           (unsigned long)PAGEBLOCK_NR_PAGES);
    format(out, "Free pages count per migrate type at order ");
    for (unsigned o = 0; o < MAX_ORDER; o++) format(out, "%6u ", o);
    format(out, "\n");
    for_each_populated(b, [&](const Zone& z) {
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            format(out, "Node %4u, zone %8s, type %12s ", unsigned(z.nid), zone_name(z.type),
                   migratetype_name(MigrateType(mt)));
            for (const FreeArea& area : z.free_area)
                format(out, "%6lu ", (unsigned long)list_length(b, area.free_list[mt]));
            format(out, "\n");
        }
    });
    format(out, "\nNumber of blocks type     ");
    for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) format(out, "%12s ", migratetype_name(MigrateType(mt)));
    format(out, "\n");
    for_each_populated(b, [&](const Zone& z) {
        ZoneStats s = zone_stats(b, z.nid, z.type);
        format(out, "Node %u, zone %8s ", unsigned(z.nid), zone_name(z.type));
        for (uint64_t n : s.nr_pageblocks_by_type) format(out, "%12lu ", (unsigned long)n);
        format(out, "\n");
    });
}

void print_zoneinfo(const Buddy& b, TextSink out) {
    for_each_populated(b, [&](const Zone& z) {
        format(out, "Node %u, zone %8s\n", unsigned(z.nid), zone_name(z.type));
        format(out, "  pages free     %lu\n", (unsigned long)z.free_pages);
        format(out, "        min      %lu\n", (unsigned long)z.watermark[WMARK_MIN]);
        format(out, "        low      %lu\n", (unsigned long)z.watermark[WMARK_LOW]);
        format(out, "        high     %lu\n", (unsigned long)z.watermark[WMARK_HIGH]);
        format(out, "        spanned  %lu\n", (unsigned long)z.spanned);
        format(out, "        present  %lu\n", (unsigned long)z.present);
        format(out, "        managed  %lu\n", (unsigned long)z.managed);
        format(out, "        protection: (%lu, %lu, %lu)\n", (unsigned long)z.lowmem_reserve[0],
               (unsigned long)z.lowmem_reserve[1], (unsigned long)z.lowmem_reserve[2]);
        format(out, "      nr_free_pages %lu\n", (unsigned long)z.free_pages);
        format(out, "      nr_zone_inactive %lu\n", (unsigned long)z.lru.nr_pages[0]);
        format(out, "      nr_zone_active %lu\n", (unsigned long)z.lru.nr_pages[1]);
        format(out, "      nr_isolated %lu\n", (unsigned long)z.lru.nr_isolated);
        format(out,
               "  pagesets\n              count: %u\n              high:  %u\n"
               "              batch: %u\n",
               z.pcp.count(), z.pcp.high, z.pcp.batch);
        format(out, "  start_pfn:           %lu\n", (unsigned long)z.start_pfn.raw());
    });
}

void print_unusable_index(const Buddy& b, TextSink out) {
    for_each_populated(b, [&](const Zone& z) {
        zone_header(out, z);
        for (unsigned o = 0; o < MAX_ORDER; o++)
            print_thousandths(out, unusable_free_index(o, contig_page_info(z, o)));
        format(out, "\n");
    });
}

void print_extfrag_index(const Buddy& b, TextSink out) {
    for_each_populated(b, [&](const Zone& z) {
        zone_header(out, z);
        for (unsigned o = 0; o < MAX_ORDER; o++)
            print_thousandths(out, fragmentation_index(o, contig_page_info(z, o)));
        format(out, "\n");
    });
}

void print_zone_stats_kv(const Buddy& b, TextSink out) {
    for_each_populated(b, [&](const Zone& z) {
        ZoneStats s = zone_stats(b, z.nid, z.type);
        format(
            out,
            "node=%u zone=%s spanned=%lu present=%lu managed=%lu free=%lu pcp=%lu min=%lu low=%lu high=%lu",
            unsigned(s.nid), zone_name(s.type), (unsigned long)s.spanned, (unsigned long)s.present,
            (unsigned long)s.managed, (unsigned long)s.free_pages, (unsigned long)s.pcp_pages,
            (unsigned long)s.watermark[WMARK_MIN], (unsigned long)s.watermark[WMARK_LOW],
            (unsigned long)s.watermark[WMARK_HIGH]);
        format(out, " inactive=%lu active=%lu isolated=%lu nr_free=", (unsigned long)s.lru[0],
               (unsigned long)s.lru[1], (unsigned long)s.isolated);
        for (unsigned o = 0; o < MAX_ORDER; o++) format(out, o ? ",%lu" : "%lu", (unsigned long)s.nr_free[o]);
        format(out, " unusable=");
        for (unsigned o = 0; o < MAX_ORDER; o++) format(out, o ? ",%d" : "%d", s.unusable_index[o]);
        format(out, " extfrag=");
        for (unsigned o = 0; o < MAX_ORDER; o++) format(out, o ? ",%d" : "%d", s.extfrag_index[o]);
        format(out, "\n");
    });
}

}  // namespace mm
