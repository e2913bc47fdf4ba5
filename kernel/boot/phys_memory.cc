// Physical memory bring-up, in Linux's order: memblock from the FDT, the
// direct map, nodes and zones, zonelists, mem_map, then the log.
// docs/memory-bringup.md has the details of each step.
#include "bootmem/mm_init.h"
#include "kernel/boot/boot.h"
#include "kernel/lib/log.h"
#include "kernel/paging.h"
#include "kernel/platform.h"

namespace {

constinit PhysMemory g_mem{};

[[noreturn]] void no_memory(const char* why) {
    klog::error("cannot boot: %s", why);
    platform::exit(BOOT_EXIT_BAD_MEMORY);
}

void warn_status(const char* what, PhysRange r, Status s) {
    klog::warn("%s [mem %#018lx-%#018lx] ignored: %s", what, r.base.raw(), r.end().raw() - 1,
               error_name(s.error()));
}

// memblock from the FDT (Linux's early_init_dt_scan_memory and
// early_init_fdt_scan_reserved_mem).
void memblock_from_fdt(const fdt::MachineInfo& m, PhysAddr fdt) {
    mm::Memblock& mb = g_mem.memblock;
    for (size_t i = 0; i < m.nr_banks; i++) {
        const auto& b = m.banks[i];
        if (Status s = mb.add(b.range, b.node); !s.ok()) warn_status("memory bank", b.range, s);
    }
    // RAM the direct map cannot reach is left out (with a message).
    if (mb.end_of_dram() > arch::direct_map_limit()) {
        PhysRange beyond{arch::direct_map_limit(), mb.end_of_dram() - arch::direct_map_limit()};
        klog::warn("memory above %#lx is beyond the direct map and is ignored",
                   arch::direct_map_limit().raw());
        (void)mb.remove(beyond);
    }
    for (size_t i = 0; i < m.nr_reserved; i++) {
        const auto& r = m.reserved[i];
        // no-map regions (OpenSBI's own, PMP-protected) leave memory altogether.
        Status s = r.no_map ? mb.remove(r.range) : mb.reserve(r.range);
        if (!s.ok()) warn_status("reserved range", r.range, s);
    }
    auto image = arch::image_layout();
    if (Status s = mb.reserve(image.whole); !s.ok()) warn_status("kernel image", image.whole, s);
    PhysRange fdt_range{fdt, align_up(m.fdt_size, PAGE_SIZE)};
    if (Status s = mb.reserve(fdt_range); !s.ok()) warn_status("device tree", fdt_range, s);
    if (m.has_initrd && m.initrd.size) {
        if (Status s = mb.reserve(m.initrd); !s.ok()) warn_status("initrd", m.initrd, s);
    }
    mm::MemRange out;
    for (auto walk = mb.reserved_outside_memory(); walk.next(out);)
        klog::warn("reserved range [mem %#018lx-%#018lx] lies outside RAM; it has no effect",
                   out.range.base.raw(), out.range.end().raw() - 1);
    if (mb.phys_mem_size() < PAGE_SIZE) no_memory("the device tree describes no usable memory");
    if (!mb.is_region_memory(image.whole))
        no_memory("the kernel image does not lie in memory the device tree describes");
}

// Early page-table frames and early allocations come from memblock.
Result<PhysAddr> memblock_frame(void*) { return g_mem.memblock.alloc(PAGE_SIZE, PAGE_SIZE); }

// The direct map (Linux's paging_init -> map_mem).
void direct_map_init() {
    const mm::MemblockType& memory = g_mem.memblock.memory();
    for (const auto& r : memory)
        if (!arch::early_map_ram(r.range()).ok()) no_memory("memory beyond the direct map window");
    PhysRange ram[mm::MemblockType::CAPACITY];
    size_t n = 0;
    for (const auto& r : memory) ram[n++] = r.range();
    Status s = arch::paging_init(ram, n, arch::FrameSource{memblock_frame, nullptr});
    if (!s.ok()) no_memory("not enough memory for the kernel page table");
}

mm::CoreSetting core_setting(const char* name, StrView text) {
    if (text.empty()) return mm::CoreSetting::none();
    auto r = mm::parse_core_setting(text);
    if (!r.ok()) {
        klog::warn("%s=%.*s ignored: expected a size (K/M/G suffix) or a percentage", name, int(text.len),
                   text.data);
        return mm::CoreSetting::none();
    }
    return *r;
}

// Nodes and zones (Linux's zone_sizes_init / free_area_init).
void zones_init(const fdt::MachineInfo& m, StrView kernelcore, StrView movablecore) {
    mm::CoreSetting kc = core_setting("kernelcore", kernelcore);
    mm::CoreSetting mc = core_setting("movablecore", movablecore);
    Status s = mm::size_zones(g_mem.memblock.memory(), m.nr_nodes, kc, mc, g_mem.layout);
    if (!s.ok()) no_memory("node and zone sizing failed");
    mm::print_zone_warnings(klog::info_line_sink(), g_mem.layout);
    mm::build_zonelists(g_mem.layout, m.distance, g_mem.zonelists);
}

// Linux's "Fallback order for Node N:" lines: the node order of each zonelist.
void log_zonelists() {
    for (unsigned nid = 0; nid < g_mem.layout.nr_nodes; nid++) {
        char line[64];
        size_t len = 0;
        int last = -1;
        const mm::Zonelist& zl = g_mem.zonelists[nid];
        for (unsigned i = 0; i < zl.count; i++) {
            if (zl.refs[i].nid == last) continue;
            last = zl.refs[i].nid;
            len += format_buf(line + len, sizeof line - len, "%u ", unsigned(last));
        }
        klog::info("Fallback order for Node %u: %s", nid, line);
    }
}

// mem_map (Linux's alloc_node_mem_map), one flat array per node on that
// node, mapped into the vmemmap window so that pfn_to_page is base + pfn,
// every descriptor initialised reserved with its zone and node.
void mem_map_init() {
    mm::MemMapLayout maps;
    if (!mm::plan_memmap(g_mem.layout, maps).ok())
        no_memory("NUMA nodes interleave, so no node can have one flat mem_map");
    g_mem.mem_map = mm::MemMap(arch::vmemmap_base());
    for (unsigned nid = 0; nid < g_mem.layout.nr_nodes; nid++) {
        const mm::NodeMemMap& range = maps.nodes[nid];
        if (range.empty()) continue;
        auto pa = mm::alloc_node_mem_map(g_mem.memblock, maps, nid);
        if (!pa.ok()) no_memory("no memory left for mem_map");
        g_mem.node_map[nid] = PhysRange{*pa, range.bytes()};
        g_mem.node_map_start[nid] = range.start;
        Status s =
            arch::map_vmemmap(range.start, *pa, range.bytes(), arch::FrameSource{memblock_frame, nullptr});
        if (!s.ok()) no_memory("not enough memory to map mem_map");
        mm::init_node_memmap(g_mem.mem_map.pfn_to_page(range.start), g_mem.layout, maps, nid);
    }
}

// Linux's "Memory: ...K/...K available (...)" line. What is free in
// memblock now is what the pager's buddy allocator will get
// (free_all_bootmem), so it is the "available" figure.
void log_memory_summary() {
    auto img = arch::image_layout();
    mm::MemInitInfo info;
    mm::MemRange r;
    for (auto walk = g_mem.memblock.free_ranges(); walk.next(r);) {
        mm::PfnRange p = mm::region_pfns(mm::MemblockRegion{r.range.base, r.range.size, r.nid});
        if (!p.empty()) info.free_pages += p.end - p.start;
    }
    for (unsigned nid = 0; nid < g_mem.layout.nr_nodes; nid++)
        info.phys_pages += g_mem.layout.nodes[nid].present;
    info.totalram_pages = info.free_pages;
    info.code_bytes = img.text.size;
    info.rodata_bytes = img.rodata.size;
    info.rwdata_bytes = img.data.size;
    info.bss_bytes = img.bss.size;
    mm::print_mem_init_info(klog::info_line_sink(), info);
}

}  // namespace

void phys_memory_init(const fdt::MachineInfo& m, PhysAddr fdt, StrView kernelcore, StrView movablecore) {
    uint64_t start = platform::instructions_retired();
    memblock_from_fdt(m, fdt);  // memblock: memory, reserved, no-map
    uint64_t memblock_done = platform::instructions_retired();
    direct_map_init();  // final page table: image + direct map
    uint64_t direct_map_done = platform::instructions_retired();
    zones_init(m, kernelcore, movablecore);  // nodes, zones, ZONE_MOVABLE, zonelists
    uint64_t zones_done = platform::instructions_retired();
    mem_map_init();  // mem_map per node, all reserved
    g_mem.instret_ready = platform::instructions_retired();
    mm::print_free_area_init(klog::info_line_sink(), g_mem.layout, g_mem.memblock.memory());
    log_zonelists();
    log_memory_summary();
    klog::debug("memory bring-up cost (instructions): memblock %lu, direct map %lu, zones %lu, mem_map %lu",
                memblock_done - start, direct_map_done - memblock_done, zones_done - direct_map_done,
                g_mem.instret_ready - zones_done);
}

const PhysMemory& phys_memory() { return g_mem; }
mm::Memblock& boot_memblock() { return g_mem.memblock; }
