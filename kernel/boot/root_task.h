// Boot step 7: the kernel object pool, then the root task (the pager, or
// the program named by init=) with everything it is given.
#pragma once

#include <stdint.h>

#include "cmdline/cmdline.h"
#include "fdt/machine.h"

// Carves the kernel object pool from memblock (`kpool_bytes`, or the
// default when 0), builds the root task named by `init` (the pager when
// empty) and enters it in user mode. Returns only when there is no root
// task to start (no pager embedded and none asked for); a missing or
// broken program named by init= ends the machine with BOOT_EXIT_NO_INIT,
// too little memory with BOOT_EXIT_BAD_MEMORY.
void boot_start_root(const fdt::MachineInfo& machine, StrView init, uint64_t kpool_bytes);
