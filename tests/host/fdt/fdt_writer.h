// A small flattened-device-tree writer for tests: builds blobs node by
// node, including deliberately broken ones (raw tokens, no FDT_END), and
// patches header fields of finished blobs.
#pragma once

#include <stdint.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

namespace fdt_test {

using Bytes = std::vector<uint8_t>;

inline void put_be32(Bytes& b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
}
inline void put_be64(Bytes& b, uint64_t v) {
    put_be32(b, uint32_t(v >> 32));
    put_be32(b, uint32_t(v));
}
inline uint32_t get_be32(const Bytes& b, size_t off) {
    return uint32_t(b[off]) << 24 | uint32_t(b[off + 1]) << 16 | uint32_t(b[off + 2]) << 8 | b[off + 3];
}
inline void set_be32(Bytes& b, size_t off, uint32_t v) {
    for (int i = 0; i < 4; i++) b[off + i] = uint8_t(v >> (24 - 8 * i));
}

// Header field offsets, as the spec lays them out.
enum HeaderField : size_t {
    H_MAGIC = 0,
    H_TOTALSIZE = 4,
    H_OFF_STRUCT = 8,
    H_OFF_STRINGS = 12,
    H_OFF_RSVMAP = 16,
    H_VERSION = 20,
    H_LAST_COMP = 24,
    H_BOOT_CPUID = 28,
    H_SIZE_STRINGS = 32,
    H_SIZE_STRUCT = 36,
};

inline Bytes cells(std::initializer_list<uint32_t> values) {
    Bytes b;
    for (uint32_t v : values) put_be32(b, v);
    return b;
}

class FdtWriter {
public:
    FdtWriter& reserve(uint64_t address, uint64_t size) {
        rsv_.push_back({address, size});
        return *this;
    }
    FdtWriter& begin(const std::string& name) {
        raw(1);
        for (char c : name) struct_.push_back(uint8_t(c));
        struct_.push_back(0);
        pad();
        return *this;
    }
    FdtWriter& end() { return raw(2); }
    FdtWriter& nop() { return raw(4); }
    FdtWriter& prop(const std::string& name, const Bytes& value) {
        raw(3);
        put_be32(struct_, uint32_t(value.size()));
        put_be32(struct_, string_offset(name));
        struct_.insert(struct_.end(), value.begin(), value.end());
        pad();
        return *this;
    }
    FdtWriter& prop(const std::string& name) { return prop(name, Bytes{}); }
    FdtWriter& prop_u32(const std::string& name, std::initializer_list<uint32_t> values) {
        return prop(name, cells(values));
    }
    FdtWriter& prop_str(const std::string& name, const std::string& s) {
        Bytes b(s.begin(), s.end());
        b.push_back(0);
        return prop(name, b);
    }
    FdtWriter& prop_strs(const std::string& name, std::initializer_list<std::string> list) {
        Bytes b;
        for (const std::string& s : list) {
            b.insert(b.end(), s.begin(), s.end());
            b.push_back(0);
        }
        return prop(name, b);
    }
    // Any word into the structure block (broken tokens for tests).
    FdtWriter& raw(uint32_t word) {
        put_be32(struct_, word);
        return *this;
    }
    FdtWriter& raw_bytes(const Bytes& b) {
        struct_.insert(struct_.end(), b.begin(), b.end());
        return *this;
    }

    // Lays out header, reservation map, structure and strings blocks.
    // `end_token` false leaves out the final FDT_END.
    Bytes finish(bool end_token = true, uint32_t version = 17, uint32_t last_comp = 16) {
        Bytes s = struct_;
        if (end_token) put_be32(s, 9);
        Bytes out;
        const uint32_t header = 40;
        const uint32_t off_rsv = header;
        const uint32_t off_struct = off_rsv + uint32_t(rsv_.size() + 1) * 16;
        const uint32_t off_strings = off_struct + uint32_t(s.size());
        const uint32_t total = off_strings + uint32_t(strings_.size());
        for (uint32_t v : {0xd00dfeedu, total, off_struct, off_strings, off_rsv, version, last_comp, 0u,
                           uint32_t(strings_.size()), uint32_t(s.size())})
            put_be32(out, v);
        for (auto [a, sz] : rsv_) {
            put_be64(out, a);
            put_be64(out, sz);
        }
        put_be64(out, 0);
        put_be64(out, 0);
        out.insert(out.end(), s.begin(), s.end());
        out.insert(out.end(), strings_.begin(), strings_.end());
        return out;
    }

    // Offset the structure block will have in finish()'s output.
    uint32_t struct_offset() const { return 40 + uint32_t(rsv_.size() + 1) * 16; }
    // Current length of the structure block (the offset of the next token).
    uint32_t struct_size() const { return uint32_t(struct_.size()); }

private:
    void pad() {
        while (struct_.size() % 4 != 0) struct_.push_back(0);
    }
    uint32_t string_offset(const std::string& name) {
        auto it = names_.find(name);
        if (it != names_.end()) return it->second;
        uint32_t off = uint32_t(strings_.size());
        strings_.insert(strings_.end(), name.begin(), name.end());
        strings_.push_back(0);
        names_[name] = off;
        return off;
    }

    std::vector<std::pair<uint64_t, uint64_t>> rsv_;
    Bytes struct_;
    Bytes strings_;
    std::map<std::string, uint32_t> names_;
};

}  // namespace fdt_test
