/*
 * Kernel entry: the hand-off from OpenSBI.
 *
 * OpenSBI (fw_dynamic, as QEMU's -bios default) enters here on the one hart
 * that won its boot lottery, at physical 0x80200000, with:
 *   a0    = this hart's id (mhartid)
 *   a1    = physical address of the flattened device tree, which OpenSBI
 *           has amended (/reserved-memory describes its own region)
 *   satp  = 0 (bare: no translation), S-mode, sstatus.SIE = 0
 *   other harts stay parked in OpenSBI until started through SBI HSM.
 * Nothing else may be assumed: sp, gp and tp are undefined.
 *
 * The image is linked at its high virtual address (0xffffffff80200000) but
 * runs here at its physical one, so until paging is on only PC-relative
 * addressing (la, call) may be used.
 *
 * Steps: trap to a failure exit if anything goes wrong this early; set up
 * the boot stack; clear .bss; build the early Sv39 root table with three
 * 1 GiB leaves (identity for the kernel's gigapage, the same frames at the
 * kernel's high address, and the direct map of physical 0..1 GiB and of the
 * kernel's gigapage); enable paging; jump high; drop the identity leaf; and
 * call boot_main(hartid, fdt, instret at entry) in C++.
 */

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define SATP_SV39 (8 << 60)
#define BOOT_STACK_SIZE (16 * 1024)
#define DIRECT_MAP_INDEX 256      /* VPN[2] of 0xffffffc000000000 */
#define KERNEL_IMAGE_INDEX 510    /* VPN[2] of 0xffffffff80000000 */
#define KERNEL_VIRT_OFFSET (-0x100000000) /* 0xffffffff00000000 */

    .section .text.entry, "ax"
    .globl _start
_start:
    rdinstret s1                  /* boot cost is measured from here */
    csrw    sie, zero
    la      t0, early_trap
    csrw    stvec, t0

    la      sp, boot_stack_top

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    /* t1 = physical base of the 1 GiB region holding the kernel. */
    la      t0, early_root
    la      t1, _start
    srli    t1, t1, 30
    slli    t2, t1, 3             /* t2 = byte offset of that gigapage's slot */
    slli    t3, t1, 28            /* t3 = PTE.PPN field for the gigapage: (pa >> 12) << 10 */

    /* Identity leaf, removed once running high. */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    add     t5, t0, t2
    sd      t4, 0(t5)

    /* Kernel image leaf at 0xffffffff80000000. */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G
    li      t5, KERNEL_IMAGE_INDEX * 8
    add     t5, t5, t0
    sd      t4, 0(t5)

    /* Direct map of the kernel's gigapage (holds the FDT too; QEMU puts it below 3 GiB). */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G
    li      t5, DIRECT_MAP_INDEX * 8
    add     t5, t5, t2
    add     t5, t5, t0
    sd      t4, 0(t5)

    /* Direct map of physical 0..1 GiB: devices (sifive_test, UART), read-write. */
    li      t4, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G
    li      t5, DIRECT_MAP_INDEX * 8
    add     t5, t5, t0
    sd      t4, 0(t5)

    srli    t4, t0, 12
    li      t5, SATP_SV39
    or      t4, t4, t5
    sfence.vma
    csrw    satp, t4
    sfence.vma

    ld      t4, .Lhigh_entry
    jr      t4

    .balign 8
.Lhigh_entry:
    .dword  boot_high

boot_high:
    /* Now at the high address: move sp there too, and install the real trap vector. */
    li      t4, KERNEL_VIRT_OFFSET
    add     sp, sp, t4
    la      t4, trap_entry
    csrw    stvec, t4

    /* Drop the identity leaf: the kernel never runs at its physical address again. */
    la      t0, early_root
    add     t5, t0, t2
    sd      zero, 0(t5)
    sfence.vma

    li      s0, 0                 /* end of the frame-pointer chain */
    li      ra, 0
    mv      a2, s1
    call    boot_main
    /* boot_main does not return; end QEMU with a failure if it ever does. */
    j       early_trap_high

/*
 * Traps before paging is on land here (physical addresses): end QEMU through
 * sifive_test with failure code 0xe0 so the failure is never silent.
 */
    .balign 4
early_trap:
    li      t0, 0x100000
    li      t1, (0xe0 << 16) | 0x3333
    sw      t1, 0(t0)
1:  wfi
    j       1b

/* The same through the direct map, once running high. */
early_trap_high:
    li      t0, 0xffffffc000100000
    li      t1, (0xe1 << 16) | 0x3333
    sw      t1, 0(t0)
1:  wfi
    j       1b

    .section .bss.boot, "aw", @nobits
    .balign 4096
    .globl early_root
early_root:
    .space  4096
    .globl boot_stack
boot_stack:
    .space  BOOT_STACK_SIZE
    .globl boot_stack_top
boot_stack_top:
