// Boot step 2: read the machine description from the FDT OpenSBI passed.
#pragma once

#include "base/addr.h"
#include "fdt/machine.h"

// Parses the FDT at `fdt` and logs what it says (banks with
// their nodes, reserved ranges, harts, distance map, bootargs, initrd) and
// every warning. On a malformed FDT it prints the reason and the offset and
// ends the machine with BOOT_EXIT_BAD_FDT: without a memory map the kernel
// cannot run, but that is bad input, not a kernel bug, so it is no panic.
const fdt::MachineInfo& boot_read_machine(PhysAddr fdt);

// What boot_read_machine() found (for later boot steps and on-target tests).
const fdt::MachineInfo& boot_machine();

inline constexpr int BOOT_EXIT_BAD_FDT = 2;
inline constexpr int BOOT_EXIT_BAD_MEMORY = 3;
