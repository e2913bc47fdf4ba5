// Where the arch trap code hands user-mode events to the generic kernel.
// Each ends by running a thread in user mode (sched::schedule()).
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "uctx.h"

// ecall from U-mode; ctx is the current thread's saved registers.
[[noreturn]] void kernel_syscall(UserContext* ctx);

// A fault in U-mode that the thread cannot go on from by itself.
[[noreturn]] void kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access, const char* what);

// The timer interrupted a user thread.
[[noreturn]] void kernel_timer();
