// Switching user address spaces: the part of the MMU interface the
// scheduler's inline paths use. On RISC-V a switch is one satp write; each
// space has its own ASID, so TLB entries of different spaces never mix
// and no fence is needed (a space's entries are flushed when its tables are
// destroyed, before its ASID can be used again: arch/riscv/user_paging.cc).
#pragma once

#include <stdint.h>

namespace arch {

// `token` is what address_space_token (paging.h) computed for the space.
inline void switch_address_space(uint64_t token) { asm volatile("csrw satp, %0" : : "r"(token) : "memory"); }

}  // namespace arch
