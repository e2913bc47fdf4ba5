// What the kernel hands the first user task (the root task: the pager, or
// a test program chosen with init= on the command line).
//
// The root task's a0 at entry is the user address of a read-only BootInfo
// page. Its capability table holds, besides the well-known slots:
//   SLOT_ROOT_FAULT_EP  an Endpoint for its own use (e.g. as children's fault endpoint)
//   SLOT_ROOT_IMAGE ..  one Frame (R+X or R+W) per page of its own loaded image,
//                       in address order, so it can share its text with children
//   SLOT_ROOT_MEMORY .. one Memory capability per free RAM range
//   SLOT_ROOT_IRQ_CONTROL  the IrqControl capability (when there is an
//                       interrupt controller)
//   SLOT_ROOT_DEVICES .. one Frame per device the device tree names (its
//                       registers: a naturally aligned block of frames
//                       that covers them, outside RAM), BootInfo::devices
#pragma once

#include <stdint.h>

#include "mm/mmzone.h"

namespace abi {

// The slots the root task's runtime hands out, more than other tasks'
// (abi::CAP_SLOTS): the pager keeps one capability per block it grants.
// A bound of user code, as CAP_SLOTS; the kernel's is MAX_CAP_SLOTS.
inline constexpr unsigned ROOT_CAP_SLOTS = 4096;

inline constexpr unsigned SLOT_ROOT_FAULT_EP = 3;
inline constexpr unsigned SLOT_ROOT_IMAGE = 16;  // up to ROOT_IMAGE_MAX_PAGES slots
inline constexpr unsigned ROOT_IMAGE_MAX_PAGES = 64;
inline constexpr unsigned SLOT_ROOT_MEMORY = 96;  // up to BOOT_MAX_MEMORY slots
inline constexpr unsigned BOOT_MAX_MEMORY = 32;
inline constexpr unsigned SLOT_ROOT_IRQ_CONTROL = 4;
inline constexpr unsigned SLOT_ROOT_DEVICES =
    SLOT_ROOT_MEMORY + BOOT_MAX_MEMORY;  // up to BOOT_MAX_DEVICES slots
inline constexpr unsigned BOOT_MAX_DEVICES = 12;
inline constexpr unsigned SLOT_ROOT_FREE =
    SLOT_ROOT_DEVICES + BOOT_MAX_DEVICES;  // first slot the root may use freely

// Where the kernel puts the root task's stack and boot info page.
inline constexpr uint64_t ROOT_STACK_TOP = 0x3fe0000000ull;
inline constexpr uint64_t ROOT_STACK_PAGES = 16;
inline constexpr uint64_t ROOT_BOOTINFO_VA = 0x3fc0000000ull;
// mem_map in the root task: the descriptor of frame pfn is at
// ROOT_MEMMAP_BASE + pfn * sizeof(mm::Page) (each node's array mapped R+W).
inline constexpr uint64_t ROOT_MEMMAP_BASE = 0x3800000000ull;
// The initrd (boot bundle), mapped read-only in the root task.
inline constexpr uint64_t ROOT_INITRD_VA = 0x3400000000ull;

inline constexpr uint64_t BOOTINFO_MAGIC = 0x5465726e426f6f74ull;  // "TernBoot"

struct BootZone {
    uint64_t start_pfn, spanned, present;
};

struct BootNode {
    uint64_t start_pfn, end_pfn, present;
    BootZone zones[mm::MAX_NR_ZONES];
};

struct BootMemory {
    uint64_t first_pfn, pages;
    uint32_t node;
    uint32_t slot;  // the Memory capability's slot
};

struct BootImagePage {
    uint64_t vaddr;
    uint32_t slot;
    uint32_t rights;
};

// What a device is (the device tree's compatible string).
enum class DeviceKind : uint8_t {
    VirtioMmio = 1,  // "virtio,mmio": a virtio device over MMIO (or an empty slot)
    Uart16550 = 2,   // "ns16550a"
};

struct BootDevice {
    DeviceKind kind;
    uint8_t order;  // the Frame covering its registers is of 2^order frames
    uint16_t irq;   // its interrupt line (IrqControlGet)
    uint32_t slot;  // that Frame's slot (map it: the registers are at phys's offset in it)
    uint64_t phys;  // its registers: [phys, phys + size)
    uint64_t size;
};

struct BootInfo {
    uint64_t magic;
    uint32_t version;
    uint32_t nr_nodes;
    BootNode nodes[mm::MAX_NUMNODES];
    uint8_t distance[mm::MAX_NUMNODES][mm::MAX_NUMNODES];
    uint32_t nr_memory;
    uint32_t nr_image_pages;
    BootMemory memory[BOOT_MAX_MEMORY];
    BootImagePage image[ROOT_IMAGE_MAX_PAGES];
    uint64_t mem_map_vaddr;      // where mem_map is mapped in the root task (descriptor of pfn 0)
    uint64_t mem_map_first_pfn;  // first and last+1 pfn it describes
    uint64_t mem_map_end_pfn;
    uint64_t initrd_pfn, initrd_pages;  // 0 when none
    uint64_t initrd_bytes;              // its exact size, at ROOT_INITRD_VA + (start & 0xfff)
    uint64_t initrd_va;                 // where the root task reads it (0 when none)
    uint32_t nr_harts;
    uint32_t nr_devices;
    BootDevice devices[BOOT_MAX_DEVICES];
    uint32_t has_irq_control;  // SLOT_ROOT_IRQ_CONTROL holds the IrqControl capability
    uint32_t cmdline_len;
    char cmdline[1024];
};

}  // namespace abi
static_assert(sizeof(abi::BootInfo) <= 4096, "BootInfo fits one page");
