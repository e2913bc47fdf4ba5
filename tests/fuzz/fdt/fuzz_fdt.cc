// libFuzzer target for the FDT parser: open any input as a blob, and when
// it is accepted, walk every node and property and run parse_machine().
// Nothing may crash, hang or read outside the input (ASan + UBSan).
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "fdt/fdt.h"
#include "fdt/machine.h"

namespace {

// Touches every byte an accessor hands out so the sanitizers check it.
size_t walk(const fdt::Blob& blob) {
    size_t sum = 0;
    fdt::TreeWalker walker(blob);
    while (walker.next()) {
        const fdt::Node& node = walker.node();
        sum += strlen(node.name());
        for (fdt::Property p : node.properties()) {
            sum += strlen(p.name());
            for (uint32_t i = 0; i < p.size(); i++) sum += p.data()[i];
            if (Result<fdt::StringList> list = p.as_string_list(); list.ok())
                for (const char* s : *list) sum += strlen(s);
            sum += p.as_u64().value_or(0) & 1;
        }
        if (Result<fdt::RegList> reg = node.reg(); reg.ok())
            for (fdt::RegEntry e : *reg) sum += (e.address ^ e.size) & 1;
        for (fdt::Node child : node.children()) sum += child.valid();
        sum += node.is_compatible("numa-distance-map-v1") + node.is_available();
        if (Result<uint32_t> ph = node.phandle(); ph.ok()) sum += blob.find_by_phandle(*ph).ok();
    }
    for (size_t i = 0; i < blob.nr_mem_reserve(); i++) sum += blob.mem_reserve(i)->size & 1;
    sum += blob.find_node("/cpus/cpu@0").ok() + blob.find_node("/memory").ok();
    return sum;
}

fdt::MachineInfo info;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // An exact-size, 8-byte aligned copy: ASan then flags any read past
    // the input, and open() does not refuse it for alignment.
    std::vector<uint64_t> storage((size + 7) / 8);
    if (size > 0) memcpy(storage.data(), data, size);
    fdt::Diag diag;
    Result<fdt::Blob> blob = fdt::Blob::open(storage.data(), size, &diag);
    if (!blob.ok()) {
        if (diag.what == nullptr) __builtin_trap();  // every refusal says why
        return 0;
    }
    volatile size_t sink = walk(*blob);
    (void)sink;
    Status s = fdt::parse_machine(*blob, info, &diag);
    if (!s.ok() && diag.what == nullptr) __builtin_trap();
    return 0;
}
