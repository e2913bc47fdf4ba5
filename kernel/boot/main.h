// kmain: the generic boot path, entered from the arch code once the kernel
// runs at its high address with a trap vector installed.
#pragma once

#include <stdint.h>

#include "base/addr.h"

#define TERN_VERSION "0.1"

// What the firmware handed over, as the arch entry received it.
struct BootHandoff {
    uint64_t hartid;
    PhysAddr fdt;
    uint64_t instret_at_entry;  // retired instructions when the kernel was entered
};

[[noreturn]] void kmain(const BootHandoff& handoff);
