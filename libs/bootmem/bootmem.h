// Feeding the FDT's description of memory into memblock (Linux
// early_init_dt_add_memory_arch, arch_numa_init/dummy_numa_init and
// early_init_fdt_scan_reserved_mem), tolerating bad layouts: every odd
// input gets a defined outcome and a log line, never a crash.
//
// Order at boot: add_memory_banks, reserve_boot_range for the kernel
// image, the FDT and the initrd, then add_reserved_ranges (so a no-map
// region cannot take memory that is already in use, as in Linux).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "bootmem/memblock.h"
#include "format/format.h"

namespace mm {

// Memory frames are described by 32-bit links, so RAM must end at or below
// MAX_PFN_LIMIT frames (16 TiB); banks are cut there.
inline constexpr uint64_t MAX_PHYS_END = MAX_PFN_LIMIT << PAGE_SHIFT;

struct BootMemoryReport {
    unsigned nr_nodes = 1;       // nodes to size zones with
    bool numa_disabled = false;  // node ids were unusable: all memory is on node 0
    unsigned banks_ignored = 0;  // banks dropped whole (empty, sub-page, above 16 TiB)
    unsigned banks_trimmed = 0;  // banks cut to whole pages or to 16 TiB
};

struct BankDesc {
    PhysRange range;
    unsigned node;
};
using BankGetter = BankDesc (*)(const void* banks, size_t i);

// Adds every bank to memblock on its node. Banks are cut to whole pages
// (a bank with no whole page is ignored) and to MAX_PHYS_END. When node
// ids are unusable -- a node at or above MAX_NUMNODES, banks of different
// nodes overlapping, or nodes whose spans interleave (each node needs one
// flat mem_map) -- NUMA is dropped and all memory goes on node 0 ("NUMA:
// Faking a node"), as Linux does when its NUMA init fails. Overlapping
// banks of one node merge. `nr_nodes` is the FDT's node count (memoryless
// nodes included); the report says how many nodes to use.
// Errors: NoMemory (no usable memory at all, or memblock's list filled up
// so that some bank could not be added; the log names it).
Result<BootMemoryReport> add_memory_banks(Memblock& mb, const void* banks, size_t n, BankGetter get,
                                          unsigned nr_nodes, TextSink sink);

// For any bank type with `PhysRange range; unsigned node;` (fdt::MemoryBank).
template <typename Bank>
Result<BootMemoryReport> add_memory_banks(Memblock& mb, const Bank* banks, size_t n, unsigned nr_nodes,
                                          TextSink log) {
    BankGetter get = [](const void* b, size_t i) {
        const Bank& bank = static_cast<const Bank*>(b)[i];
        return BankDesc{bank.range, unsigned(bank.node)};
    };
    return add_memory_banks(mb, banks, n, get, nr_nodes, log);
}

struct ReservedDesc {
    PhysRange range;
    bool no_map;
    const char* name;  // may be nullptr
};

// One FDT reserved range: no-map ranges leave memory altogether (not
// mapped, never in mem_map's free frames); others are reserved. A no-map
// range over memory that is already reserved is refused (Busy), as
// Linux refuses it. Ranges outside memory are kept and logged.
// Errors: InvalidArgument (empty range), Busy, NoMemory (memblock full).
Status add_reserved_range(Memblock& mb, const ReservedDesc& r, TextSink sink);

// For any type with `PhysRange range; bool no_map;` and optionally
// `const char* name` (fdt::ReservedRange). Returns the first error, after
// trying every range.
template <typename Reserved>
Status add_reserved_ranges(Memblock& mb, const Reserved* ranges, size_t n, TextSink log) {
    Status first = ok_status();
    for (size_t i = 0; i < n; i++) {
        ReservedDesc d{ranges[i].range, bool(ranges[i].no_map), nullptr};
        if constexpr (requires { ranges[i].name; }) d.name = ranges[i].name;
        Status s = add_reserved_range(mb, d, log);
        if (!s.ok() && first.ok()) first = s;
    }
    return first;
}

// Reserves something the boot must keep (kernel image, FDT, initrd) and
// logs when it is not wholly inside memory.
// Errors: InvalidArgument (empty range), NoMemory (memblock full).
Status reserve_boot_range(Memblock& mb, PhysRange r, const char* what, TextSink sink);

}  // namespace mm
