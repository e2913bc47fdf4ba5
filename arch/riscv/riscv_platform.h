// RISC-V helpers shared inside arch/riscv (not part of the generic interface).
#pragma once

#include <stdint.h>

#include "lib/format.h"
#include "trap.h"

namespace riscv {

void set_timebase(uint64_t hz);
void print_symbol(TextSink out, uintptr_t addr);
void backtrace(TextSink out, uintptr_t fp, uintptr_t pc);
void dump_registers(TextSink out, const TrapFrame& f);

}  // namespace riscv
