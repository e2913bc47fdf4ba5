/* ecall_with_registers(uint64_t regs[64]): loads x1 and x3..x31 from
 * regs[1], regs[3..31] (so a7 = regs[17] is the system call number and
 * a0..a6 its arguments), executes ecall, and stores what every one of
 * those registers holds afterwards in regs[33], regs[35..63]. sp is the
 * only register it relies on; ra, gp, tp and s0..s11 are restored before
 * it returns. Used to check that the kernel preserves every register the
 * ABI says it preserves (libs/abi/syscall.h).
 */
    .text
    .globl ecall_with_registers
    .type ecall_with_registers, @function
ecall_with_registers:
    addi    sp, sp, -384
    sd      ra, 0(sp)
    sd      gp, 8(sp)
    sd      tp, 16(sp)
    sd      s0, 24(sp)
    sd      s1, 32(sp)
    sd      s2, 40(sp)
    sd      s3, 48(sp)
    sd      s4, 56(sp)
    sd      s5, 64(sp)
    sd      s6, 72(sp)
    sd      s7, 80(sp)
    sd      s8, 88(sp)
    sd      s9, 96(sp)
    sd      s10, 104(sp)
    sd      s11, 112(sp)
    sd      a0, 120(sp)
    mv      t6, a0
    ld      x1, 8(t6)
    ld      x3, 24(t6)
    ld      x4, 32(t6)
    ld      x5, 40(t6)
    ld      x6, 48(t6)
    ld      x7, 56(t6)
    ld      x8, 64(t6)
    ld      x9, 72(t6)
    ld      x10, 80(t6)
    ld      x11, 88(t6)
    ld      x12, 96(t6)
    ld      x13, 104(t6)
    ld      x14, 112(t6)
    ld      x15, 120(t6)
    ld      x16, 128(t6)
    ld      x17, 136(t6)
    ld      x18, 144(t6)
    ld      x19, 152(t6)
    ld      x20, 160(t6)
    ld      x21, 168(t6)
    ld      x22, 176(t6)
    ld      x23, 184(t6)
    ld      x24, 192(t6)
    ld      x25, 200(t6)
    ld      x26, 208(t6)
    ld      x27, 216(t6)
    ld      x28, 224(t6)
    ld      x29, 232(t6)
    ld      x30, 240(t6)
    ld      x31, 248(t6)
    ecall
    sd      x1, 136(sp)
    sd      x3, 152(sp)
    sd      x4, 160(sp)
    sd      x5, 168(sp)
    sd      x6, 176(sp)
    sd      x7, 184(sp)
    sd      x8, 192(sp)
    sd      x9, 200(sp)
    sd      x10, 208(sp)
    sd      x11, 216(sp)
    sd      x12, 224(sp)
    sd      x13, 232(sp)
    sd      x14, 240(sp)
    sd      x15, 248(sp)
    sd      x16, 256(sp)
    sd      x17, 264(sp)
    sd      x18, 272(sp)
    sd      x19, 280(sp)
    sd      x20, 288(sp)
    sd      x21, 296(sp)
    sd      x22, 304(sp)
    sd      x23, 312(sp)
    sd      x24, 320(sp)
    sd      x25, 328(sp)
    sd      x26, 336(sp)
    sd      x27, 344(sp)
    sd      x28, 352(sp)
    sd      x29, 360(sp)
    sd      x30, 368(sp)
    sd      x31, 376(sp)
    /* regs[32 + i] = saved x_i, for i = 1..31 (regs[34], for sp, stays) */
    ld      t6, 120(sp)
    addi    t0, sp, 128         /* x_i is at 128 + 8 * i */
    addi    t1, t6, 256         /* regs[32] */
    li      t2, 1
    li      t3, 32
1:  slli    t4, t2, 3
    add     t5, t0, t4
    ld      a1, 0(t5)
    add     t5, t1, t4
    li      a2, 2
    beq     t2, a2, 2f          /* skip sp */
    sd      a1, 0(t5)
2:  addi    t2, t2, 1
    blt     t2, t3, 1b
    ld      ra, 0(sp)
    ld      gp, 8(sp)
    ld      tp, 16(sp)
    ld      s0, 24(sp)
    ld      s1, 32(sp)
    ld      s2, 40(sp)
    ld      s3, 48(sp)
    ld      s4, 56(sp)
    ld      s5, 64(sp)
    ld      s6, 72(sp)
    ld      s7, 80(sp)
    ld      s8, 88(sp)
    ld      s9, 96(sp)
    ld      s10, 104(sp)
    ld      s11, 112(sp)
    addi    sp, sp, 384
    ret
    .size ecall_with_registers, . - ecall_with_registers
