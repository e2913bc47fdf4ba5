// First C++ code: called by entry.S on the boot stack at the kernel's high
// address, with the early page table (kernel image, direct map of the
// kernel's gigabyte and of 0..1 GiB) and the trap vector installed.
#include "arch/riscv/asm_symbols.h"
#include "kernel/boot/main.h"

void boot_main(uint64_t hartid, uint64_t fdt_phys, uint64_t instret_at_entry) {
    kmain(BootHandoff{hartid, PhysAddr(fdt_phys), instret_at_entry});
}
