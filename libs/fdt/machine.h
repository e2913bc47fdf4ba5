// What boot needs to know about the machine, read from the FDT that
// OpenSBI hands over: RAM banks and their NUMA nodes, reserved ranges,
// harts, the NUMA distance map, the command line and the initrd.
//
// parse_machine() runs before any allocator: MachineInfo lives in caller
// storage (the kernel keeps it in static memory) and every string in it
// points into the blob, which must stay mapped while they are used.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "fdt/fdt.h"
#include "mm/mmzone.h"

namespace fdt {

struct MemoryBank {
    PhysRange range;
    unsigned node;  // numa-node-id, 0 if absent
};

enum class ReservedSource : uint8_t { MemReserveBlock, ReservedMemoryNode };

struct ReservedRange {
    PhysRange range;
    ReservedSource source;
    bool no_map;       // the region must stay out of the direct map
    const char* name;  // the /reserved-memory child's name, or "/memreserve/"
};

struct Hart {
    uint32_t hartid;
    unsigned node;    // numa-node-id, 0 if absent
    bool enabled;     // status absent, "okay" or "ok"
    const char* isa;  // riscv,isa, or nullptr if absent
};

inline constexpr size_t MAX_BANKS = 32;
inline constexpr size_t MAX_RESERVED = 32;
inline constexpr size_t MAX_HARTS = 64;
inline constexpr size_t MAX_WARNINGS = 16;

// Distances as the distance-map gives them (numa-distance-map-v1).
inline constexpr uint8_t LOCAL_DISTANCE = 10;
inline constexpr uint8_t REMOTE_DISTANCE = 20;

struct MachineInfo {
    const char* model;  // root "model", or nullptr
    uint32_t fdt_size;  // the blob's totalsize, so boot can reserve it

    MemoryBank banks[MAX_BANKS];
    size_t nr_banks;
    ReservedRange reserved[MAX_RESERVED];
    size_t nr_reserved;
    Hart harts[MAX_HARTS];
    size_t nr_harts;

    unsigned nr_nodes;  // 1 + highest numa-node-id seen (1 when none)
    bool has_distance_map;
    // [from][to]: 10 on the diagonal; 20 elsewhere unless the map says.
    uint8_t distance[mm::MAX_NUMNODES][mm::MAX_NUMNODES];

    const char* bootargs;  // /chosen/bootargs, or nullptr
    bool has_initrd;
    PhysRange initrd;             // /chosen/linux,initrd-start .. -end
    uint64_t timebase_frequency;  // /cpus/timebase-frequency

    // Things that were skipped or adjusted rather than refused, in the
    // order found. Messages are static strings; offsets point at the
    // node or property concerned. Warnings beyond MAX_WARNINGS are only
    // counted in nr_dropped_warnings.
    Diag warnings[MAX_WARNINGS];
    size_t nr_warnings;
    size_t nr_dropped_warnings;
};

// Fills `out` from the blob at `blob` (at most `max_size` bytes readable).
// Banks, reserved ranges and harts are listed in blob order. Entries of
// the arrays beyond their counts are left unspecified, and so is all of
// `out` when an error is returned.
//
// Memory banks: every available node with device_type "memory"; each
// 'reg' entry is a bank; zero-sized entries are skipped with a warning.
// Reserved: the memreserve block, then each available /reserved-memory
// child's 'reg' entries (children without 'reg' are dynamically placed
// regions and are skipped with a warning). Harts: /cpus children with
// device_type "cpu". NUMA: a node id >= mm::MAX_NUMNODES is a warning and
// the machine is treated as one node 0 (every bank and hart on node 0, no
// distance map), as Linux falls back to a single dummy node.
//
// Errors (with `diag` filled in): those of Blob::open(), and
//   NotFound     no memory bank at all; no /cpus, no hart, or no
//                timebase-frequency
//   Malformed    'reg' or a cell-count property of the wrong length; a
//                numa-node-id, riscv,isa, bootargs or initrd property of
//                the wrong form; only one of the initrd bounds, or end <
//                start; a duplicate hart id; a bad distance-map (no
//                matrix, not whole triples, a distance that does not fit
//                a byte, self-distance other than 10, remote distance
//                <= 10)
//   Unsupported  more than MAX_BANKS banks, MAX_RESERVED reserved ranges
//                or MAX_HARTS harts; cell counts above two; a hart id
//                wider than 32 bits
//   OutOfRange   a bank or reserved range whose end overflows 64 bits;
//                a distance-map entry naming a node id >= mm::MAX_NUMNODES
Status parse_machine(const void* data, size_t max_size, MachineInfo& out, Diag* diag = nullptr);

// The same for a blob that is already open.
Status parse_machine(const Blob& blob, MachineInfo& out, Diag* diag = nullptr);

}  // namespace fdt
