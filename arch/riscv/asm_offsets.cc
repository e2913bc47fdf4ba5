// The numbers entry.S and trap.S need from the C++ definitions: structure
// offsets, register slots, PTE and CSR bits, the address layout.
//
// Never linked: the build compiles this file to assembly, where each
// DEFINE leaves a line `.ascii "->NAME value"`, and
// tools/gen_asm_offsets.py turns those into generated/asm-offsets.h
// (`#define NAME value`), which the .S files include. A layout change in
// C++ thus reaches the assembly at the next build.
#include <stddef.h>
#include <stdint.h>

#include <utility>

#include "arch/riscv/layout.h"
#include "arch/riscv/scause.h"
#include "arch/riscv/sv39.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/uctx.h"
#include "base/bits.h"
#include "kernel/entry.h"

#define DEFINE(name, value) asm volatile(".ascii \"->" #name " %0\"" ::"i"(value))
#define BLANK() asm volatile(".ascii \"->\"")  // a blank line in the header

namespace {

using riscv::TrapFrame;
using riscv::sv39::Pte;
using riscv::sv39::Satp;
namespace layout = riscv::layout;
namespace sv39 = riscv::sv39;

// UCTX_X<n> and TF_X<n>: where register xn is saved.
template <size_t N>
void uctx_slot() {
    asm volatile(".ascii \"->UCTX_X%0 %1\"" ::"i"(N), "i"(offsetof(UserContext, x) + N * sizeof(uint64_t)));
}
template <size_t N>
void frame_slot() {
    asm volatile(".ascii \"->TF_X%0 %1\"" ::"i"(N), "i"(offsetof(TrapFrame, regs) + N * sizeof(uint64_t)));
}
template <size_t... N>
void register_slots(std::index_sequence<N...>) {
    (uctx_slot<N>(), ...);
    BLANK();
    (frame_slot<N>(), ...);
}

// The byte offset of va's entry in a root table.
constexpr uint64_t root_entry_offset(uint64_t va) {
    return sv39::vpn(VirtAddr(va), sv39::ROOT_LEVEL) * sizeof(Pte);
}

}  // namespace

void asm_offsets() {
    // trap.S: a user thread's registers (uctx.h), where slot x[0] says
    // whether t0..t6 were saved, and a kernel trap's frame (trap.h), on
    // the kernel stack.
    register_slots(std::make_index_sequence<32>{});
    BLANK();
    DEFINE(UCTX_TEMPS_SAVED, offsetof(UserContext, x[0]));
    DEFINE(UCTX_PC, offsetof(UserContext, pc));
    DEFINE(TF_SEPC, offsetof(TrapFrame, sepc));
    DEFINE(TF_SSTATUS, offsetof(TrapFrame, sstatus));
    DEFINE(TF_SCAUSE, offsetof(TrapFrame, scause));
    DEFINE(TF_STVAL, offsetof(TrapFrame, stval));
    DEFINE(TF_SIZE, sizeof(TrapFrame));
    BLANK();

    // trap.S: which trap, and where it returns to.
    DEFINE(SCAUSE_ECALL_FROM_U, riscv::Scause::EcallFromU);
    DEFINE(SSTATUS_SPP, riscv::Sstatus::SPP::mask);
    DEFINE(SSTATUS_SPIE, riscv::Sstatus::SPIE::mask);
    DEFINE(TRAP_EXIT_SWITCH, TRAP_EXIT_SWITCH);
    BLANK();

    // entry.S: the boot table's 1 GiB leaves.
    DEFINE(PTE_V, Pte::V::mask);
    DEFINE(PTE_R, Pte::R::mask);
    DEFINE(PTE_W, Pte::W::mask);
    DEFINE(PTE_X, Pte::X::mask);
    DEFINE(PTE_G, Pte::G::mask);
    DEFINE(PTE_A, Pte::A::mask);
    DEFINE(PTE_D, Pte::D::mask);
    DEFINE(PTE_PPN_SHIFT, Pte::PPN::lo);
    DEFINE(PTE_SIZE_LOG2, bits::highest_set(sizeof(Pte)));
    DEFINE(PAGE_SHIFT, PAGE_SHIFT);
    DEFINE(PAGE_SIZE, PAGE_SIZE);
    DEFINE(GIGAPAGE_SHIFT, bits::highest_set(sv39::level_size(sv39::ROOT_LEVEL)));
    DEFINE(ROOT_DIRECT_MAP_OFFSET, root_entry_offset(layout::DIRECT_MAP_BASE));
    DEFINE(ROOT_KERNEL_IMAGE_OFFSET, root_entry_offset(layout::KERNEL_VIRT_BASE));
    DEFINE(SATP_MODE_SV39, Satp::MODE::set(0, Satp::MODE_SV39));
    BLANK();

    // entry.S: the layout (layout.h).
    DEFINE(KERNEL_VIRT_OFFSET, layout::KERNEL_VIRT_OFFSET);
    DEFINE(BOOT_STACK_SIZE, layout::BOOT_STACK_SIZE);
    DEFINE(SIFIVE_TEST_PHYS, layout::SIFIVE_TEST_PHYS);
    DEFINE(SIFIVE_TEST_VIRT, layout::phys_to_virt(PhysAddr(layout::SIFIVE_TEST_PHYS)).raw());
    DEFINE(SIFIVE_TEST_EARLY_TRAP, layout::sifive_test_fail(layout::EARLY_TRAP_STATUS));
    DEFINE(SIFIVE_TEST_BOOT_RETURNED, layout::sifive_test_fail(layout::BOOT_RETURNED_STATUS));
}
