// The trap frame saved by trap_entry (trap.S) and the S-mode trap handler.
#pragma once

#include <stdint.h>

namespace riscv {

// regs[i] holds xi; regs[0] is unused (x0), regs[2] is sp before the trap.
struct TrapFrame {
    uint64_t regs[32];
    uint64_t sepc;
    uint64_t sstatus;
    uint64_t scause;
    uint64_t stval;
};
// trap_entry keeps sp 16-byte aligned (psABI) across the frame.
static_assert(sizeof(TrapFrame) % 16 == 0);

// ABI register names, for dumps.
inline constexpr const char* REG_NAMES[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
    "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

}  // namespace riscv
