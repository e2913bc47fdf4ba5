// /cpus: the timebase and one Hart per child with device_type "cpu".
#include "fdt/machine_parts.h"

namespace fdt::detail {

namespace {

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

}  // namespace

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

}  // namespace fdt::detail
