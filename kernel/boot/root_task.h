// Boot step 7: the kernel object pool, then the root task (the pager, or
// the program named by init=) with everything it is given.
#pragma once

#include "kernel/boot/options.h"
#include "fdt/machine.h"

// Returns only when there is no root task to start (none embedded and
// none asked for); a missing or broken program named by init= ends the
// machine with BOOT_EXIT_NO_INIT.
void boot_start_root(const fdt::MachineInfo& machine, const BootOptions& options);

inline constexpr int BOOT_EXIT_NO_INIT = 5;

// The user programs embedded in the kernel image (build: user_images.S).
struct EmbeddedProgram {
    const char* name;
    const uint8_t* start;
    const uint8_t* end;
};
size_t embedded_program_count();
const EmbeddedProgram& embedded_program(size_t i);
