// What generic kernel code needs from the architecture and machine.
// Implemented by arch/riscv/platform.cc; nothing here names RISC-V.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
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

// Waits (wfi, interrupts masked in S-mode) until the timer fires or an
// external interrupt is pending; says which (both may be).
struct Wakeup {
    bool timer;
    bool external;
};
Wakeup wait_for_interrupt();

// The interrupt controller (the PLIC on RISC-V), for kernel/irq.cc. Its
// registers at `regs` (mapped: arch::map_mmio), sources 1..lines-1,
// delivered to `context` (the boot hart's supervisor context). Masks
// every source. Errors: InvalidArgument (registers too small for the
// context, fewer than 2 lines).
Status irq_controller_init(PhysRange regs, uint32_t lines, uint32_t context);
// Lets `line` interrupt (on) or not.
void irq_enable(uint32_t line, bool on);
// The highest pending line, which is now in service until completed; 0
// when none is pending.
uint32_t irq_claim();
// `line`, claimed, may interrupt again.
void irq_complete(uint32_t line);

// Arms the timer to interrupt about `us` microseconds from now.
void timer_arm(uint64_t us);

// Enters U-mode in the thread whose registers are `ctx` (its address space
// must be active). Traps from U-mode arrive at user_trap() (kernel/entry.h).
[[noreturn]] void return_to_user(struct ::UserContext* ctx);

// Prepares the CPU for user tasks: the kernel trap stack, timer and
// external interrupts, U-mode access to the cycle/time/instret counters.
void user_init();

// Print the current registers and a frame-pointer backtrace from the caller.
void dump_current_state(TextSink out);

}  // namespace platform
