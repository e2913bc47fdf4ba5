// The suites of the `hostile` test program: every kind of bad input a task
// can give the kernel. Each attempt must fail with the documented error,
// change nothing, and leave the system running.
#pragma once

#include <stdint.h>

#include "testrunner/testrunner.h"

void run_slot_tests(unity::Runner& r);
void run_rights_tests(unity::Runner& r);
void run_address_tests(unity::Runner& r);
void run_fault_tests(unity::Runner& r);
void run_ipc_tests(unity::Runner& r);
void run_exhaustion_tests(unity::Runner& r);

// A small deterministic generator (xorshift64) for random arguments.
struct Rng {
    uint64_t state;
    uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};
