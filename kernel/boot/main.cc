// boot_main: the kernel's boot path after arch/riscv/entry.S, top to
// bottom, one step per line. The helpers below it read the two inputs
// every later step depends on: the machine description (the FDT) and the
// kernel command line.
#include "cmdline/cmdline.h"
#include "kernel/boot/boot.h"
#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/ktest/ktest.h"
#include "kernel/lib/log.h"
#include "kernel/obj/capspace.h"
#include "kernel/paging.h"
#include "kernel/platform.h"
#include "kernel/syscall/syscall.h"

namespace {

constexpr const char* TERN_VERSION = "0.1";

// OpenSBI hands over a blob it sized itself; this bounds what the parser
// may read before the header's own totalsize is validated.
constexpr size_t FDT_MAX_SIZE = 2u << 20;

constinit fdt::MachineInfo g_machine{};
constinit fdt::DeviceInfo g_devices{};

// The kernel command line (bootargs from /chosen):
//
//   loglevel=N        show log lines up to level N (3 error .. 7 debug)
//   quiet             loglevel=4
//   kernelcore=SIZE|N%  memory that must stay unmovable (ZONE_MOVABLE from the rest)
//   movablecore=SIZE|N% memory to put in ZONE_MOVABLE
//   ktest=SUITE[,SUITE]|all  run on-target test suites, then power off
//   crash=KIND        deliberately fault (load, store, exec, illegal, ebreak,
//                     panic, assert) to show that faults are loud
//   init=NAME         the root task: an embedded user program (default: pager)
//   kpool=SIZE        kernel object pool carved at boot (default 1/64 of RAM, 4..64 MiB)
//   ipc_fastpath=off  no IPC fast paths: the general paths serve every Call,
//                     ReplyRecv and fault (a test holds both to the same answers)
//   verify=syscall    check the kernel's own state after every system call
//                     and panic on an inconsistency (kernel/obj/verify.h)
//   hold              after boot, print the page-table list and wait for an
//                     external observer (QEMU's monitor) instead of powering off
//
// Unknown parameters are ignored (they may be meant for user programs);
// malformed known ones are reported and ignored. Values point into the FDT.
struct BootOptions {
    StrView ktest;  // empty: no tests
    StrView crash;  // empty: no deliberate fault
    bool hold = false;
    StrView kernelcore;  // unparsed; zone sizing parses and reports
    StrView movablecore;
    StrView init;              // empty: the default root task
    uint64_t kpool_bytes = 0;  // 0: the default
    bool ipc_fastpath = true;  // ipc_fastpath=off: the general IPC paths serve everything
    bool verify_syscalls = false;
};

// loglevel= and quiet take effect at once, so the rest of boot logs at
// the level asked for.
void set_log_level(const Cmdline& cl) {
    if (cl.has("quiet")) klog::set_level(klog::Level::Warn);
    CmdlineParam p;
    if (!cl.find("loglevel", p)) return;
    auto lvl = parse_u64(p.value);
    if (lvl.ok() && *lvl <= 7)
        klog::set_level(klog::Level(int(*lvl)));
    else
        klog::warn("loglevel=%.*s ignored: expected 0..7", int(p.value.len), p.value.data);
}

// kpool=: between 1 MiB and 4 GiB, rounded up to whole pages; 0 if absent or refused.
uint64_t kpool_bytes(const Cmdline& cl) {
    CmdlineParam p;
    if (!cl.find("kpool", p)) return 0;
    auto size = parse_size(p.value);
    if (size.ok() && *size >= (1u << 20) && *size <= (uint64_t(1) << 32)) return align_up(*size, PAGE_SIZE);
    klog::warn("kpool=%.*s ignored: expected a size between 1M and 4G", int(p.value.len), p.value.data);
    return 0;
}

BootOptions parse_boot_options(const char* bootargs) {
    BootOptions o;
    Cmdline cl(bootargs);
    set_log_level(cl);
    CmdlineParam p;
    if (cl.find("ktest", p)) o.ktest = p.value;
    if (cl.find("crash", p)) o.crash = p.value;
    if (cl.find("kernelcore", p)) o.kernelcore = p.value;
    if (cl.find("movablecore", p)) o.movablecore = p.value;
    o.hold = cl.has("hold");
    if (cl.find("init", p)) o.init = p.value;
    o.kpool_bytes = kpool_bytes(cl);
    if (cl.find("ipc_fastpath", p)) {
        if (p.value.equals("off") || p.value.equals("on"))
            o.ipc_fastpath = p.value.equals("on");
        else
            klog::warn("ipc_fastpath=%.*s ignored: expected on or off", int(p.value.len), p.value.data);
    }
    if (cl.find("verify", p)) {
        if (p.value.equals("syscall"))
            o.verify_syscalls = true;
        else
            klog::warn("verify=%.*s ignored: expected syscall", int(p.value.len), p.value.data);
    }
    if (cl.truncated())
        klog::warn("kernel command line longer than %zu bytes; the rest is ignored", CMDLINE_MAX);
    return o;
}

void log_memory_map(const fdt::MachineInfo& m) {
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
}

void log_harts_and_nodes(const fdt::MachineInfo& m) {
    klog::info("Harts: %zu (timebase %lu Hz)", m.nr_harts, m.timebase_frequency);
    for (size_t i = 0; i < m.nr_harts; i++) {
        const auto& h = m.harts[i];
        klog::info("  hart %u: node %u, %s, isa %s", h.hartid, h.node, h.enabled ? "enabled" : "disabled",
                   h.isa ? h.isa : "?");
    }
    klog::info("NUMA nodes: %u%s", m.nr_nodes, m.has_distance_map ? " (distance-map)" : "");
    if (m.nr_nodes <= 1) return;
    for (unsigned a = 0; a < m.nr_nodes; a++) {
        char row[8 * 5 + 1];
        size_t len = 0;
        for (unsigned b = 0; b < m.nr_nodes; b++)
            len += format_buf(row + len, sizeof row - len, " %4u", m.distance[a][b]);
        klog::info("  node %u distances:%s", a, row);
    }
}

// What the device tree parsers passed over, with where; `dropped` more
// than they kept.
void log_fdt_warnings(const fdt::Diag* warnings, size_t n, size_t dropped) {
    for (size_t i = 0; i < n; i++)
        klog::warn("device tree: %s (offset %#x)", warnings[i].what, warnings[i].offset);
    if (dropped) klog::warn("device tree: %zu more warnings not shown", dropped);
}

void log_chosen_and_warnings(const fdt::MachineInfo& m) {
    klog::info("Kernel command line: %s", m.bootargs ? m.bootargs : "");
    if (m.has_initrd)
        klog::info("initrd: [mem %#018lx-%#018lx] %lu KiB", m.initrd.base.raw(), m.initrd.end().raw() - 1,
                   m.initrd.size >> 10);
    else
        klog::info("initrd: none");
    log_fdt_warnings(m.warnings, m.nr_warnings, m.nr_dropped_warnings);
}

// Parses the FDT at `fdt_pa` and logs what it says (banks with their
// nodes, reserved ranges, harts, distance map, bootargs, initrd) and every
// warning. On a malformed FDT it prints the reason and the offset and ends
// the machine with BOOT_EXIT_BAD_FDT: without a memory map the kernel
// cannot run, but that is bad input, not a kernel bug, so it is no panic.
const fdt::MachineInfo& read_machine(PhysAddr fdt_pa) {
    // The early map covers the kernel's gigabyte, where QEMU puts the FDT
    // (it stays below 3 GiB); anything else is refused before it is read.
    if (!arch::early_reachable(PhysRange{fdt_pa, FDT_MAX_SIZE})) {
        klog::error("device tree at %#lx is outside the early map; cannot boot", fdt_pa.raw());
        platform::exit(BOOT_EXIT_BAD_FDT);
    }
    const void* blob = arch::phys_to_virt(fdt_pa).as<const void>();
    fdt::Diag diag;
    Status s = fdt::parse_machine(blob, FDT_MAX_SIZE, g_machine, &diag);
    if (!s.ok()) {
        klog::error("device tree at %#lx is unusable: %s: %s (offset %#x)", fdt_pa.raw(),
                    error_name(s.error()), diag.what ? diag.what : "?", diag.offset);
        platform::exit(BOOT_EXIT_BAD_FDT);
    }
    if (g_machine.model) klog::info("Machine model: %s", g_machine.model);
    log_memory_map(g_machine);
    log_harts_and_nodes(g_machine);
    log_chosen_and_warnings(g_machine);
    return g_machine;
}

// The interrupt controller and the devices drivers may drive, from the
// FDT read_machine() accepted, logged with every warning. Devices are
// optional: a tree that names none, or none usable, boots without them.
const fdt::DeviceInfo& read_devices(PhysAddr fdt_pa, uint64_t hartid) {
    auto blob = fdt::Blob::open(arch::phys_to_virt(fdt_pa).as<const void>(), FDT_MAX_SIZE);
    fdt::Diag diag;
    Status s =
        blob.ok() ? fdt::parse_devices(*blob, uint32_t(hartid), &g_devices, &diag) : Status(blob.error());
    if (!s.ok()) {
        klog::warn("device tree: no devices: %s: %s", error_name(s.error()), diag.what ? diag.what : "?");
        g_devices = fdt::DeviceInfo{};
        return g_devices;
    }
    klog::info("Devices: %zu", g_devices.nr_devices);
    for (size_t i = 0; i < g_devices.nr_devices; i++) {
        const fdt::Device& d = g_devices.devices[i];
        klog::info("  %s at %#lx (%#lx bytes), interrupt %u",
                   d.kind == fdt::DeviceKind::VirtioMmio ? "virtio-mmio" : "ns16550a uart", d.base, d.size,
                   d.irq);
    }
    log_fdt_warnings(g_devices.warnings, g_devices.nr_warnings, g_devices.nr_dropped_warnings);
    return g_devices;
}

void log_banner(uint64_t hartid, PhysAddr fdt) {
    klog::info("Tern %s: RISC-V Sv39 capability microkernel", TERN_VERSION);
    platform::describe(klog::info_line_sink());
    klog::info("Booting on hart %lu, device tree at %#lx", hartid, fdt.raw());
}

// `hold`: show the live page table, then wait for an outside observer
// (tests/qemu/qemu_test.py compares it with QEMU's `info mem`).
[[noreturn]] void hold() {
    arch::dump_mappings(klog::console_sink());
    format(klog::console_sink(), "memory-map-end\n");
    klog::info("holding: waiting for the QEMU monitor to end the machine");
    for (;;) platform::idle();
}

}  // namespace

