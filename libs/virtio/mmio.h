// The virtio-mmio transport's registers (virtio 1.x, 4.2.2; 4.2.4 for
// the legacy interface's), device status bits (2.1) and device types
// (5), for drivers and for whoever looks at a device before one starts.
#pragma once

#include <stdint.h>

namespace virtio::mmio {

// Byte offsets of the 32-bit registers.
enum Reg : uint32_t {
    MAGIC = 0x000,
    VERSION = 0x004,
    DEVICE_ID = 0x008,
    DEVICE_FEATURES = 0x010,
    DEVICE_FEATURES_SEL = 0x014,
    DRIVER_FEATURES = 0x020,
    DRIVER_FEATURES_SEL = 0x024,
    LEGACY_GUEST_PAGE_SIZE = 0x028,
    QUEUE_SEL = 0x030,
    QUEUE_NUM_MAX = 0x034,
    QUEUE_NUM = 0x038,
    LEGACY_QUEUE_ALIGN = 0x03c,
    LEGACY_QUEUE_PFN = 0x040,
    QUEUE_READY = 0x044,
    QUEUE_NOTIFY = 0x050,
    INTERRUPT_STATUS = 0x060,
    INTERRUPT_ACK = 0x064,
    STATUS = 0x070,
    QUEUE_DESC = 0x080,
    QUEUE_DRIVER = 0x090,
    QUEUE_DEVICE = 0x0a0,
    CONFIG = 0x100,  // the device type's own configuration
};
inline constexpr uint32_t MAGIC_VALUE = 0x74726976;  // "virt"

// Device status: writing 0 resets the device (it stops using its queues).
inline constexpr uint32_t S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_FAILED = 128;

// Device types (DEVICE_ID; 0 is an empty slot).
inline constexpr uint32_t DEVICE_BLOCK = 2;

// The register at `r` of a device whose registers start at `regs`.
inline volatile uint32_t& reg(volatile uint32_t* regs, Reg r) { return regs[r / 4]; }
inline uint32_t read(const volatile uint32_t* regs, Reg r) { return regs[r / 4]; }

}  // namespace virtio::mmio
