/*
 * S-mode trap vector (stvec, direct mode).
 *
 * sscratch tells where the trap came from: while a user thread runs it
 * holds that thread's UserContext (uctx.h); in the kernel it is 0.
 *
 * From U-mode: save the caller-saved user registers, sp and pc into the
 * UserContext, switch to the kernel stack and call kernel_syscall(ctx)
 * for an ecall, user_trap(ctx) for anything else; they return which thread
 * runs next (kernel/entry.h, TrapExit). The same thread gets its
 * caller-saved registers back; another thread also gets its s0..s11, gp
 * and tp, after the old thread's were stored.
 *
 * From S-mode: save everything into a TrapFrame (trap.h) on the current
 * stack and call trap_handler(frame); every such trap is a kernel bug and
 * is reported (trap.cc).
 */
#include "generated/asm-offsets.h"  /* from asm_offsets.cc */

    .section .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   sp, sscratch, sp
    bnez    sp, from_user
    csrrw   sp, sscratch, sp      /* from S-mode: sp back, sscratch stays 0 */
    addi    sp, sp, -TF_SIZE
    sd      x1, TF_X1(sp)
    sd      x3, TF_X3(sp)
    sd      x4, TF_X4(sp)
    sd      x5, TF_X5(sp)
    sd      x6, TF_X6(sp)
    sd      x7, TF_X7(sp)
    sd      x8, TF_X8(sp)
    sd      x9, TF_X9(sp)
    sd      x10, TF_X10(sp)
    sd      x11, TF_X11(sp)
    sd      x12, TF_X12(sp)
    sd      x13, TF_X13(sp)
    sd      x14, TF_X14(sp)
    sd      x15, TF_X15(sp)
    sd      x16, TF_X16(sp)
    sd      x17, TF_X17(sp)
    sd      x18, TF_X18(sp)
    sd      x19, TF_X19(sp)
    sd      x20, TF_X20(sp)
    sd      x21, TF_X21(sp)
    sd      x22, TF_X22(sp)
    sd      x23, TF_X23(sp)
    sd      x24, TF_X24(sp)
    sd      x25, TF_X25(sp)
    sd      x26, TF_X26(sp)
    sd      x27, TF_X27(sp)
    sd      x28, TF_X28(sp)
    sd      x29, TF_X29(sp)
    sd      x30, TF_X30(sp)
    sd      x31, TF_X31(sp)
    addi    t0, sp, TF_SIZE
    sd      t0, TF_X2(sp)
    sd      zero, TF_X0(sp)
    csrr    t0, sepc
    sd      t0, TF_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, TF_SSTATUS(sp)
    csrr    t0, scause
    sd      t0, TF_SCAUSE(sp)
    csrr    t0, stval
    sd      t0, TF_STVAL(sp)

    mv      a0, sp
    call    trap_handler

    ld      t0, TF_SEPC(sp)
    csrw    sepc, t0
    ld      t0, TF_SSTATUS(sp)
    csrw    sstatus, t0
    ld      x1, TF_X1(sp)
    ld      x3, TF_X3(sp)
    ld      x4, TF_X4(sp)
    ld      x5, TF_X5(sp)
    ld      x6, TF_X6(sp)
    ld      x7, TF_X7(sp)
    ld      x8, TF_X8(sp)
    ld      x9, TF_X9(sp)
    ld      x10, TF_X10(sp)
    ld      x11, TF_X11(sp)
    ld      x12, TF_X12(sp)
    ld      x13, TF_X13(sp)
    ld      x14, TF_X14(sp)
    ld      x15, TF_X15(sp)
    ld      x16, TF_X16(sp)
    ld      x17, TF_X17(sp)
    ld      x18, TF_X18(sp)
    ld      x19, TF_X19(sp)
    ld      x20, TF_X20(sp)
    ld      x21, TF_X21(sp)
    ld      x22, TF_X22(sp)
    ld      x23, TF_X23(sp)
    ld      x24, TF_X24(sp)
    ld      x25, TF_X25(sp)
    ld      x26, TF_X26(sp)
    ld      x27, TF_X27(sp)
    ld      x28, TF_X28(sp)
    ld      x29, TF_X29(sp)
    ld      x30, TF_X30(sp)
    ld      x31, TF_X31(sp)
    addi    sp, sp, TF_SIZE
    sret

