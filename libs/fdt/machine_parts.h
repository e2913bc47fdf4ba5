// The steps of parse_machine(), one per part of the tree. Internal to the
// FDT library; each step appends to `out` and reports errors through
// `diag` as parse_machine() documents.
#pragma once

#include <stdint.h>

#include "fdt/machine.h"
#include "fdt/node.h"

namespace fdt::detail {

// Appends a warning, or counts it when the list is full.
void warn(MachineInfo& out, const char* what, uint32_t offset);

// The node's numa-node-id, or 0 when absent. Errors: Malformed.
Result<uint32_t> numa_node_id(const Node& node, Diag* diag);

// The node's 'reg' decoded with its parent's cell counts. Errors:
// NotFound (no 'reg'; diag untouched, the caller decides), Malformed,
// Unsupported.
Result<RegList> read_reg(const Node& node, Diag* diag);

// [base, base + size) as a PhysRange. Errors: OutOfRange when the end
// does not fit in 64 bits.
Result<PhysRange> make_range(uint64_t base, uint64_t size, const char* what, uint32_t offset, Diag* diag);

// Banks of every memory node; raises max_nid to the highest node id seen.
Status parse_memory(const Blob& blob, MachineInfo& out, uint32_t& max_nid, Diag* diag);
// The memreserve block and /reserved-memory.
Status parse_reserved(const Blob& blob, MachineInfo& out, Diag* diag);
// /cpus: timebase-frequency and the harts; raises max_nid likewise.
Status parse_cpus(const Blob& blob, MachineInfo& out, uint32_t& max_nid, Diag* diag);
// The numa-distance-map-v1 node, if any, over the defaults already in out.
Status parse_distance_map(const Blob& blob, MachineInfo& out, Diag* diag);
// /chosen: bootargs and the initrd.
Status parse_chosen(const Blob& blob, MachineInfo& out, Diag* diag);

}  // namespace fdt::detail
