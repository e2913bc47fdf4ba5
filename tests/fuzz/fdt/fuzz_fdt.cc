// libFuzzer target for the FDT parser: open any input as a blob, and when
// it is accepted, walk every node and property and run parse_machine()
// and parse_devices(). Nothing may crash, hang or read outside the input
// (ASan + UBSan), and parse_devices() must keep its promises.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "fdt/devices.h"
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

// What parse_devices() promises of any result: counts within the arrays,
// no device without a usable PLIC, every device with a non-empty window
// and a source in 1..ndev-1.
bool consistent(const fdt::DeviceInfo& d) {
    if (d.nr_devices > fdt::MAX_DEVICES || d.nr_warnings > fdt::MAX_DEVICE_WARNINGS) return false;
    if (!d.has_plic) return d.nr_devices == 0;
    if (d.plic.ndev == 0 || d.plic.ndev > fdt::PLIC_MAX_NDEV || d.plic.size == 0) return false;
    for (size_t i = 0; i < d.nr_devices; i++) {
        const fdt::Device& dev = d.devices[i];
        if (dev.irq == 0 || dev.irq >= d.plic.ndev || dev.size == 0 || dev.size > ~uint64_t(0) - dev.base)
            return false;
    }
    return true;
}

// parse_devices() for hart 0 and for the header's boot_cpuid_phys.
void check_devices(const fdt::Blob& blob) {
    static fdt::DeviceInfo devices;
    for (uint32_t hart : {0u, fdt::load_be32(blob.data() + fdt::hdr::BOOT_CPUID_PHYS)}) {
        if (!fdt::parse_devices(blob, hart, &devices).ok()) __builtin_trap();  // no tree is an error
        if (!consistent(devices)) __builtin_trap();
    }
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
    check_devices(*blob);
    return 0;
}
