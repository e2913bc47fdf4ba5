// A user thread's saved registers (RISC-V), as trap.S stores them and
// return_to_user restores them (at the offsets asm_offsets.cc gives it).
// Generic kernel code reaches the syscall registers through
// arg()/set_arg(): argument register i is a0 + i (a0..a5 arguments and
// message words, a6 IPC info, a7 number/error).
#pragma once

#include <stdint.h>

struct UserContext {
    // x[2] is the user sp. x[0] (the zero register needs no slot) says
    // whether t0..t6 are saved here: nonzero after an interrupt or a
    // fault, 0 after an ecall, which leaves them unsaved and returns zeros
    // in them (trap.S).
    uint64_t x[32];
    uint64_t pc;

    uint64_t arg(unsigned i) const { return x[10 + i]; }
    const uint64_t* args() const { return &x[10]; }  // a0..a7 in order
    void set_arg(unsigned i, uint64_t v) { x[10 + i] = v; }
    uint64_t sp() const { return x[2]; }
    void set_sp(uint64_t v) { x[2] = v; }
};
