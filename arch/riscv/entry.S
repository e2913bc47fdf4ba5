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

#include "generated/asm-offsets.h"  /* from asm_offsets.cc */

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
    /* t1 = number of the 1 GiB region holding the kernel. */
    la      t0, early_root
    la      t1, _start
    srli    t1, t1, GIGAPAGE_SHIFT
    slli    t2, t1, PTE_SIZE_LOG2 /* t2 = byte offset of that gigapage's slot */
    /* t3 = PTE.PPN field for the gigapage: (pa >> PAGE_SHIFT) << PTE_PPN_SHIFT */
    slli    t3, t1, GIGAPAGE_SHIFT - PAGE_SHIFT + PTE_PPN_SHIFT

    /* Identity leaf, removed once running high. */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    add     t5, t0, t2
    sd      t4, 0(t5)

    /* Kernel image leaf at 0xffffffff80000000. */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G
    li      t5, ROOT_KERNEL_IMAGE_OFFSET
    add     t5, t5, t0
    sd      t4, 0(t5)

    /* Direct map of the kernel's gigapage (holds the FDT too; QEMU puts it below 3 GiB). */
    ori     t4, t3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G
    li      t5, ROOT_DIRECT_MAP_OFFSET
    add     t5, t5, t2
    add     t5, t5, t0
    sd      t4, 0(t5)

    /* Direct map of physical 0..1 GiB: devices (sifive_test, UART), read-write. */
    li      t4, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G
    li      t5, ROOT_DIRECT_MAP_OFFSET
    add     t5, t5, t0
    sd      t4, 0(t5)

    srli    t4, t0, PAGE_SHIFT
    li      t5, SATP_MODE_SV39
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
 * sifive_test with status EARLY_TRAP_STATUS (layout.h) so the failure is
 * never silent.
 */
    .balign 4
early_trap:
    li      t0, SIFIVE_TEST_PHYS
    li      t1, SIFIVE_TEST_EARLY_TRAP
    sw      t1, 0(t0)
1:  wfi
    j       1b

/* boot_main returned: the same through the direct map (BOOT_RETURNED_STATUS). */
early_trap_high:
    li      t0, SIFIVE_TEST_VIRT
    li      t1, SIFIVE_TEST_BOOT_RETURNED
    sw      t1, 0(t0)
1:  wfi
    j       1b

    .section .bss.boot, "aw", @nobits
    .balign PAGE_SIZE
    .globl early_root
early_root:
    .space  PAGE_SIZE             /* one table: PTES_PER_TABLE entries */
    .globl boot_stack
boot_stack:
    .space  BOOT_STACK_SIZE
    .globl boot_stack_top
boot_stack_top:
