// Where the arch trap code hands user-mode events to the generic kernel.
//
// Traps from U-mode save only the registers a C call may clobber (the
// caller-saved ones, sp and pc): the kernel's C code preserves the
// callee-saved registers s0..s11 by the calling convention, so a thread
// that traps and continues never has them stored. Each entry returns a
// TrapExit saying which thread runs next; only when that is another
// thread does the arch code store the old thread's s0..s11 (into
// `save_callee_saved`, unless that thread is gone) and load the new one's.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "arch/riscv/uctx.h"

struct TrapExit {
    // The context to run, with TRAP_EXIT_SWITCH set when its callee-saved
    // registers must be loaded too (a different thread from the one that
    // trapped).
    uintptr_t next;
    // Where to store the trapped thread's s0..s11, or nullptr.
    UserContext* save_callee_saved;
};
inline constexpr uintptr_t TRAP_EXIT_SWITCH = 1;  // UserContext is 8-byte aligned

// The entries, one per kind of event, each in the file that owns it:
//
//   kernel_syscall     kernel/syscall/entry.cc  an ecall: the syscall table
//   kernel_user_fault  kernel/fault.cc          a fault: a message to the
//                                               thread's fault handler
//   kernel_timer       kernel/scheduler.cc      the timer: the slice is over
//   kernel_external_interrupt  kernel/irq.cc    a device: signal its driver
//
// trap.S calls kernel_syscall directly; arch/riscv/trap.cc decodes every
// other trap from U-mode and calls the others.

// ecall from U-mode; ctx is the current thread's saved registers, its pc
// already past the ecall. Called from assembly, hence extern "C".
extern "C" TrapExit kernel_syscall(UserContext* ctx);

// A fault in U-mode that the thread cannot go on from by itself.
TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access, const char* what);

// The timer interrupted a user thread.
TrapExit kernel_timer();
// An external interrupt (a device, through the interrupt controller)
// interrupted a user thread.
TrapExit kernel_external_interrupt();

// For the trap and syscall paths' leaf functions (those that call nothing,
// or only tail-call): no frame record, which would cost more than some of them
// do. gcc 12 has no -momit-leaf-frame-pointer, hence the attribute; clang
// ignores it, so clang images keep these records. A fault inside one still
// shows its pc and, through ra, its caller.
#if defined(__clang__)
#define TRAP_LEAF
#else
#define TRAP_LEAF [[gnu::optimize("omit-frame-pointer")]]
#endif
