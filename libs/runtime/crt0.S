/* Program entry for user tasks (U-mode).
 *
 * _start: the first thread of a task whose image was loaded by the kernel
 * (the root task). On entry:
 *   a0  the argument (for the root task: user address of abi::BootInfo)
 *   sp  a 16-byte aligned stack set up by whoever started the thread
 *   every other register is unspecified.
 * It clears .bss (the kernel loads it zeroed already; clearing again costs
 * little and keeps the contract local), calls `int main(uint64_t arg)` and
 * ends the task with main's return value: rt_exit (runtime.cc) prints what
 * the console still buffers, then calls Sys::Exit.
 *
 * _thread_start: a thread started later in an address space that already
 * holds this image (libs/runtime/spawn.h). It must not clear .bss: its data
 * pages were prepared by its creator. On entry:
 *   a0      the argument for the function
 *   0(sp)   the function to run, int (*)(uint64_t); sp 16-byte aligned
 * It pops the function and hands both to rt_thread_main (runtime.cc),
 * which never returns.
 */
#define SYS_EXIT 2

    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* No caller: a zero return address and frame pointer end backtraces. */
    li      ra, 0
    li      s0, 0
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    call    rt_exit             /* a0 = main's return value = exit status */
3:  li      a7, SYS_EXIT        /* not reached: rt_exit does not return */
    ecall
    j       3b
    .size _start, . - _start

    .text
    .globl _thread_start
    .type _thread_start, @function
_thread_start:
    li      ra, 0
    li      s0, 0
    ld      a1, 0(sp)           /* a1 = function, a0 = argument */
    addi    sp, sp, 16
    call    rt_thread_main
4:  j       4b
    .size _thread_start, . - _thread_start
