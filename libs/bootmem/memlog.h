// The memory bring-up log, in Linux's words and layout so a boot of this
// kernel can be laid next to a Linux boot on the same QEMU machine:
//
//   Zone ranges:
//     DMA32    [mem 0x0000000080000000-0x00000000bfffffff]
//     Normal   empty
//   Movable zone start for each node
//   Early memory node ranges
//     node   0: [mem 0x0000000080000000-0x00000000bfffffff]
//   Initmem setup node 0 [mem 0x0000000080000000-0x00000000bfffffff]
//   On node 0 totalpages: 262144
//     DMA32 zone: 2048 pages used for memmap
//     DMA32 zone: 0 pages reserved
//     DMA32 zone: 262144 pages, LIFO batch:63
//
// The first blocks follow free_area_init and free_area_init_node of Linux
// 6.x. The per-zone lines are the ones Linux 4.x-5.x printed from
// free_area_init_core and zone_pcp_init (KERN_DEBUG; later dropped); the
// memmap figure uses this kernel's 32-byte descriptor where Linux's is 56
// or 64 bytes, so only that number differs by design.
#pragma once

#include <stdint.h>

#include "bootmem/memblock.h"
#include "bootmem/zone_sizing.h"
#include "format/format.h"

namespace mm {

// "Zone ranges:" .. "Movable zone start for each node" (+ one line per
// node that has ZONE_MOVABLE) .. "Early memory node ranges" (one line
// per memory region with a whole page).
void print_zone_ranges(TextSink sink, const ZoneLayout& zones, const MemblockType& memory);

// "Initmem setup node N [mem ...]" (or "... as memoryless"), "On node N
// totalpages: P" and the per-zone lines.
void print_node_setup(TextSink sink, const ZoneLayout& zones, unsigned nid);

// Everything free_area_init prints, for all nodes, in Linux's order.
void print_free_area_init(TextSink sink, const ZoneLayout& zones, const MemblockType& memory);

// One line per ZoneWarning bit set in zones.warnings (nothing when none).
void print_zone_warnings(TextSink sink, const ZoneLayout& zones);

// Pages of mem_map a zone costs (calc_memmap_size for a flat map).
uint64_t zone_memmap_pages(uint64_t spanned);
// The per-cpu list batch Linux derives from a zone's managed pages
// (zone_batchsize); printed for comparison only.
uint64_t zone_batchsize(uint64_t managed_pages);

// Numbers for mem_init_print_info's summary line.
struct MemInitInfo {
    uint64_t free_pages = 0;      // frames handed to the buddy allocator
    uint64_t phys_pages = 0;      // present frames (get_num_physpages)
    uint64_t totalram_pages = 0;  // frames managed by the buddy allocator
    uint64_t cma_pages = 0;       // frames set aside for CMA (none here)
    uint64_t code_bytes = 0;      // kernel .text
    uint64_t rwdata_bytes = 0;    // kernel .data
    uint64_t rodata_bytes = 0;    // kernel .rodata
    uint64_t init_bytes = 0;      // kernel init sections (freed after boot)
    uint64_t bss_bytes = 0;       // kernel .bss
};

// "Memory: 123456K/131072K available (123K kernel code, 45K rwdata, 67K
// rodata, 89K init, 10K bss, 2345K reserved, 0K cma-reserved)"; reserved
// is phys - totalram - cma pages.
void print_mem_init_info(TextSink sink, const MemInitInfo& info);

}  // namespace mm
