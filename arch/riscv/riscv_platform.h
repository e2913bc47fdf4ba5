// RISC-V helpers shared inside arch/riscv (not part of the generic interface).
#pragma once

#include <stdint.h>

#include "arch/riscv/trap.h"
#include "format/format.h"

namespace riscv {

void set_timebase(uint64_t hz);
void print_symbol(TextSink out, uintptr_t addr);
// Prints pc, then (for traps) the caller named by `ra_hint` when the frame
// chain would miss it (0: none), then the frame-pointer chain from fp.
void backtrace(TextSink out, uintptr_t fp, uintptr_t pc, uintptr_t ra_hint);
void dump_registers(TextSink out, const TrapFrame& f);

}  // namespace riscv
