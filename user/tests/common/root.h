// The start of a test program that runs as the root task (init=NAME).
#pragma once

#include <stdint.h>

#include "runtime/runtime.h"
#include "testrunner/testrunner.h"

// Sets up the runtime from the boot info at `arg`; false, with the
// failure reported and the run finished, if it cannot be.
inline bool init_root_test(unity::Runner& r, uint64_t arg) {
    if (Status s = rt::init_root(arg); !s.ok()) {
        r.fail(__FILE__, __LINE__, "boot_info", error_name(s.error()));
        r.finish();
        return false;
    }
    return true;
}
