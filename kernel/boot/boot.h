// The kernel's boot path: boot_main and what its steps leave for later
// steps and for the on-target tests (kernel/ktest).
#pragma once

#include <stdint.h>

#include "fdt/machine.h"

// Called once by arch/riscv/entry.S, on the boot stack at the kernel's high
// address, with the early page table (kernel image, direct map of the
// kernel's gigabyte and of 0..1 GiB) and the trap vector installed:
// `hartid` is the boot hart, `fdt_phys` the device tree's physical address,
// `instructions_at_entry` the retired-instruction count when the kernel was
// entered (boot cost is measured from there). Never returns.
extern "C" [[noreturn]] void boot_main(uint64_t hartid, uint64_t fdt_phys, uint64_t instructions_at_entry);

// What the FDT said, as boot_main read it.
const fdt::MachineInfo& boot_machine();

// Exit statuses for a machine the kernel cannot boot on: bad input, not a
// kernel bug (which panics, status 101).
inline constexpr int BOOT_EXIT_BAD_FDT = 2;     // the FDT is unusable
inline constexpr int BOOT_EXIT_BAD_MEMORY = 3;  // no usable memory, or too little
inline constexpr int BOOT_EXIT_NO_INIT = 5;     // init= names no usable program
