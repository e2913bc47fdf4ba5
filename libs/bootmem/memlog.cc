#include "bootmem/memlog.h"

#include "base/bits.h"
#include "mm/page.h"

namespace mm {

namespace {

using ull = unsigned long long;

ull phys_of(Pfn pfn) { return ull(pfn.to_phys().raw()); }

// Inclusive last byte of a frame range ending before `end` (0 stays 0,
// as Linux prints for a node ending at frame 0).
ull last_byte(Pfn end) { return end.raw() ? phys_of(end) - 1 : 0; }

void print_zone_lines(TextSink sink, unsigned z, const ZoneSpan& zone) {
    const char* name = zone_name(ZoneType(z));
    uint64_t freesize = zone.present;
    uint64_t memmap = zone_memmap_pages(zone.spanned);
    if (freesize >= memmap) {
        freesize -= memmap;
        if (memmap) format(sink, "  %s zone: %llu pages used for memmap\n", name, ull(memmap));
    } else {
        format(sink, "  %s zone: %llu pages exceeds freesize %llu\n", name, ull(memmap), ull(freesize));
    }
    // Linux accounts dma_reserve (always 0 here) against the first zone.
    if (z == 0 && freesize > 0) format(sink, "  %s zone: 0 pages reserved\n", name);
    if (zone.present)
        format(sink, "  %s zone: %llu pages, LIFO batch:%llu\n", name, ull(zone.present),
               ull(zone_batchsize(freesize)));
}

}  // namespace

uint64_t zone_memmap_pages(uint64_t spanned) {
    return align_up(spanned * sizeof(Page), PAGE_SIZE) >> PAGE_SHIFT;
}

uint64_t zone_batchsize(uint64_t managed_pages) {
    // About a thousandth of the zone, at most 1 MiB worth, divided by 4,
    // then clamped to 2^n - 1.
    uint64_t batch = managed_pages / 1024;
    if (batch * PAGE_SIZE > uint64_t(1024) * 1024) batch = (uint64_t(1024) * 1024) / PAGE_SIZE;
    batch /= 4;
    if (batch < 1) batch = 1;
    return bits::round_down_pow2(batch + batch / 2) - 1;
}

void print_zone_ranges(TextSink sink, const ZoneLayout& zones, const MemblockType& memory) {
    format(sink, "Zone ranges:\n");
    for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
        if (ZoneType(z) == ZoneType::Movable) continue;
        format(sink, "  %-8s ", zone_name(ZoneType(z)));
        if (zones.zone_lowest[z] == zones.zone_highest[z])
            format(sink, "empty\n");
        else
            format(sink, "[mem 0x%016llx-0x%016llx]\n", phys_of(zones.zone_lowest[z]),
                   phys_of(zones.zone_highest[z]) - 1);
    }
    format(sink, "Movable zone start for each node\n");
    for (unsigned nid = 0; nid < MAX_NUMNODES; nid++)
        if (zones.zone_movable_pfn[nid].raw())
            format(sink, "  Node %u: 0x%016llx\n", nid, phys_of(zones.zone_movable_pfn[nid]));
    format(sink, "Early memory node ranges\n");
    for (const MemblockRegion& r : memory) {
        PfnRange pr = region_pfns(r);
        if (pr.empty()) continue;
        format(sink, "  node %3u: [mem 0x%016llx-0x%016llx]\n", r.nid, phys_of(Pfn(pr.start)),
               phys_of(Pfn(pr.end)) - 1);
    }
}

void print_node_setup(TextSink sink, const ZoneLayout& zones, unsigned nid) {
    const NodeSpan& node = zones.nodes[nid];
    if (node.start == node.end) {
        format(sink, "Initmem setup node %u as memoryless\n", nid);
        format(sink, "On node %u totalpages: 0\n", nid);
        return;
    }
    format(sink, "Initmem setup node %u [mem 0x%016llx-0x%016llx]\n", nid, phys_of(node.start),
           last_byte(node.end));
    format(sink, "On node %u totalpages: %llu\n", nid, ull(node.present));
    for (unsigned z = 0; z < MAX_NR_ZONES; z++)
        if (node.zones[z].spanned) print_zone_lines(sink, z, node.zones[z]);
}

void print_free_area_init(TextSink sink, const ZoneLayout& zones, const MemblockType& memory) {
    print_zone_ranges(sink, zones, memory);
    for (unsigned nid = 0; nid < zones.nr_nodes; nid++) print_node_setup(sink, zones, nid);
}

void print_zone_warnings(TextSink sink, const ZoneLayout& zones) {
    uint32_t w = zones.warnings;
    if (w & ZW_PERCENT_OVER_100)
        format(sink, "kernelcore/movablecore: percentage above 100, taken as all memory\n");
    if (w & ZW_BOTH_GIVEN)
        format(sink,
               "kernelcore= and movablecore= both given: using the larger kernelcore "
               "(%llu pages)\n",
               ull(zones.required_kernelcore));
    if (w & ZW_KERNELCORE_TOO_LARGE)
        format(sink,
               "kernelcore=%llu pages is not below total memory (%llu pages): "
               "no ZONE_MOVABLE\n",
               ull(zones.required_kernelcore), ull(zones.total_pages));
    if (w & ZW_MOVABLECORE_TOO_LARGE)
        format(sink, "movablecore= covers all memory (%llu pages): kernelcore is %llu pages\n",
               ull(zones.total_pages), ull(zones.required_kernelcore));
    if (w & ZW_MOVABLE_EMPTY)
        format(sink, "ZONE_MOVABLE requested but no node has room for it after alignment\n");
}

void print_mem_init_info(TextSink sink, const MemInitInfo& info) {
    auto kib = [](uint64_t pages) {
        uint64_t k = pages << (PAGE_SHIFT - 10);
        return ull(k);
    };
    uint64_t reserved = info.phys_pages - info.totalram_pages - info.cma_pages;
    format(sink,
           "Memory: %lluK/%lluK available (%lluK kernel code, %lluK rwdata, %lluK rodata, "
           "%lluK init, %lluK bss, %lluK reserved, %lluK cma-reserved)\n",
           kib(info.free_pages), kib(info.phys_pages), ull(info.code_bytes / 1024),
           ull(info.rwdata_bytes / 1024), ull(info.rodata_bytes / 1024), ull(info.init_bytes / 1024),
           ull(info.bss_bytes / 1024), kib(reserved), kib(info.cma_pages));
}

}  // namespace mm
