// Physical memory bring-up (Linux's setup_arch -> paging_init ->
// bootmem_init / zone_sizes_init -> free_area_init -> alloc_node_mem_map).
#pragma once

#include "base/addr.h"
#include "cmdline/cmdline.h"
#include "fdt/machine.h"
#include "bootmem/memblock.h"
#include "mm/page.h"
#include "bootmem/zone_sizing.h"
#include "mm/zonelist.h"

// Everything boot learned about physical memory, for later steps (the
// pager hand-over) and for the on-target tests.
struct PhysMemory {
    mm::Memblock memblock;
    mm::ZoneLayout layout;
    mm::Zonelist zonelists[mm::MAX_NUMNODES];
    mm::MemMap mem_map;                    // vmemmap: descriptor of any pfn
    PhysRange node_map[mm::MAX_NUMNODES];  // each node's descriptor array
    Pfn node_map_start[mm::MAX_NUMNODES];  // first pfn each array describes
    // Retired instructions when mem_map was ready (boot cost: tools/bench boot).
    uint64_t instret_ready;
};

// Builds memblock from the FDT, the kernel's final page table (direct map),
// nodes and zones, zonelists and mem_map, logging each the way Linux does.
// Bad memory descriptions are reported and worked around where a defined
// behaviour exists; with no usable memory at all the machine ends with
// BOOT_EXIT_BAD_MEMORY. `kernelcore` and `movablecore` are the unparsed
// command-line values (empty when not given); bad ones are reported and ignored.
void phys_memory_init(const fdt::MachineInfo& machine, PhysAddr fdt, StrView kernelcore, StrView movablecore);

const PhysMemory& phys_memory();

// memblock, for the last boot allocations (kernel pool, root task).
mm::Memblock& boot_memblock();
