// The boot path after the arch entry (arch/riscv/entry.S -> boot_main),
// top to bottom, one step per line. docs/architecture.md tells the story.
#include "kernel/boot/main.h"

#include "kernel/boot/crash.h"
#include "kernel/boot/machine.h"
#include "kernel/boot/memory.h"
#include "kernel/boot/options.h"
#include "kernel/boot/root_task.h"
#include "kernel/ipc_fast.h"
#include "kernel/ktest/ktest.h"
#include "kernel/lib/log.h"
#include "kernel/paging.h"
#include "kernel/platform.h"

namespace {

// `hold`: show the live page table, then wait for an outside observer
// (tests/qemu/qemu_test.py compares it with QEMU's `info mem`).
[[noreturn]] void hold() {
    arch::dump_mappings(klog::console_sink());
    format(klog::console_sink(), "memory-map-end\n");
    klog::info("holding: waiting for the QEMU monitor to end the machine");
    for (;;) platform::idle();
}

}  // namespace

void kmain(const BootHandoff& handoff) {
    klog::info("Tern %s: RISC-V Sv39 capability microkernel", TERN_VERSION);
    platform::describe(klog::info_line_sink());  // 1. firmware, hart
    klog::info("Booting on hart %lu, device tree at %#lx", handoff.hartid, handoff.fdt.raw());
    const fdt::MachineInfo& machine = boot_read_machine(handoff.fdt);  // 2. FDT: memory, harts, bootargs
    platform::set_timebase(machine.timebase_frequency);
    BootOptions options = parse_boot_options(machine.bootargs);  //    command line
    ipc::enable_fastpaths(options.ipc_fastpath);                 //    ipc_fastpath=off: general IPC only
    boot_memory_init(machine, handoff.fdt, options);             // 3-6. memblock .. mem_map
    // Instruction counts mean something only under QEMU -icount (tools/bench).
    klog::debug("memory ready: %lu instructions from entry",
                boot_memory().instret_ready - handoff.instret_at_entry);
    if (!options.crash.empty()) boot_crash(options.crash);  // tests: faults are loud
    if (options.hold) hold();
    if (!options.ktest.empty()) platform::exit(ktest_run(options.ktest) ? 1 : 0);
    boot_start_root(machine, options);  // 7. kernel pool, root task
    klog::info("boot complete; powering off (no root task in this image)");
    platform::exit(0);
}
