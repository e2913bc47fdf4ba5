// bundle::Archive on archives GNU cpio wrote at build time (make_fixtures.py),
// cross-checked against the files they were made from; and every prefix and
// many single-byte corruptions of a real archive, which must never make the
// parser read outside its input (ASan watches) or invent files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "bundle/bundle.h"
#include "walk.h"

namespace bundle_test {
namespace {

namespace fs = std::filesystem;
using Files = std::map<std::string, std::string>;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

const fs::path FIXTURES = TERN_BUNDLE_FIXTURES;

// Every regular file under tree/, by relative name (symlinks and FIFOs are
// not regular files, so the parser must skip them too).
Files tree_files() {
    Files out;
    const fs::path tree = FIXTURES / "tree";
    for (const auto& e : fs::recursive_directory_iterator(tree)) {
        if (!fs::is_regular_file(e.symlink_status())) continue;
        out[fs::relative(e.path(), tree).generic_string()] = read_file(e.path());
    }
    return out;
}

Files as_map(const Walked& w) {
    Files out;
    for (size_t i = 0; i < w.names.size(); i++) {
        EXPECT_EQ(out.count(w.names[i]), 0u) << "file listed twice: " << w.names[i];
        out[w.names[i]] = w.datas[i];
    }
    return out;
}

class RealArchive : public ::testing::TestWithParam<const char*> {
protected:
    std::string bytes() { return read_file(FIXTURES / GetParam()); }
};

TEST_P(RealArchive, ListsExactlyTheRegularFilesWithTheirContents) {
    Files want = tree_files();
    ASSERT_GE(want.size(), 9u) << "fixture tree incomplete";
    Walked got = walk(bytes());
    EXPECT_EQ(got.error, Error::None) << got.why;
    EXPECT_EQ(as_map(got), want);
}

TEST_P(RealArchive, FindsEveryFileByItsPlainName) {
    std::string archive = bytes();
    bundle::Archive a(archive.data(), archive.size());
    for (const auto& [name, data] : tree_files()) {
        Result<bundle::File> f = a.find(name.c_str());
        ASSERT_TRUE(f.ok()) << name << ": " << error_name(f.error());
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->data), f->size), data) << name;
    }
    EXPECT_EQ(a.find("link").error(), Error::NotFound);
    EXPECT_EQ(a.find("fifo").error(), Error::NotFound);
    EXPECT_EQ(a.find("sub").error(), Error::NotFound);
    EXPECT_EQ(a.find("missing").error(), Error::NotFound);
}

TEST_P(RealArchive, ItsManifestParses) {
    std::string archive = bytes();
    bundle::Archive a(archive.data(), archive.size());
    Result<bundle::File> f = a.find("manifest");
    ASSERT_TRUE(f.ok());
    std::vector<ManifestLine> lines =
        walk_manifest(std::string(reinterpret_cast<const char*>(f->data), f->size));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].name, "hello");
    EXPECT_EQ(lines[1].name, "odd");
    EXPECT_EQ(lines[1].quota, 4u);
}

// Each prefix is what a short read or a too-small initrd would give: the
// files seen are a prefix of the real list with the real contents, and a
// cut inside an entry is reported as Malformed.
TEST_P(RealArchive, EveryPrefixIsSafe) {
    std::string archive = bytes();
    Walked full = walk(archive);
    for (size_t len = 0; len < archive.size(); len++) {
        std::string cut = archive.substr(0, len);
        Walked got = walk(cut);
        ASSERT_LE(got.names.size(), full.names.size());
        for (size_t i = 0; i < got.names.size(); i++) {
            ASSERT_EQ(got.names[i], full.names[i]) << "length " << len;
            ASSERT_EQ(got.datas[i], full.datas[i]) << "length " << len;
        }
        ASSERT_TRUE(got.error == Error::None || got.error == Error::Malformed) << "length " << len;
    }
}

// Any byte of the headers and names replaced: either Malformed, or a walk
// whose files all lie inside the input (walk() checks the bounds).
TEST_P(RealArchive, SingleByteCorruptionIsSafe) {
    std::string archive = bytes();
    size_t limit = std::min<size_t>(archive.size(), 2048);
    for (size_t at = 0; at < limit; at++) {
        for (char c : {'F', 'z'}) {  // a valid hex digit (sizes change), and not one
            std::string bad = archive;
            bad[at] = c;
            Walked got = walk(bad);
            ASSERT_TRUE(got.error == Error::None || got.error == Error::Malformed) << "offset " << at;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Cpio, RealArchive, ::testing::Values("plain.cpio", "dotslash.cpio", "crc.cpio"),
                         [](const auto& info) {
                             std::string n = info.param;
                             return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace bundle_test
