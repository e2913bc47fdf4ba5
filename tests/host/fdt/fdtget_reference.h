// An independent reading of a device tree through dtc's fdtget and dtc
// (run with popen), to cross-check parse_machine() on real trees.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fdt_test {

struct RefBank {
    uint64_t base, size;
    unsigned node;
};
struct RefHart {
    uint32_t hartid;
    unsigned node;
    bool enabled;
    std::string isa;
};
struct RefReserved {
    uint64_t base, size;
    bool no_map;
    std::string name;  // "/memreserve/" for the reservation block
};
struct RefMachine {
    std::string model;
    std::vector<RefBank> banks;
    std::vector<RefHart> harts;
    std::vector<RefReserved> reserved;
    std::vector<uint32_t> distance_triples;
    std::optional<std::string> bootargs;
    std::optional<std::pair<uint64_t, uint64_t>> initrd;
    uint64_t timebase = 0;
};

class Fdtget {
public:
    explicit Fdtget(std::string file) : file_(std::move(file)) {}

    // Output of a command, or nullopt when it fails.
    static std::optional<std::string> run(const std::string& cmd) {
        FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
        if (p == nullptr) return std::nullopt;
        std::string out;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        if (pclose(p) != 0) return std::nullopt;
        return out;
    }

    std::optional<std::string> string(const std::string& node, const std::string& prop) const {
        auto out = run(q(TERN_FDTGET) + " -ts " + q(file_) + " " + q(node) + " " + q(prop));
        if (!out) return std::nullopt;
        if (!out->empty() && out->back() == '\n') out->pop_back();
        return out;
    }
    std::optional<std::vector<uint64_t>> cells(const std::string& node, const std::string& prop) const {
        auto out = run(q(TERN_FDTGET) + " -tx " + q(file_) + " " + q(node) + " " + q(prop));
        if (!out) return std::nullopt;
        std::vector<uint64_t> v;
        for (const std::string& w : words(*out)) v.push_back(std::stoull(w, nullptr, 16));
        return v;
    }
    uint64_t number(const std::string& node, const std::string& prop, uint64_t dflt) const {
        auto c = cells(node, prop);
        if (!c || c->empty()) return dflt;
        uint64_t v = 0;
        for (uint64_t x : *c) v = v << 32 | x;
        return v;
    }
    std::vector<std::string> subnodes(const std::string& node) const {
        auto out = run(q(TERN_FDTGET) + " -l " + q(file_) + " " + q(node));
        return out ? words(*out) : std::vector<std::string>{};
    }
    bool has_property(const std::string& node, const std::string& prop) const {
        auto out = run(q(TERN_FDTGET) + " -p " + q(file_) + " " + q(node));
        if (!out) return false;
        for (const std::string& w : words(*out))
            if (w == prop) return true;
        return false;
    }
    // /memreserve/ lines of dtc's source output.
    std::vector<std::pair<uint64_t, uint64_t>> memreserve() const {
        std::vector<std::pair<uint64_t, uint64_t>> v;
        auto out = run(q(TERN_DTC) + " -q -I dtb -O dts " + q(file_));
        if (!out) return v;
        std::istringstream in(*out);
        std::string line;
        while (std::getline(in, line)) {
            unsigned long long a, s;
            if (sscanf(line.c_str(), "/memreserve/ %llx %llx;", &a, &s) == 2) v.push_back({a, s});
        }
        return v;
    }

    RefMachine machine() const;

private:
    static std::string q(const std::string& s) { return "'" + s + "'"; }
    static std::vector<std::string> words(const std::string& s) {
        std::istringstream in(s);
        std::vector<std::string> v;
        std::string w;
        while (in >> w) v.push_back(w);
        return v;
    }
    // Splits cells into (address, size) pairs of the given widths.
    static std::vector<std::pair<uint64_t, uint64_t>> pairs(const std::vector<uint64_t>& c, unsigned ac,
                                                            unsigned sc) {
        std::vector<std::pair<uint64_t, uint64_t>> v;
        for (size_t i = 0; i + ac + sc <= c.size(); i += ac + sc) {
            uint64_t a = 0, s = 0;
            for (unsigned k = 0; k < ac; k++) a = a << 32 | c[i + k];
            for (unsigned k = 0; k < sc; k++) s = s << 32 | c[i + ac + k];
            v.push_back({a, s});
        }
        return v;
    }

    std::string file_;
};

inline RefMachine Fdtget::machine() const {
    RefMachine m;
    m.model = string("/", "model").value_or("");
    unsigned ac = unsigned(number("/", "#address-cells", 2)), sc = unsigned(number("/", "#size-cells", 1));
    for (const std::string& n : subnodes("/")) {
        std::string path = "/" + n;
        if (string(path, "device_type") == "memory") {
            unsigned nid = unsigned(number(path, "numa-node-id", 0));
            for (auto [a, s] : pairs(cells(path, "reg").value_or(std::vector<uint64_t>{}), ac, sc))
                if (s != 0) m.banks.push_back({a, s, nid});
        }
        auto compat = string(path, "compatible");
        if (compat && compat->find("numa-distance-map-v1") != std::string::npos)
            for (uint64_t v : cells(path, "distance-matrix").value_or(std::vector<uint64_t>{}))
                m.distance_triples.push_back(uint32_t(v));
    }
    m.timebase = number("/cpus", "timebase-frequency", 0);
    for (const std::string& n : subnodes("/cpus")) {
        std::string path = "/cpus/" + n;
        if (string(path, "device_type") != "cpu") continue;
        std::string status = string(path, "status").value_or("okay");
        m.harts.push_back({uint32_t(number(path, "reg", ~0ull)), unsigned(number(path, "numa-node-id", 0)),
                           status == "okay" || status == "ok", string(path, "riscv,isa").value_or("")});
    }
    m.bootargs = string("/chosen", "bootargs");
    if (cells("/chosen", "linux,initrd-start"))
        m.initrd = {number("/chosen", "linux,initrd-start", 0), number("/chosen", "linux,initrd-end", 0)};
    for (auto [a, s] : memreserve()) m.reserved.push_back({a, s, false, "/memreserve/"});
    unsigned rac = unsigned(number("/reserved-memory", "#address-cells", 2));
    unsigned rsc = unsigned(number("/reserved-memory", "#size-cells", 1));
    for (const std::string& n : subnodes("/reserved-memory")) {
        std::string path = "/reserved-memory/" + n;
        bool no_map = has_property(path, "no-map");
        for (auto [a, s] : pairs(cells(path, "reg").value_or(std::vector<uint64_t>{}), rac, rsc))
            if (s != 0) m.reserved.push_back({a, s, no_map, n});
    }
    return m;
}

}  // namespace fdt_test
