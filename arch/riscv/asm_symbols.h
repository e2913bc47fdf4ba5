// What entry.S and trap.S share with the C++ code: the functions they call,
// extern "C" so that the assembly names them as written, and the symbols
// they define for C++. The C++ definitions include this header, so one
// that no longer matches its declaration does not compile. (The syscall
// entry, kernel_syscall, is declared in kernel/entry.h.)
#pragma once

#include <stdint.h>

#include "arch/riscv/sv39.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/uctx.h"
#include "kernel/entry.h"

extern "C" {

// Called by entry.S once paging is on, on the boot stack at the kernel's
// high address, with instret as it was at entry (kernel/boot/main.cc).
[[noreturn]] void boot_main(uint64_t hartid, uint64_t fdt_phys, uint64_t instret_at_entry);

// Called by trap.S for a trap taken in S-mode, always a kernel bug (trap.cc).
void trap_handler(riscv::TrapFrame* frame);
// Called by trap.S for a trap from U-mode other than an ecall (trap.cc).
TrapExit user_trap(UserContext* ctx);

// trap.S: enters U-mode in the thread whose registers are all at ctx.
[[noreturn]] void return_to_user_asm(UserContext* ctx);
// trap.S loads it: the stack traps from U-mode run on (platform.cc).
extern uint64_t kernel_trap_stack_top;

// entry.S: the boot page table and the boot stack.
extern riscv::sv39::Pte early_root[riscv::sv39::PTES_PER_TABLE];
extern char boot_stack[], boot_stack_top[];

}  // extern "C"
