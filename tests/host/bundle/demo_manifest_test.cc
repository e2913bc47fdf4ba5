// The manifest of the demo bundle (user/demo/manifest), which the QEMU
// tests boot, checked on the host so a typo fails before any boot.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "bundle/bundle.h"
#include "walk.h"

namespace bundle_test {
namespace {

std::string read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// It must parse cleanly and start hello, frames, grow and hog, in that
// order, with hog held to a small quota, and then the block driver.
TEST(DemoManifest, ParsesAndRunsTheDemosInOrder) {
    std::string text = read_file(TERN_DEMO_MANIFEST);
    ASSERT_FALSE(text.empty());
    std::vector<ManifestLine> lines = walk_manifest(text);
    std::vector<std::string> names;
    for (const auto& l : lines) {
        EXPECT_EQ(l.error, Error::None) << "line " << l.line << ": " << l.why;
        names.push_back(l.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"hello", "frames", "grow", "hog", "virtio_blk"}));
    ASSERT_EQ(lines.size(), 5u);
    // hog's quota is small enough to be its limit on every test machine.
    EXPECT_GT(lines[3].quota, 0u);
    EXPECT_LE(lines[3].quota, 1024u);
    // The driver comes last (the demos keep their task numbers) and is one.
    EXPECT_EQ(lines[4].driver, bundle::DriverKind::VirtioBlk);
}

}  // namespace
}  // namespace bundle_test
