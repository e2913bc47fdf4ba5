// Builders for typical machine trees on top of FdtWriter: a root with
// #address-cells = #size-cells = 2 (as on QEMU virt), memory nodes, /cpus.
#pragma once

#include <stdio.h>

#include <functional>
#include <string>
#include <vector>

#include "fdt_writer.h"

namespace fdt_test {

inline std::string unit_name(const char* base, uint64_t address) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s@%llx", base, static_cast<unsigned long long>(address));
    return buf;
}

inline Bytes reg64(uint64_t base, uint64_t size) {
    return cells({uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)});
}

// A memory node with one bank; nid < 0 leaves numa-node-id out.
inline void memory_node(FdtWriter& w, uint64_t base, uint64_t size, int nid = -1) {
    w.begin(unit_name("memory", base)).prop_str("device_type", "memory").prop("reg", reg64(base, size));
    if (nid >= 0) w.prop_u32("numa-node-id", {uint32_t(nid)});
    w.end();
}

struct CpuSpec {
    uint32_t hartid;
    int nid = -1;                    // < 0: no numa-node-id
    const char* status = "okay";     // nullptr: no status
    const char* isa = "rv64imafdc";  // nullptr: no riscv,isa
    uint32_t intc_phandle = 0;       // 0: the hart's interrupt controller has no phandle
};

inline void cpu_node(FdtWriter& w, const CpuSpec& c) {
    w.begin(unit_name("cpu", c.hartid)).prop_str("device_type", "cpu").prop_u32("reg", {c.hartid});
    if (c.status) w.prop_str("status", c.status);
    w.prop_str("compatible", "riscv");
    if (c.isa) w.prop_str("riscv,isa", c.isa);
    if (c.nid >= 0) w.prop_u32("numa-node-id", {uint32_t(c.nid)});
    w.begin("interrupt-controller").prop_str("compatible", "riscv,cpu-intc");
    w.prop_u32("#interrupt-cells", {1}).prop("interrupt-controller");
    if (c.intc_phandle != 0) w.prop_u32("phandle", {c.intc_phandle});
    w.end();
    w.end();
}

inline constexpr uint32_t TIMEBASE = 10000000;

// /cpus with #address-cells 1, #size-cells 0, a timebase, the harts and a
// cpu-map (which must not count as a hart).
inline void cpus_node(FdtWriter& w, const std::vector<CpuSpec>& cpus) {
    w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
    w.prop_u32("timebase-frequency", {TIMEBASE});
    for (const CpuSpec& c : cpus) cpu_node(w, c);
    w.begin("cpu-map").begin("cluster0").end().end();
    w.end();
}

// A root node with the QEMU virt cell counts and model; body adds nodes.
inline void root(FdtWriter& w, const std::function<void(FdtWriter&)>& body) {
    w.begin("").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
    w.prop_str("compatible", "riscv-virtio").prop_str("model", "test,machine");
    body(w);
    w.end();
}

inline Bytes tree(const std::function<void(FdtWriter&)>& body) {
    FdtWriter w;
    root(w, body);
    return w.finish();
}

// The smallest tree parse_machine() accepts, plus `extra` nodes.
inline Bytes basic_machine(const std::function<void(FdtWriter&)>& extra = {}) {
    return tree([&](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x8000000);
        cpus_node(w, {{0}});
        if (extra) extra(w);
    });
}

}  // namespace fdt_test