from_user:
    /*
     * sp = UserContext of the current thread, sscratch = user sp. Saved
     * here: what the C code may clobber and the kernel must give back.
     * s0..s11 stay in the CPU (the C code preserves them), and so do gp
     * and tp (the kernel never uses them); all fourteen are stored only
     * when another thread runs next. An ecall (SCAUSE_ECALL_FROM_U) also
     * leaves t0..t6 unsaved: the syscall ABI does not preserve them
     * (libs/abi/syscall.h). Slot x[0] of the context (UCTX_TEMPS_SAVED)
     * records which happened: 0 after an ecall (t0..t6 come back as
     * zeros), nonzero after any other trap (t0..t6 come back from the
     * context).
     */
    sd      x1, UCTX_X1(sp)
    sd      x10, UCTX_X10(sp)
    sd      x11, UCTX_X11(sp)
    sd      x12, UCTX_X12(sp)
    sd      x13, UCTX_X13(sp)
    sd      x14, UCTX_X14(sp)
    sd      x15, UCTX_X15(sp)
    sd      x16, UCTX_X16(sp)
    sd      x17, UCTX_X17(sp)
    csrr    a1, sscratch
    sd      a1, UCTX_X2(sp)
    csrw    sscratch, zero
    csrr    a1, sepc
    csrr    a2, scause
    li      a3, SCAUSE_ECALL_FROM_U
    bne     a2, a3, 2f
    /* ecall from U-mode, the common case: the thread resumes past it, and
       kernel_syscall(UserContext*) (kernel/syscall/entry.cc) decodes it. */
    addi    a1, a1, 4
    sd      a1, UCTX_PC(sp)
    sd      zero, UCTX_TEMPS_SAVED(sp)  /* t0..t6 not saved */
    mv      a0, sp
    ld      sp, kernel_trap_stack_top
    call    kernel_syscall
    andi    t0, a0, TRAP_EXIT_SWITCH
    bnez    t0, 3f                /* another thread runs: the common exit */
    /* The same thread goes on (nothing to save): its t0..t6 are zeros. */
    ld      t0, UCTX_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    j       4f
    /* Any other trap or interrupt: t0..t6 too. */
2:  sd      a1, UCTX_PC(sp)
    sd      a3, UCTX_TEMPS_SAVED(sp)  /* t0..t6 saved (a3 nonzero) */
    sd      x5, UCTX_X5(sp)
    sd      x6, UCTX_X6(sp)
    sd      x7, UCTX_X7(sp)
    sd      x28, UCTX_X28(sp)
    sd      x29, UCTX_X29(sp)
    sd      x30, UCTX_X30(sp)
    sd      x31, UCTX_X31(sp)
    mv      a0, sp
    ld      sp, kernel_trap_stack_top
    call    user_trap
3:
    /* a0 = next context | TRAP_EXIT_SWITCH if another thread; a1 = where
       to save the trapped thread's s0..s11, gp and tp, or 0 (TrapExit,
       kernel/entry.h). */
    beqz    a1, 1f
    sd      x3, UCTX_X3(a1)
    sd      x4, UCTX_X4(a1)
    sd      x8, UCTX_X8(a1)
    sd      x9, UCTX_X9(a1)
    sd      x18, UCTX_X18(a1)
    sd      x19, UCTX_X19(a1)
    sd      x20, UCTX_X20(a1)
    sd      x21, UCTX_X21(a1)
    sd      x22, UCTX_X22(a1)
    sd      x23, UCTX_X23(a1)
    sd      x24, UCTX_X24(a1)
    sd      x25, UCTX_X25(a1)
    sd      x26, UCTX_X26(a1)
    sd      x27, UCTX_X27(a1)
1:  andi    t0, a0, TRAP_EXIT_SWITCH
    beqz    t0, restore_caller_saved
    andi    a0, a0, ~TRAP_EXIT_SWITCH
    /* After a trap from U-mode sstatus already says SPP = 0, SPIE = 1
       (the kernel runs with interrupts masked and never traps itself). */
    j       restore_all

/*
 * return_to_user_asm(ctx): enter U-mode for the first time, in the thread
 * whose registers are all at a0 (its address space must be active).
 */
    .globl return_to_user_asm
return_to_user_asm:
    li      t0, SSTATUS_SPP
    csrc    sstatus, t0           /* sret goes to U-mode */
    li      t0, SSTATUS_SPIE
    csrs    sstatus, t0           /* with interrupts enabled */
restore_all:
    ld      x3, UCTX_X3(a0)
    ld      x4, UCTX_X4(a0)
    ld      x8, UCTX_X8(a0)
    ld      x9, UCTX_X9(a0)
    ld      x18, UCTX_X18(a0)
    ld      x19, UCTX_X19(a0)
    ld      x20, UCTX_X20(a0)
    ld      x21, UCTX_X21(a0)
    ld      x22, UCTX_X22(a0)
    ld      x23, UCTX_X23(a0)
    ld      x24, UCTX_X24(a0)
    ld      x25, UCTX_X25(a0)
    ld      x26, UCTX_X26(a0)
    ld      x27, UCTX_X27(a0)
restore_caller_saved:
    ld      t0, UCTX_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    ld      t0, UCTX_TEMPS_SAVED(a0)
    beqz    t0, 4f
    ld      x5, UCTX_X5(a0)
    ld      x6, UCTX_X6(a0)
    ld      x7, UCTX_X7(a0)
    ld      x28, UCTX_X28(a0)
    ld      x29, UCTX_X29(a0)
    ld      x30, UCTX_X30(a0)
    ld      x31, UCTX_X31(a0)
    j       5f
4:  mv      x5, zero              /* after an ecall: zeros, never stale values */
    mv      x6, zero
    mv      x7, zero
    mv      x28, zero
    mv      x29, zero
    mv      x30, zero
    mv      x31, zero
5:  ld      x1, UCTX_X1(a0)
    ld      x2, UCTX_X2(a0)
    ld      x11, UCTX_X11(a0)
    ld      x12, UCTX_X12(a0)
    ld      x13, UCTX_X13(a0)
    ld      x14, UCTX_X14(a0)
    ld      x15, UCTX_X15(a0)
    ld      x16, UCTX_X16(a0)
    ld      x17, UCTX_X17(a0)
    ld      x10, UCTX_X10(a0)
    sret
