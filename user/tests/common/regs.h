// Running one ecall with every register set to a chosen value, to check
// which registers the kernel changes (user/tests/common/regs.S).
#pragma once

#include <stdint.h>

extern "C" void ecall_with_registers(uint64_t regs[64]);

// Register numbers (x0..x31) in the ABI's names.
inline constexpr unsigned REG_SP = 2, REG_A0 = 10, REG_A6 = 16, REG_A7 = 17;
// t0..t6 (x5..x7, x28..x31): the syscall ABI returns them as zeros.
inline constexpr uint32_t T_REGS = (0x7u << 5) | (0xfu << 28);

// Whether all of t0..t6 are zero after the call `changed_registers` ran.
inline bool t_regs_zero(const uint64_t (&regs)[64]) {
    for (unsigned i = 1; i < 32; i++) {
        if ((T_REGS >> i & 1) && regs[32 + i] != 0) return false;
    }
    return true;
}

// Fills regs[1..31] with distinct patterns (derived from `seed`), then sets
// a7 = nr and a0..a6 from `args`, runs the ecall and returns a mask of the
// registers x1..x31 (except sp) whose value changed, leaving `out` with
// the values after the call.
inline uint32_t changed_registers(uint64_t nr, const uint64_t (&args)[7], uint64_t seed,
                                  uint64_t (&regs)[64]) {
    for (unsigned i = 0; i < 32; i++)
        regs[i] = seed ^ (0x0101010101010101ull * (i + 1)) ^ (uint64_t(i) << 56);
    for (unsigned i = 0; i < 7; i++) regs[REG_A0 + i] = args[i];
    regs[REG_A7] = nr;
    for (unsigned i = 32; i < 64; i++) regs[i] = 0;
    ecall_with_registers(regs);
    uint32_t mask = 0;
    for (unsigned i = 1; i < 32; i++) {
        if (i != REG_SP && regs[32 + i] != regs[i]) mask |= uint32_t(1) << i;
    }
    return mask;
}
