// /chosen: the command line and the initrd the loader placed in RAM.
#include "fdt/machine_parts.h"

namespace fdt::detail {

namespace {

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

}  // namespace

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

}  // namespace fdt::detail
