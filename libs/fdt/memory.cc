// Memory banks (device_type = "memory") and reserved ranges (the
// memreserve block and /reserved-memory).
#include "fdt/machine_parts.h"
#include "fdt/node.h"

namespace fdt::detail {

namespace {

Status add_bank(MachineInfo& out, const RegEntry& e, uint32_t nid, uint32_t offset, Diag* diag) {
    PhysRange range = TRY(make_range(e.address, e.size, "memory bank base + size overflows", offset, diag));
    if (out.nr_banks == MAX_BANKS)
        return fail(diag, Error::Unsupported, "more than MAX_BANKS memory banks", offset);
    out.banks[out.nr_banks++] = MemoryBank{range, nid};
    return ok_status();
}

// The banks of one memory node.
Status add_memory_node(const Node& node, MachineInfo& out, uint32_t& max_nid, Diag* diag) {
    if (!node.is_available()) {
        warn(out, "disabled memory node skipped", node.offset());
        return ok_status();
    }
    Result<RegList> reg = read_reg(node, diag);
    if (!reg.ok() && reg.error() == Error::NotFound) {
        warn(out, "memory node without reg skipped", node.offset());
        return ok_status();
    }
    if (!reg.ok()) return reg.error();
    uint32_t nid = TRY(numa_node_id(node, diag));
    uint32_t offset = reg->property().offset();
    bool added = false;
    for (RegEntry e : *reg) {
        if (e.size == 0) {
            warn(out, "zero-sized memory bank skipped", offset);
            continue;
        }
        TRY_STATUS(add_bank(out, e, nid, offset, diag));
        added = true;
    }
    if (added && nid > max_nid) max_nid = nid;
    return ok_status();
}

Status add_reserved(MachineInfo& out, ReservedRange r, uint32_t offset, Diag* diag) {
    if (out.nr_reserved == MAX_RESERVED)
        return fail(diag, Error::Unsupported, "more than MAX_RESERVED reserved ranges", offset);
    out.reserved[out.nr_reserved++] = r;
    return ok_status();
}

// The regions of one /reserved-memory child.
Status add_reserved_node(const Node& node, MachineInfo& out, Diag* diag) {
    if (!node.is_available()) {
        warn(out, "disabled reserved-memory region skipped", node.offset());
        return ok_status();
    }
    Result<RegList> reg = read_reg(node, diag);
    if (!reg.ok() && reg.error() == Error::NotFound) {
        // A region with only size/alloc-ranges is placed by the OS; there
        // is nothing to keep out of the allocator.
        warn(out, "reserved-memory region without reg (dynamic placement) skipped", node.offset());
        return ok_status();
    }
    if (!reg.ok()) return reg.error();
    uint32_t offset = reg->property().offset();
    bool no_map = node.has_property("no-map");
    for (RegEntry e : *reg) {
        if (e.size == 0) {
            warn(out, "zero-sized reserved-memory region skipped", offset);
            continue;
        }
        PhysRange range =
            TRY(make_range(e.address, e.size, "reserved-memory base + size overflows", offset, diag));
        ReservedRange r{range, ReservedSource::ReservedMemoryNode, no_map, node.name()};
        TRY_STATUS(add_reserved(out, r, offset, diag));
    }
    return ok_status();
}

}  // namespace

Status parse_memory(const Blob& blob, MachineInfo& out, uint32_t& max_nid, Diag* diag) {
    bool seen = false;
    TreeWalker walker(blob);
    while (walker.next()) {
        if (!walker.node().has_device_type("memory")) continue;
        seen = true;
        TRY_STATUS(add_memory_node(walker.node(), out, max_nid, diag));
    }
    if (!seen) return fail(diag, Error::NotFound, "no memory node (device_type = \"memory\")");
    if (out.nr_banks == 0) return fail(diag, Error::NotFound, "memory nodes describe no usable bank");
    return ok_status();
}

Status parse_reserved(const Blob& blob, MachineInfo& out, Diag* diag) {
    for (size_t i = 0; i < blob.nr_mem_reserve(); i++) {
        MemReserve e = TRY(blob.mem_reserve(i));
        uint32_t offset = blob.mem_reserve_offset() + uint32_t(i) * RSV_ENTRY_SIZE;
        PhysRange range =
            TRY(make_range(e.address, e.size, "memreserve base + size overflows", offset, diag));
        ReservedRange r{range, ReservedSource::MemReserveBlock, false, "/memreserve/"};
        TRY_STATUS(add_reserved(out, r, offset, diag));
    }
    Result<Node> resv = blob.find_node("/reserved-memory");
    if (!resv.ok()) return ok_status();
    for (Node child : resv->children()) TRY_STATUS(add_reserved_node(child, out, diag));
    return ok_status();
}

}  // namespace fdt::detail
