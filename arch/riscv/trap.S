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
#define FRAME_SIZE (36 * 8)
#define UCTX_PC (32 * 8)
#define SSTATUS_SPP (1 << 8)
#define SSTATUS_SPIE (1 << 5)

    .section .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   sp, sscratch, sp
    bnez    sp, from_user
    csrrw   sp, sscratch, sp      /* from S-mode: sp back, sscratch stays 0 */
    addi    sp, sp, -FRAME_SIZE
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    addi    t0, sp, FRAME_SIZE
    sd      t0, 2*8(sp)
    sd      zero, 0(sp)
    csrr    t0, sepc
    sd      t0, 32*8(sp)
    csrr    t0, sstatus
    sd      t0, 33*8(sp)
    csrr    t0, scause
    sd      t0, 34*8(sp)
    csrr    t0, stval
    sd      t0, 35*8(sp)

    mv      a0, sp
    call    trap_handler

    ld      t0, 32*8(sp)
    csrw    sepc, t0
    ld      t0, 33*8(sp)
    csrw    sstatus, t0
    ld      x1, 1*8(sp)
    ld      x3, 3*8(sp)
    ld      x4, 4*8(sp)
    ld      x5, 5*8(sp)
    ld      x6, 6*8(sp)
    ld      x7, 7*8(sp)
    ld      x8, 8*8(sp)
    ld      x9, 9*8(sp)
    ld      x10, 10*8(sp)
    ld      x11, 11*8(sp)
    ld      x12, 12*8(sp)
    ld      x13, 13*8(sp)
    ld      x14, 14*8(sp)
    ld      x15, 15*8(sp)
    ld      x16, 16*8(sp)
    ld      x17, 17*8(sp)
    ld      x18, 18*8(sp)
    ld      x19, 19*8(sp)
    ld      x20, 20*8(sp)
    ld      x21, 21*8(sp)
    ld      x22, 22*8(sp)
    ld      x23, 23*8(sp)
    ld      x24, 24*8(sp)
    ld      x25, 25*8(sp)
    ld      x26, 26*8(sp)
    ld      x27, 27*8(sp)
    ld      x28, 28*8(sp)
    ld      x29, 29*8(sp)
    ld      x30, 30*8(sp)
    ld      x31, 31*8(sp)
    addi    sp, sp, FRAME_SIZE
    sret

from_user:
    /*
     * sp = UserContext of the current thread, sscratch = user sp. Saved
     * here: what the C code may clobber and the kernel must give back.
     * s0..s11 stay in the CPU (the C code preserves them), and so do gp
     * and tp (the kernel never uses them); all fourteen are stored only
     * when another thread runs next. An ecall (scause 8) also leaves
     * t0..t6 unsaved: the syscall ABI does not preserve them
     * (libs/abi/syscall.h). Slot x[0] of the context records which
     * happened: 0 after an ecall (t0..t6 come back as zeros), nonzero
     * after any other trap (t0..t6 come back from the context).
     */
    sd      x1, 1*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    csrr    a1, sscratch
    sd      a1, 2*8(sp)
    csrw    sscratch, zero
    csrr    a1, sepc
    csrr    a2, scause
    li      a3, 8
    bne     a2, a3, 2f
    /* ecall from U-mode, the common case: the thread resumes past it, and
       kernel_syscall(UserContext*) (kernel/syscall/dispatch.cc) decodes it. */
    addi    a1, a1, 4
    sd      a1, UCTX_PC(sp)
    sd      zero, 0(sp)           /* t0..t6 not saved */
    mv      a0, sp
    ld      sp, kernel_trap_stack_top
    call    kernel_syscall
    andi    t0, a0, 1
    bnez    t0, 3f                /* another thread runs: the common exit */
    /* The same thread goes on (nothing to save): its t0..t6 are zeros. */
    ld      t0, UCTX_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    j       4f
    /* Any other trap or interrupt: t0..t6 too. */
2:  sd      a1, UCTX_PC(sp)
    sd      a3, 0(sp)             /* t0..t6 saved (a3 = 8, nonzero) */
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    mv      a0, sp
    ld      sp, kernel_trap_stack_top
    call    user_trap
3:
    /* a0 = next context | 1 if another thread; a1 = where to save the
       trapped thread's s0..s11, gp and tp, or 0. */
    beqz    a1, 1f
    sd      x3, 3*8(a1)
    sd      x4, 4*8(a1)
    sd      x8, 8*8(a1)
    sd      x9, 9*8(a1)
    sd      x18, 18*8(a1)
    sd      x19, 19*8(a1)
    sd      x20, 20*8(a1)
    sd      x21, 21*8(a1)
    sd      x22, 22*8(a1)
    sd      x23, 23*8(a1)
    sd      x24, 24*8(a1)
    sd      x25, 25*8(a1)
    sd      x26, 26*8(a1)
    sd      x27, 27*8(a1)
1:  andi    t0, a0, 1
    beqz    t0, restore_caller_saved
    andi    a0, a0, -2
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
    ld      x3, 3*8(a0)
    ld      x4, 4*8(a0)
    ld      x8, 8*8(a0)
    ld      x9, 9*8(a0)
    ld      x18, 18*8(a0)
    ld      x19, 19*8(a0)
    ld      x20, 20*8(a0)
    ld      x21, 21*8(a0)
    ld      x22, 22*8(a0)
    ld      x23, 23*8(a0)
    ld      x24, 24*8(a0)
    ld      x25, 25*8(a0)
    ld      x26, 26*8(a0)
    ld      x27, 27*8(a0)
restore_caller_saved:
    ld      t0, UCTX_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    ld      t0, 0(a0)
    beqz    t0, 4f
    ld      x5, 5*8(a0)
    ld      x6, 6*8(a0)
    ld      x7, 7*8(a0)
    ld      x28, 28*8(a0)
    ld      x29, 29*8(a0)
    ld      x30, 30*8(a0)
    ld      x31, 31*8(a0)
    j       5f
4:  mv      x5, zero              /* after an ecall: zeros, never stale values */
    mv      x6, zero
    mv      x7, zero
    mv      x28, zero
    mv      x29, zero
    mv      x30, zero
    mv      x31, zero
5:  ld      x1, 1*8(a0)
    ld      x2, 2*8(a0)
    ld      x11, 11*8(a0)
    ld      x12, 12*8(a0)
    ld      x13, 13*8(a0)
    ld      x14, 14*8(a0)
    ld      x15, 15*8(a0)
    ld      x16, 16*8(a0)
    ld      x17, 17*8(a0)
    ld      x10, 10*8(a0)
    sret
