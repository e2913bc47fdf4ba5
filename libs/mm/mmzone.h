// Constants and names of the physical memory model shared by the kernel's
// memory bring-up and the pager (Linux vocabulary: include/linux/mmzone.h).
#pragma once

#include <stdint.h>

#include "base/addr.h"

namespace mm {

// Buddy orders 0..MAX_ORDER-1; the largest block is 2^10 frames (4 MiB).
inline constexpr unsigned MAX_ORDER = 11;
inline constexpr uint64_t MAX_ORDER_NR_PAGES = uint64_t(1) << (MAX_ORDER - 1);

// Pageblocks group frames by mobility for anti-fragmentation (2 MiB).
inline constexpr unsigned PAGEBLOCK_ORDER = 9;
inline constexpr uint64_t PAGEBLOCK_NR_PAGES = uint64_t(1) << PAGEBLOCK_ORDER;

// NUMA nodes the kernel supports; an FDT naming more gets a warning and
// the machine runs as one node (as Linux's dummy NUMA setup).
inline constexpr unsigned MAX_NUMNODES = 8;

enum class ZoneType : uint8_t { DMA32 = 0, Normal = 1, Movable = 2 };
inline constexpr unsigned MAX_NR_ZONES = 3;

constexpr const char* zone_name(ZoneType z) {
    switch (z) {
        case ZoneType::DMA32:
            return "DMA32";
        case ZoneType::Normal:
            return "Normal";
        case ZoneType::Movable:
            return "Movable";
    }
    return "?";
}

// ZONE_DMA32 ends at 4 GiB: devices with 32-bit DMA need frames below it.
inline constexpr Pfn DMA32_END_PFN = PhysAddr(uint64_t(1) << 32).to_pfn();

// Page descriptors link to each other by 32-bit frame number, so physical
// memory must end below 2^32 frames (16 TiB); boot refuses RAM beyond it.
inline constexpr uint64_t MAX_PFN_LIMIT = uint64_t(0xffffffff);

}  // namespace mm
