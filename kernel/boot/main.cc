// The boot path after the arch entry (arch/riscv/entry.S -> boot_main),
// top to bottom, one step per line.
#include "boot/main.h"

#include "lib/log.h"
#include "lib/panic.h"
#include "platform.h"

void kmain(const BootHandoff& handoff) {
    klog::info("Tern %s: RISC-V Sv39 capability microkernel", TERN_VERSION);
    klog::info("Booting on hart %lu, device tree at 0x%lx", static_cast<unsigned long>(handoff.hartid),
               static_cast<unsigned long>(handoff.fdt.raw()));
    platform::exit(0);
}