const fdt::MachineInfo& boot_machine() { return g_machine; }
const fdt::DeviceInfo& boot_devices() { return g_devices; }

void boot_main(uint64_t hartid, uint64_t fdt_phys, uint64_t instructions_at_entry) {
    PhysAddr fdt(fdt_phys);
    log_banner(hartid, fdt);                                          // version, firmware, boot hart
    const fdt::MachineInfo& machine = read_machine(fdt);              // FDT: memory, harts, bootargs
    const fdt::DeviceInfo& devices = read_devices(fdt, hartid);       // FDT: interrupt controller, devices
    platform::set_timebase(machine.timebase_frequency);               // the timer's frequency
    BootOptions opt = parse_boot_options(machine.bootargs);           // command line
    ipc::enable_fastpaths(opt.ipc_fastpath);                          // tests: general IPC paths only
    CapSpace::init_empty();                                           // the capability space of no task
    phys_memory_init(machine, fdt, opt.kernelcore, opt.movablecore);  // memblock .. mem_map
    // Instruction counts mean something only under QEMU -icount (tools/bench boot).
    klog::debug("memory ready: %lu instructions from entry",
                phys_memory().instret_ready - instructions_at_entry);
    irq::init(devices);                                                    // the interrupt controller
    if (!opt.crash.empty()) boot_crash(opt.crash);                         // tests: faults are loud
    if (opt.hold) hold();                                                  // tests: page table vs QEMU's
    if (!opt.ktest.empty()) platform::exit(ktest_run(opt.ktest) ? 1 : 0);  // tests: on-target suites
    if (opt.verify_syscalls) syscall::check_every_syscall();               // tests: verify=syscall
    boot_start_root(machine, opt.init, opt.kpool_bytes);                   // kernel pool, root task, sret
    klog::info("boot complete; powering off (no root task in this image)");
    platform::exit(0);
}
