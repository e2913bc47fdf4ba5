// parse_machine(): what boot needs from the tree, one part at a time --
// /chosen, memory banks, reserved ranges, /cpus, the NUMA distance map --
// and how the parts settle the NUMA node count.
#include "fdt/machine.h"

namespace fdt {

namespace {

// --- Shared by the parts -----------------------------------------------------

// Appends a warning, or counts it when the list is full.
void warn(MachineInfo& out, const char* what, uint32_t offset) {
    if (out.nr_warnings == MAX_WARNINGS) {
        out.nr_dropped_warnings++;
        return;
    }
    out.warnings[out.nr_warnings++] = Diag{what, offset};
}

// The node's numa-node-id, or 0 when absent. Errors: Malformed.
Result<uint32_t> numa_node_id(const Node& node, Diag* diag) {
    Result<Property> prop = node.property("numa-node-id");
    if (!prop.ok()) return 0u;
    Result<uint32_t> nid = prop->as_u32();
    if (!nid.ok()) return fail(diag, Error::Malformed, "numa-node-id is not one cell", prop->offset());
    return *nid;
}

// The node's 'reg' decoded with its parent's cell counts. Errors:
// NotFound (no 'reg'; diag untouched, the caller decides), Malformed,
// Unsupported.
Result<RegList> read_reg(const Node& node, Diag* diag) {
    Property prop = TRY(node.property("reg"));
    CellFormat format;
    if (node.parent_offset() != NO_OFFSET) {
        Node parent(node.blob(), node.parent_offset(), NO_OFFSET);
        Result<CellFormat> f = parent.cell_format();
        if (!f.ok())
            return fail(diag, f.error(), "#address-cells or #size-cells is not one cell", parent.offset());
        format = *f;
    }
    Result<RegList> list = RegList::decode(prop, format);
    if (list.ok()) return list;
    if (list.error() == Error::Unsupported)
        return fail(diag, Error::Unsupported, "reg needs address cells of 1-2 and size cells of 0-2",
                    prop.offset());
    return fail(diag, list.error(), "reg is not a whole number of (address, size) entries", prop.offset());
}

// [base, base + size) as a PhysRange. Errors: OutOfRange when the end
// does not fit in 64 bits.
Result<PhysRange> make_range(uint64_t base, uint64_t size, const char* what, uint32_t offset, Diag* diag) {
    if (size > ~uint64_t(0) - base) return fail(diag, Error::OutOfRange, what, offset);
    return PhysRange{PhysAddr(base), size};
}

// --- /chosen: the command line and the initrd the loader placed in RAM -------

Status read_initrd(const Node& chosen, MachineInfo& out, Diag* diag) {
    Result<Property> start = chosen.property("linux,initrd-start");
    Result<Property> end = chosen.property("linux,initrd-end");
    if (!start.ok() && !end.ok()) return ok_status();
    if (!start.ok() || !end.ok())
        return fail(diag, Error::Malformed, "only one of linux,initrd-start and linux,initrd-end",
                    chosen.offset());
    Result<uint64_t> lo = start->as_u64();
    if (!lo.ok())
        return fail(diag, Error::Malformed, "linux,initrd-start is not one or two cells", start->offset());
    Result<uint64_t> hi = end->as_u64();
    if (!hi.ok())
        return fail(diag, Error::Malformed, "linux,initrd-end is not one or two cells", end->offset());
    if (*hi < *lo)
        return fail(diag, Error::Malformed, "linux,initrd-end is below linux,initrd-start", end->offset());
    if (*hi == *lo) {
        warn(out, "empty initrd ignored", start->offset());
        return ok_status();
    }
    out.has_initrd = true;
    out.initrd = PhysRange{PhysAddr(*lo), *hi - *lo};
    return ok_status();
}

// bootargs and the initrd.
Status parse_chosen(const Blob& blob, MachineInfo& out, Diag* diag) {
    Result<Node> chosen = blob.find_node("/chosen");
    if (!chosen.ok()) return ok_status();
    if (Result<Property> args = chosen->property("bootargs"); args.ok()) {
        Result<const char*> s = args->as_string();
        if (!s.ok()) return fail(diag, Error::Malformed, "bootargs is not a string", args->offset());
        out.bootargs = *s;
    }
    return read_initrd(*chosen, out, diag);
}

// --- Memory banks: every node with device_type "memory" ----------------------

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

// Banks of every memory node; raises max_nid to the highest node id seen.
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

// --- Reserved ranges: the memreserve block and /reserved-memory --------------

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

// The memreserve block, then each available /reserved-memory child.
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

// --- /cpus: the timebase and one Hart per child with device_type "cpu" -------

Result<uint32_t> hart_id(const Node& cpu, Diag* diag) {
    Result<RegList> reg = read_reg(cpu, diag);
    if (!reg.ok() && reg.error() == Error::NotFound)
        return fail(diag, Error::Malformed, "cpu node without reg", cpu.offset());
    if (!reg.ok()) return reg.error();
    uint32_t offset = reg->property().offset();
    if (reg->size() != 1) return fail(diag, Error::Malformed, "cpu reg is not exactly one hart id", offset);
    uint64_t id = (*reg)[0].address;
    if (id > ~uint32_t(0)) return fail(diag, Error::Unsupported, "hart id wider than 32 bits", offset);
    return uint32_t(id);
}

Result<const char*> hart_isa(const Node& cpu, Diag* diag) {
    Result<Property> prop = cpu.property("riscv,isa");
    if (!prop.ok()) return static_cast<const char*>(nullptr);
    Result<const char*> isa = prop->as_string();
    if (!isa.ok()) return fail(diag, Error::Malformed, "riscv,isa is not a string", prop->offset());
    return *isa;
}

Status add_hart(const Node& cpu, MachineInfo& out, uint32_t& max_nid, Diag* diag) {
    uint32_t id = TRY(hart_id(cpu, diag));
    for (size_t i = 0; i < out.nr_harts; i++)
        if (out.harts[i].hartid == id) return fail(diag, Error::Malformed, "duplicate hart id", cpu.offset());
    if (out.nr_harts == MAX_HARTS)
        return fail(diag, Error::Unsupported, "more than MAX_HARTS harts", cpu.offset());
    uint32_t nid = TRY(numa_node_id(cpu, diag));
    const char* isa = TRY(hart_isa(cpu, diag));
    out.harts[out.nr_harts++] = Hart{id, nid, cpu.is_available(), isa};
    if (nid > max_nid) max_nid = nid;
    return ok_status();
}

// timebase-frequency and the harts; raises max_nid to the highest node id seen.
Status parse_cpus(const Blob& blob, MachineInfo& out, uint32_t& max_nid, Diag* diag) {
    Result<Node> cpus = blob.find_node("/cpus");
    if (!cpus.ok()) return fail(diag, Error::NotFound, "no /cpus node");
    Result<Property> timebase = cpus->property("timebase-frequency");
    if (!timebase.ok()) return fail(diag, Error::NotFound, "/cpus has no timebase-frequency", cpus->offset());
    Result<uint64_t> hz = timebase->as_u64();
    if (!hz.ok())
        return fail(diag, Error::Malformed, "timebase-frequency is not one or two cells", timebase->offset());
    out.timebase_frequency = *hz;
    for (Node child : cpus->children()) {
        // cpu-map and other non-cpu nodes live under /cpus too.
        if (!child.has_device_type("cpu")) continue;
        TRY_STATUS(add_hart(child, out, max_nid, diag));
    }
    if (out.nr_harts == 0) return fail(diag, Error::NotFound, "no cpu node under /cpus", cpus->offset());
    return ok_status();
}

// --- The NUMA distance map ---------------------------------------------------

// Documentation/devicetree/bindings/numa.txt, compatible
// "numa-distance-map-v1": distance-matrix is a list of (from, to, distance)
// triples of cells.

inline constexpr uint32_t TRIPLE_BYTES = 3 * CELL_SIZE;

struct Triple {
    uint32_t from, to, distance;
};

// Checks one entry the way the binding defines distances: 10 to itself,
// more than 10 to any other node, and (here) small enough for a byte.
Status check_triple(const Triple& t, uint32_t offset, Diag* diag) {
    if (t.from >= mm::MAX_NUMNODES || t.to >= mm::MAX_NUMNODES)
        return fail(diag, Error::OutOfRange, "distance-matrix names a node id >= MAX_NUMNODES", offset);
    if (t.distance > 0xff) return fail(diag, Error::Malformed, "distance-matrix distance above 255", offset);
    if (t.from == t.to && t.distance != LOCAL_DISTANCE)
        return fail(diag, Error::Malformed, "distance-matrix self-distance is not 10", offset);
    if (t.from != t.to && t.distance <= LOCAL_DISTANCE)
        return fail(diag, Error::Malformed, "distance-matrix remote distance is not above 10", offset);
    return ok_status();
}

// The numa-distance-map-v1 node, if any, over the defaults already in `out`.
Status parse_distance_map(const Blob& blob, MachineInfo& out, Diag* diag) {
    Result<Node> map = blob.find_compatible("numa-distance-map-v1");
    if (!map.ok()) return ok_status();
    Result<Property> matrix = map->property("distance-matrix");
    if (!matrix.ok())
        return fail(diag, Error::Malformed, "distance-map has no distance-matrix", map->offset());
    uint32_t size = matrix->size();
    if (size == 0 || size % TRIPLE_BYTES != 0)
        return fail(diag, Error::Malformed, "distance-matrix is not whole (from, to, distance) triples",
                    matrix->offset());

    bool given[mm::MAX_NUMNODES][mm::MAX_NUMNODES] = {};
    const uint8_t* p = matrix->data();
    for (uint32_t pos = 0; pos < size; pos += TRIPLE_BYTES) {
        Triple t{load_be32(p + pos), load_be32(p + pos + 4), load_be32(p + pos + 8)};
        uint32_t offset = matrix->offset() + 3 * CELL_SIZE + pos;
        TRY_STATUS(check_triple(t, offset, diag));
        out.distance[t.from][t.to] = uint8_t(t.distance);
        given[t.from][t.to] = true;
    }
    // An entry stands for both directions unless the reverse is given too.
    for (unsigned a = 0; a < mm::MAX_NUMNODES; a++)
        for (unsigned b = 0; b < mm::MAX_NUMNODES; b++)
            if (given[a][b] && !given[b][a]) out.distance[b][a] = out.distance[a][b];
    out.has_distance_map = true;
    return ok_status();
}

// --- The whole machine -------------------------------------------------------

void reset(MachineInfo& out, const Blob& blob) {
    out.model = nullptr;
    out.fdt_size = blob.total_size();
    out.nr_banks = out.nr_reserved = out.nr_harts = 0;
    out.nr_nodes = 1;
    out.has_distance_map = false;
    for (unsigned a = 0; a < mm::MAX_NUMNODES; a++)
        for (unsigned b = 0; b < mm::MAX_NUMNODES; b++)
            out.distance[a][b] = a == b ? LOCAL_DISTANCE : REMOTE_DISTANCE;
    out.bootargs = nullptr;
    out.has_initrd = false;
    out.initrd = PhysRange{};
    out.timebase_frequency = 0;
    out.nr_warnings = out.nr_dropped_warnings = 0;
}

void read_model(const Blob& blob, MachineInfo& out) {
    Result<Property> model = blob.root().property("model");
    if (!model.ok()) return;
    Result<const char*> s = model->as_string();
    if (s.ok())
        out.model = *s;
    else
        warn(out, "model is not a string; ignored", model->offset());
}

// Linux refuses a NUMA layout it cannot represent and runs the machine as
// one node; so does this, rather than refusing to boot.
Status settle_numa(const Blob& blob, MachineInfo& out, uint32_t max_nid, Diag* diag) {
    if (max_nid < mm::MAX_NUMNODES) {
        out.nr_nodes = max_nid + 1;
        return parse_distance_map(blob, out, diag);
    }
    warn(out, "numa-node-id >= MAX_NUMNODES: treating the machine as one node", NO_OFFSET);
    for (size_t i = 0; i < out.nr_banks; i++) out.banks[i].node = 0;
    for (size_t i = 0; i < out.nr_harts; i++) out.harts[i].node = 0;
    out.nr_nodes = 1;
    if (Result<Node> map = blob.find_compatible("numa-distance-map-v1"); map.ok())
        warn(out, "distance-map ignored: NUMA disabled", map->offset());
    return ok_status();
}

}  // namespace

Status parse_machine(const Blob& blob, MachineInfo& out, Diag* diag) {
    reset(out, blob);
    read_model(blob, out);
    uint32_t max_nid = 0;
    TRY_STATUS(parse_chosen(blob, out, diag));
    TRY_STATUS(parse_memory(blob, out, max_nid, diag));
    TRY_STATUS(parse_reserved(blob, out, diag));
    TRY_STATUS(parse_cpus(blob, out, max_nid, diag));
    return settle_numa(blob, out, max_nid, diag);
}

Status parse_machine(const void* data, size_t max_size, MachineInfo& out, Diag* diag) {
    Blob blob = TRY(Blob::open(data, max_size, diag));
    return parse_machine(blob, out, diag);
}

}  // namespace fdt
