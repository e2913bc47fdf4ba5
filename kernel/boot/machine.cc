#include "kernel/boot/machine.h"

#include "kernel/lib/log.h"
#include "kernel/paging.h"
#include "kernel/platform.h"

namespace {

// OpenSBI hands over a blob it sized itself; this bounds what the parser
// may read before the header's own totalsize is validated.
constexpr size_t FDT_MAX_SIZE = 2u << 20;

constinit fdt::MachineInfo g_machine{};

void log_machine(const fdt::MachineInfo& m) {
    if (m.model) klog::info("Machine model: %s", m.model);
    klog::info("Memory banks: %zu", m.nr_banks);
    for (size_t i = 0; i < m.nr_banks; i++) {
        const auto& b = m.banks[i];
        klog::info("  bank %zu: [mem %#018lx-%#018lx] %lu MiB, node %u", i, b.range.base.raw(),
                   b.range.end().raw() - 1, b.range.size >> 20, b.node);
    }
    klog::info("Reserved ranges: %zu", m.nr_reserved);
    for (size_t i = 0; i < m.nr_reserved; i++) {
        const auto& r = m.reserved[i];
        klog::info(
            "  [mem %#018lx-%#018lx] %s%s (%s)", r.range.base.raw(), r.range.end().raw() - 1,
            r.name ? r.name : "?", r.no_map ? ", no-map" : "",
            r.source == fdt::ReservedSource::MemReserveBlock ? "memreserve block" : "/reserved-memory");
    }
    klog::info("Harts: %zu (timebase %lu Hz)", m.nr_harts, m.timebase_frequency);
    for (size_t i = 0; i < m.nr_harts; i++) {
        const auto& h = m.harts[i];
        klog::info("  hart %u: node %u, %s, isa %s", h.hartid, h.node, h.enabled ? "enabled" : "disabled",
                   h.isa ? h.isa : "?");
    }
    klog::info("NUMA nodes: %u%s", m.nr_nodes, m.has_distance_map ? " (distance-map)" : "");
    if (m.nr_nodes > 1) {
        for (unsigned a = 0; a < m.nr_nodes; a++) {
            char row[8 * 5 + 1];
            size_t len = 0;
            for (unsigned b = 0; b < m.nr_nodes; b++)
                len += format_buf(row + len, sizeof row - len, " %4u", m.distance[a][b]);
            klog::info("  node %u distances:%s", a, row);
        }
    }
    klog::info("Kernel command line: %s", m.bootargs ? m.bootargs : "");
    if (m.has_initrd)
        klog::info("initrd: [mem %#018lx-%#018lx] %lu KiB", m.initrd.base.raw(), m.initrd.end().raw() - 1,
                   m.initrd.size >> 10);
    else
        klog::info("initrd: none");
    for (size_t i = 0; i < m.nr_warnings; i++)
        klog::warn("device tree: %s (offset %#x)", m.warnings[i].what, m.warnings[i].offset);
    if (m.nr_dropped_warnings) klog::warn("device tree: %zu more warnings not shown", m.nr_dropped_warnings);
}

}  // namespace

const fdt::MachineInfo& boot_machine() { return g_machine; }

const fdt::MachineInfo& boot_read_machine(PhysAddr fdt_pa) {
    fdt::MachineInfo& out = g_machine;
    // The early map covers the kernel's gigabyte, where QEMU puts the FDT
    // (it stays below 3 GiB); anything else is refused before it is read.
    if (!arch::early_reachable(PhysRange{fdt_pa, FDT_MAX_SIZE})) {
        klog::error("device tree at %#lx is outside the early map; cannot boot", fdt_pa.raw());
        platform::exit(BOOT_EXIT_BAD_FDT);
    }
    const void* blob = arch::phys_to_virt(fdt_pa).as<const void>();
    fdt::Diag diag;
    Status s = fdt::parse_machine(blob, FDT_MAX_SIZE, out, &diag);
    if (!s.ok()) {
        klog::error("device tree at %#lx is unusable: %s: %s (offset %#x)", fdt_pa.raw(),
                    error_name(s.error()), diag.what ? diag.what : "?", diag.offset);
        platform::exit(BOOT_EXIT_BAD_FDT);
    }
    log_machine(out);
    return out;
}
