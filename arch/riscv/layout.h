// The kernel's virtual address layout (Sv39, 39-bit addresses).
//
//   0x0000000000000000 .. 0x0000003fffffffff  user (256 GiB), per task
//   0xffffffc000000000 .. 0xffffffdfffffffff  direct map of physical 0..128 GiB
//   0xffffffe000000000 .. 0xffffffe03fffffff  vmemmap: mem_map indexed by pfn
//   0xffffffff80000000 .. 0xffffffffffffffff  kernel image (linked at ...80200000)
//
// Physical memory beyond 128 GiB cannot be direct-mapped; boot ignores it
// with a message.
#pragma once

#include <stdint.h>

#include "base/addr.h"

namespace riscv::layout {

inline constexpr uint64_t DIRECT_MAP_BASE = 0xffffffc000000000ull;
inline constexpr uint64_t DIRECT_MAP_SIZE = 0x0000002000000000ull;  // 128 GiB
inline constexpr uint64_t VMEMMAP_BASE = 0xffffffe000000000ull;
inline constexpr uint64_t VMEMMAP_SIZE = 0x0000000040000000ull;  // 32 B x 32 Mi frames
inline constexpr uint64_t KERNEL_VIRT_BASE = 0xffffffff80200000ull;
inline constexpr uint64_t KERNEL_PHYS_BASE = 0x80200000ull;
inline constexpr uint64_t KERNEL_VIRT_OFFSET = KERNEL_VIRT_BASE - KERNEL_PHYS_BASE;

// The boot stack (entry.S), which traps from U-mode run on once boot is done.
inline constexpr uint64_t BOOT_STACK_SIZE = uint64_t(16) * 1024;

// sifive_test: a 32-bit write ends QEMU, with success or with a failure
// status.
inline constexpr uint64_t SIFIVE_TEST_PHYS = 0x100000;
inline constexpr uint32_t SIFIVE_TEST_PASS = 0x5555;
constexpr uint32_t sifive_test_fail(uint32_t status) { return ((status & 0xffff) << 16) | 0x3333; }
// The statuses entry.S ends QEMU with: a trap before the real trap vector
// is installed, and a return from boot_main.
inline constexpr uint32_t EARLY_TRAP_STATUS = 0xe0;
inline constexpr uint32_t BOOT_RETURNED_STATUS = 0xe1;

inline constexpr VirtAddr phys_to_virt(PhysAddr pa) { return VirtAddr(pa.raw() + DIRECT_MAP_BASE); }
inline constexpr PhysAddr virt_to_phys(VirtAddr va) { return PhysAddr(va.raw() - DIRECT_MAP_BASE); }
inline constexpr PhysAddr kernel_virt_to_phys(VirtAddr va) { return PhysAddr(va.raw() - KERNEL_VIRT_OFFSET); }
template <typename T>
T* phys_to_ptr(PhysAddr pa) {
    return phys_to_virt(pa).as<T>();
}

}  // namespace riscv::layout
