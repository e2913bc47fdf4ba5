// parse_machine(): the order of the steps, NUMA node accounting, and the
// functions the steps share.
#include "fdt/machine.h"

#include "fdt/machine_parts.h"

namespace fdt {

namespace detail {

void warn(MachineInfo& out, const char* what, uint32_t offset) {
    if (out.nr_warnings == MAX_WARNINGS) {
        out.nr_dropped_warnings++;
        return;
    }
    out.warnings[out.nr_warnings++] = Diag{what, offset};
}

Result<uint32_t> numa_node_id(const Node& node, Diag* diag) {
    Result<Property> prop = node.property("numa-node-id");
    if (!prop.ok()) return 0u;
    Result<uint32_t> nid = prop->as_u32();
    if (!nid.ok()) return fail(diag, Error::Malformed, "numa-node-id is not one cell", prop->offset());
    return *nid;
}

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

Result<PhysRange> make_range(uint64_t base, uint64_t size, const char* what, uint32_t offset, Diag* diag) {
    if (size > ~uint64_t(0) - base) return fail(diag, Error::OutOfRange, what, offset);
    return PhysRange{PhysAddr(base), size};
}

}  // namespace detail

namespace {

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
        detail::warn(out, "model is not a string; ignored", model->offset());
}

// Linux refuses a NUMA layout it cannot represent and runs the machine as
// one node; so does this, rather than refusing to boot.
Status settle_numa(const Blob& blob, MachineInfo& out, uint32_t max_nid, Diag* diag) {
    if (max_nid < mm::MAX_NUMNODES) {
        out.nr_nodes = max_nid + 1;
        return detail::parse_distance_map(blob, out, diag);
    }
    detail::warn(out, "numa-node-id >= MAX_NUMNODES: treating the machine as one node", NO_OFFSET);
    for (size_t i = 0; i < out.nr_banks; i++) out.banks[i].node = 0;
    for (size_t i = 0; i < out.nr_harts; i++) out.harts[i].node = 0;
    out.nr_nodes = 1;
    if (Result<Node> map = blob.find_compatible("numa-distance-map-v1"); map.ok())
        detail::warn(out, "distance-map ignored: NUMA disabled", map->offset());
    return ok_status();
}

}  // namespace

Status parse_machine(const Blob& blob, MachineInfo& out, Diag* diag) {
    reset(out, blob);
    read_model(blob, out);
    uint32_t max_nid = 0;
    TRY_STATUS(detail::parse_chosen(blob, out, diag));
    TRY_STATUS(detail::parse_memory(blob, out, max_nid, diag));
    TRY_STATUS(detail::parse_reserved(blob, out, diag));
    TRY_STATUS(detail::parse_cpus(blob, out, max_nid, diag));
    return settle_numa(blob, out, max_nid, diag);
}

Status parse_machine(const void* data, size_t max_size, MachineInfo& out, Diag* diag) {
    Blob blob = TRY(Blob::open(data, max_size, diag));
    return parse_machine(blob, out, diag);
}

}  // namespace fdt
