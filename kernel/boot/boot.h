// The kernel's boot path, step by step as boot_main (main.cc) runs them:
// what each step does, what it leaves for the later steps and for the
// on-target tests (kernel/ktest), and how it ends the machine when the
// machine cannot be booted.
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "bootmem/memblock.h"
#include "bootmem/mm_init.h"
#include "cmdline/cmdline.h"
#include "fdt/devices.h"
#include "fdt/machine.h"
#include "mm/page.h"
#include "mm/zonelist.h"

// Exit statuses for a machine the kernel cannot boot on: bad input, not a
// kernel bug (which panics, status 101).
inline constexpr int BOOT_EXIT_BAD_FDT = 2;     // the FDT is unusable
inline constexpr int BOOT_EXIT_BAD_MEMORY = 3;  // no usable memory, or too little
inline constexpr int BOOT_EXIT_NO_INIT = 5;     // init= names no usable program

// Called once by arch/riscv/entry.S, on the boot stack at the kernel's high
// address, with the early page table (kernel image, direct map of the
// kernel's gigabyte and of 0..1 GiB) and the trap vector installed:
// `hartid` is the boot hart, `fdt_phys` the device tree's physical address,
// `instructions_at_entry` the retired-instruction count when the kernel was
// entered (boot cost is measured from there). Never returns.
extern "C" [[noreturn]] void boot_main(uint64_t hartid, uint64_t fdt_phys, uint64_t instructions_at_entry);

// --- The machine (main.cc) ------------------------------------------------

// What the FDT said, as boot_main read it (a malformed FDT ends the
// machine with BOOT_EXIT_BAD_FDT before any later step runs).
const fdt::MachineInfo& boot_machine();
// The interrupt controller and devices it names (fdt/devices.h).
const fdt::DeviceInfo& boot_devices();

// --- Physical memory (phys_memory.cc) --------------------------------------

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

// Physical memory bring-up (Linux's setup_arch -> paging_init ->
// bootmem_init / zone_sizes_init -> free_area_init -> alloc_node_mem_map):
// memblock from the FDT, the kernel's final page table (direct map), nodes
// and zones, zonelists and mem_map, logging each the way Linux does. Bad
// memory descriptions are reported and worked around where a defined
// behaviour exists; with no usable memory at all the machine ends with
// BOOT_EXIT_BAD_MEMORY. `kernelcore` and `movablecore` are the unparsed
// command-line values (empty when not given); bad ones are reported and
// ignored.
void phys_memory_init(const fdt::MachineInfo& machine, PhysAddr fdt, StrView kernelcore, StrView movablecore);

const PhysMemory& phys_memory();

// memblock, for the last boot allocations (kernel pool, root task).
mm::Memblock& boot_memblock();

// --- crash= (crash.cc) -----------------------------------------------------

// A deliberate kernel fault of the KIND crash= names, so tests can show
// that every unexpected trap is reported in full and ends QEMU with a
// failure status (never a silent hang). Returns only for an unknown KIND
// (after a warning).
void boot_crash(StrView kind);

// --- The root task (root_task.cc) ------------------------------------------

// Carves the kernel object pool from memblock (`kpool_bytes`, or the
// default when 0), builds the root task named by `init` (the pager when
// empty) and enters it in user mode. Returns only when there is no root
// task to start (no pager embedded and none asked for); a missing or
// broken program named by init= ends the machine with BOOT_EXIT_NO_INIT,
// too little memory with BOOT_EXIT_BAD_MEMORY.
void boot_start_root(const fdt::MachineInfo& machine, StrView init, uint64_t kpool_bytes);
