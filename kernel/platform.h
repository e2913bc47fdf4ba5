// What generic kernel code needs from the architecture and machine.
// Implemented by arch/riscv/platform.cc; nothing here names RISC-V.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "format/format.h"

struct UserContext;

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

// Waits (wfi, interrupts masked in S-mode) until the timer fires.
void wait_for_timer();

// Arms the timer to interrupt about `us` microseconds from now.
void timer_arm(uint64_t us);

// Enters U-mode in the thread whose registers are `ctx` (its address space
// must be active). Traps from U-mode arrive at user_trap() (kernel/entry.h).
[[noreturn]] void return_to_user(struct ::UserContext* ctx);

// Prepares the CPU for user tasks: the kernel trap stack, timer interrupts,
// U-mode access to the cycle/time/instret counters.
void user_init();

// Print the current registers and a frame-pointer backtrace from the caller.
void dump_current_state(TextSink out);

}  // namespace platform
