// What generic kernel code needs from the architecture and machine.
// Implemented by arch/riscv/platform.cc; nothing here names RISC-V.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/format.h"

namespace platform {

// Early console (SBI on RISC-V): synchronous, usable from the first line.
void console_write(const char* s, size_t n);

// Time since boot in microseconds (for log timestamps).
uint64_t uptime_us();

// Retired instructions (for boot cost measurements).
uint64_t instructions_retired();

// End the machine: status 0 is success, anything else failure. Under QEMU
// the status becomes QEMU's exit status.
[[noreturn]] void exit(int status);

// Log lines describing the firmware and the boot hart.
void describe(TextSink out);

// The timer's frequency, from the FDT (0 keeps the default).
void set_timebase(uint64_t hz);

// Wait for an interrupt (the idle loop's body).
void idle();

// Print the current registers and a frame-pointer backtrace from the caller.
void dump_current_state(TextSink out);

}  // namespace platform
