// Walks a whole archive or manifest into plain containers, checking on
// the way that nothing the parser hands out points outside the input.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bundle/bundle.h"

namespace bundle_test {

struct Walked {
    std::vector<std::string> names;
    std::vector<std::string> datas;
    Error error = Error::None;
    std::string why;  // empty when why() is null
};

// The input is copied into a heap block of exactly its size, so that
// AddressSanitizer reports a read even one byte past the end.
inline Walked walk(const std::string& archive) {
    Walked w;
    std::unique_ptr<uint8_t[]> copy(new uint8_t[archive.size() ? archive.size() : 1]);
    for (size_t i = 0; i < archive.size(); i++) copy[i] = uint8_t(archive[i]);
    const uint8_t* base = copy.get();
    bundle::Archive a(base, archive.size());
    bundle::File f;
    while (a.next(f)) {
        const auto* name = reinterpret_cast<const uint8_t*>(f.name);
        EXPECT_GE(name, base);
        EXPECT_LE(name + f.name_len, base + archive.size());
        EXPECT_GE(f.data, base);
        EXPECT_LE(f.data + f.size, base + archive.size());
        w.names.emplace_back(f.name, f.name_len);
        w.datas.emplace_back(reinterpret_cast<const char*>(f.data), f.size);
        if (w.names.size() > archive.size()) {
            ADD_FAILURE() << "the walk does not advance";
            break;
        }
    }
    w.error = a.error();
    if (a.why()) w.why = a.why();
    if (w.error == Error::None)
        EXPECT_TRUE(w.why.empty()) << "why() set without an error: " << w.why;
    else
        EXPECT_FALSE(w.why.empty()) << "error " << error_name(w.error) << " without a reason";
    return w;
}

// One manifest line's outcome: an entry, or the error with its line and reason.
struct ManifestLine {
    Error error = Error::None;
    unsigned line = 0;
    std::string why;
    std::string name;
    uint64_t quota = 0;
    unsigned quota_percent = 0;
    uint64_t kmem = 0;
    bundle::DriverKind driver = bundle::DriverKind::None;
    std::vector<std::string> args;
};

inline std::vector<ManifestLine> walk_manifest(const std::string& text) {
    std::vector<ManifestLine> out;
    std::unique_ptr<char[]> copy(new char[text.size() ? text.size() : 1]);
    for (size_t i = 0; i < text.size(); i++) copy[i] = text[i];
    bundle::Manifest m(copy.get(), text.size());
    bundle::RunEntry e;
    for (;;) {
        Result<bool> r = m.next(e);
        ManifestLine l;
        l.line = m.line();
        if (!r.ok()) {
            l.error = r.error();
            l.why = m.why() ? m.why() : "";
            EXPECT_FALSE(l.why.empty()) << "line " << l.line << ": error without a reason";
            out.push_back(l);
        } else if (!r.value()) {
            break;
        } else {
            l.name = e.name;
            l.quota = e.quota_pages;
            l.quota_percent = e.quota_percent;
            l.kmem = e.kmem_pages;
            l.driver = e.driver;
            EXPECT_LE(e.nr_args, bundle::MAX_ARGS);
            for (size_t i = 0; i < e.nr_args; i++) {
                EXPECT_GE(e.arg(i), e.storage);
                EXPECT_LT(e.arg(i), e.storage + sizeof e.storage);
                l.args.emplace_back(e.arg(i));
            }
            out.push_back(l);
        }
        if (out.size() > text.size() + 1) {
            ADD_FAILURE() << "the manifest walk does not advance";
            break;
        }
    }
    return out;
}

}  // namespace bundle_test
