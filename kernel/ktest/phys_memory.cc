// Physical memory as boot left it: memblock, zones, mem_map and the direct
// map, checked on the running kernel.
#include "kernel/boot/boot.h"
#include "kernel/ktest/ktest.h"
#include "kernel/paging.h"

namespace {

const PhysMemory& mem() { return phys_memory(); }

void memory_regions_sorted_disjoint_and_mapped(unity::Runner& r) {
    const auto& memory = mem().memblock.memory();
    ASSERT_TRUE(memory.count() > 0);
    for (size_t i = 0; i < memory.count(); i++) {
        const auto& reg = memory[i];
        if (i > 0) EXPECT_TRUE(memory[i - 1].end() <= reg.base);
        PhysAddr pa;
        char attrs[8];
        ASSERT_TRUE(arch::query_mapping(arch::phys_to_virt(reg.base), &pa, attrs).ok());
        EXPECT_EQ_U(pa.raw(), reg.base.raw());
        ASSERT_TRUE(arch::query_mapping(arch::phys_to_virt(reg.end() + (-PAGE_SIZE)), &pa, attrs).ok());
        r.check(attrs[0] == 'r' && attrs[1] == 'w' && attrs[2] == '-', __FILE__, __LINE__,
                "direct map attrs %s", attrs);
    }
}

void kernel_image_and_mem_map_reserved(unity::Runner& r) {
    const auto& mb = mem().memblock;
    EXPECT_TRUE(mb.is_region_reserved(arch::image_layout().whole));
    for (unsigned nid = 0; nid < mem().layout.nr_nodes; nid++)
        if (mem().node_map[nid].size) EXPECT_TRUE(mb.is_region_reserved(mem().node_map[nid]));
}

// Every reserved range of the FDT as Linux treats it: a `no-map` one is
// out of memory and out of the direct map; any other stays memory, reserved.
// (OpenSBI 1.1 declares its own region without `no-map`.)
void fdt_reserved_ranges_honoured(unity::Runner& r) {
    const fdt::MachineInfo& m = boot_machine();
    for (size_t i = 0; i < m.nr_reserved; i++) {
        PhysRange range = m.reserved[i].range;
        PhysAddr pa;
        char attrs[8];
        bool mapped = arch::query_mapping(arch::phys_to_virt(range.base), &pa, attrs).ok();
        if (m.reserved[i].no_map) {
            r.check(!mem().memblock.is_region_memory(range) && !mapped, __FILE__, __LINE__,
                    "no-map range %#lx still memory or mapped", range.base.raw());
        } else if (mem().memblock.is_region_memory(range)) {
            r.check(mem().memblock.is_region_reserved(range), __FILE__, __LINE__, "range %#lx not reserved",
                    range.base.raw());
        }
    }
}

void zone_present_pages_add_up(unity::Runner& r) {
    const auto& l = mem().layout;
    uint64_t total = 0;
    for (unsigned nid = 0; nid < l.nr_nodes; nid++) {
        uint64_t node_present = 0;
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            const auto& zs = l.nodes[nid].zones[z];
            EXPECT_TRUE(zs.present <= zs.spanned);
            node_present += zs.present;
        }
        EXPECT_EQ_U(node_present, l.nodes[nid].present);
        total += node_present;
    }
    uint64_t memblock_pages = 0;
    for (const auto& reg : mem().memblock.memory()) {
        auto p = mm::region_pfns(reg);
        if (!p.empty()) memblock_pages += p.end - p.start;
    }
    EXPECT_EQ_U(total, memblock_pages);
}

bool descriptor_ok(unity::Runner& r, Pfn pfn, unsigned zone, unsigned nid) {
    const mm::Page* p = phys_memory().mem_map.pfn_to_page(pfn);
    return r.check(p->test(mm::PG_reserved) && p->zone() == mm::ZoneType(zone) && p->node() == nid &&
                       p->owner_next == 0 && p->owner_prev == 0 && p->next == mm::PFN_NONE,
                   __FILE__, __LINE__, "pfn %#lx: flags %#x owner list %u, want reserved zone %u node %u",
                   pfn.raw(), p->flags, p->owner_next, zone, nid);
}

void every_descriptor_reserved_with_zone_and_node(unity::Runner& r) {
    const auto& l = mem().layout;
    for (unsigned nid = 0; nid < l.nr_nodes; nid++) {
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            const auto& zs = l.nodes[nid].zones[z];
            if (zs.spanned == 0) continue;
            // Every 97th frame plus the zone's last: covers each span cheaply.
            for (uint64_t i = 0; i < zs.spanned; i += 97)
                if (!descriptor_ok(r, zs.start + i, z, nid)) return;
            if (!descriptor_ok(r, zs.end() - 1, z, nid)) return;
        }
    }
}

// Each zonelist starts on its own node and never moves to a nearer node
// after a farther one; every populated zone appears exactly once.
void zonelists_follow_distance(unity::Runner& r) {
    const fdt::MachineInfo& m = boot_machine();
    const auto& l = mem().layout;
    for (unsigned nid = 0; nid < l.nr_nodes; nid++) {
        const mm::Zonelist& zl = mem().zonelists[nid];
        unsigned populated = 0;
        for (unsigned n = 0; n < l.nr_nodes; n++)
            for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) populated += l.nodes[n].zones[z].present ? 1 : 0;
        EXPECT_EQ_U(zl.count, populated);
        if (zl.count == 0) continue;
        if (l.nodes[nid].present) EXPECT_EQ_U(zl.refs[0].nid, nid);
        for (unsigned i = 1; i < zl.count; i++)
            EXPECT_TRUE(m.distance[nid][zl.refs[i - 1].nid] <= m.distance[nid][zl.refs[i].nid]);
    }
}

void pfn_page_round_trip(unity::Runner& r) {
    const auto& map = mem().mem_map;
    for (const auto& reg : mem().memblock.memory()) {
        Pfn pfn = reg.base.to_pfn();
        EXPECT_EQ_U(map.page_to_pfn(map.pfn_to_page(pfn)).raw(), pfn.raw());
    }
}

void descriptors_are_32_bytes(unity::Runner& r) { EXPECT_EQ_U(sizeof(mm::Page), 32); }

}  // namespace

void ktest_phys_memory(unity::Runner& r) {
    RUN_TEST(r, memory_regions_sorted_disjoint_and_mapped);
    RUN_TEST(r, kernel_image_and_mem_map_reserved);
    RUN_TEST(r, fdt_reserved_ranges_honoured);
    RUN_TEST(r, zone_present_pages_add_up);
    RUN_TEST(r, every_descriptor_reserved_with_zone_and_node);
    RUN_TEST(r, zonelists_follow_distance);
    RUN_TEST(r, pfn_page_round_trip);
    RUN_TEST(r, descriptors_are_32_bytes);
}
