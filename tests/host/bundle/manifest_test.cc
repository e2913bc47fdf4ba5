// bundle::Manifest: run lines, quotas and arguments, and each malformed
// line reported with its number while the walk goes on.
#include <gtest/gtest.h>

#include <string>

#include "bundle/bundle.h"
#include "walk.h"

namespace bundle_test {
namespace {

using Strings = std::vector<std::string>;

// The single outcome of a one-line manifest.
ManifestLine only(const std::string& text) {
    std::vector<ManifestLine> all = walk_manifest(text);
    EXPECT_EQ(all.size(), 1u) << text;
    return all.empty() ? ManifestLine{} : all[0];
}

void expect_error(const std::string& text, Error error, const std::string& why) {
    ManifestLine l = only(text);
    EXPECT_EQ(l.error, error) << text;
    EXPECT_EQ(l.why, why) << text;
}

TEST(Manifest, EmptyTextHasNoEntries) {
    EXPECT_TRUE(walk_manifest("").empty());
    bundle::Manifest m(nullptr, 0);
    bundle::RunEntry e;
    Result<bool> r = m.next(e);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    EXPECT_EQ(m.line(), 0u);
}

TEST(Manifest, RunLineWithNameOnly) {
    ManifestLine l = only("run frames\n");
    EXPECT_EQ(l.error, Error::None);
    EXPECT_EQ(l.name, "frames");
    EXPECT_EQ(l.quota, 0u);
    EXPECT_TRUE(l.args.empty());
    EXPECT_EQ(l.line, 1u);
}

TEST(Manifest, CommentsAndBlankLinesAreSkippedButCounted) {
    std::vector<ManifestLine> all = walk_manifest(
        "# the demo bundle\n"
        "\n"
        "   \t  \n"
        "  # indented comment\n"
        "run a\n"
        "\n"
        "run b # trailing comment, not arguments\n"
        "#run c\n");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "a");
    EXPECT_EQ(all[0].line, 5u);
    EXPECT_EQ(all[1].name, "b");
    EXPECT_EQ(all[1].line, 7u);
    EXPECT_TRUE(all[1].args.empty());
}

TEST(Manifest, ArgumentsKeepTheirOrderAndAreTerminated) {
    ManifestLine l = only("run prog one two three\n");
    EXPECT_EQ(l.name, "prog");
    EXPECT_EQ(l.args, (Strings{"one", "two", "three"}));
}

TEST(Manifest, QuotaIsTakenWhereverItStands) {
    ManifestLine first = only("run hog quota=512\n");
    EXPECT_EQ(first.quota, 512u);
    EXPECT_TRUE(first.args.empty());
    ManifestLine middle = only("run hog a quota=7 b\n");
    EXPECT_EQ(middle.quota, 7u);
    EXPECT_EQ(middle.args, (Strings{"a", "b"}));
    ManifestLine twice = only("run hog quota=1 quota=2\n");
    EXPECT_EQ(twice.quota, 2u);  // the last one counts
    ManifestLine zero = only("run hog quota=0\n");
    EXPECT_EQ(zero.error, Error::None);
    EXPECT_EQ(zero.quota, 0u);
    ManifestLine big = only("run hog quota=1099511627776\n");  // 2^40
    EXPECT_EQ(big.quota, uint64_t(1) << 40);
}

TEST(Manifest, QuotaInPercentIsAShareOfFreeMemory) {
    ManifestLine quarter = only("run fill quota=25% a\n");
    EXPECT_EQ(quarter.error, Error::None);
    EXPECT_EQ(quarter.quota, 0u);
    EXPECT_EQ(quarter.quota_percent, 25u);
    EXPECT_EQ(quarter.args, (Strings{"a"}));
    EXPECT_EQ(only("run fill quota=100%\n").quota_percent, 100u);
    EXPECT_EQ(only("run fill quota=1%\n").quota_percent, 1u);
    ManifestLine pages_after = only("run fill quota=50% quota=7\n");  // the last one counts
    EXPECT_EQ(pages_after.quota, 7u);
    EXPECT_EQ(pages_after.quota_percent, 0u);
    EXPECT_EQ(only("run fill quota=7 quota=50%\n").quota, 0u);
}

TEST(Manifest, QuotaPercentOutsideOneToHundredIsRefused) {
    for (const char* text : {"run fill quota=0%\n", "run fill quota=101%\n", "run fill quota=1000000%\n"})
        expect_error(text, Error::OutOfRange, "a quota in percent must be 1% to 100%");
    for (const char* text : {"run fill quota=%\n", "run fill quota=5%%\n", "run fill quota=%5\n",
                             "run fill quota=5.5%\n", "run fill quota=-5%\n"})
        expect_error(text, Error::InvalidArgument, "quota must be a number of pages");
}

TEST(Manifest, KernelMemoryIsPagesWhereverItStands) {
    ManifestLine l = only("run fuzz quota=16384 kmem=320 seed=1\n");
    EXPECT_EQ(l.error, Error::None);
    EXPECT_EQ(l.kmem, 320u);
    EXPECT_EQ(l.quota, 16384u);
    EXPECT_EQ(l.args, (Strings{"seed=1"}));
    EXPECT_EQ(only("run fuzz\n").kmem, 0u);  // the pager's default
    EXPECT_EQ(only("run fuzz kmem=1048576\n").kmem, uint64_t(1) << 20);
    for (const char* text :
         {"run fuzz kmem=\n", "run fuzz kmem=0\n", "run fuzz kmem=1048577\n", "run fuzz kmem=1M\n",
          "run fuzz kmem=-3\n", "run fuzz kmem=99999999999999999999999\n"})
        expect_error(text, Error::InvalidArgument, "kmem must be a number of pages, 1 to 1048576");
}

TEST(Manifest, DriverNamesItsKindWhereverItStands) {
    ManifestLine l = only("run virtio_blk quota=64 driver=virtio-blk regs=0\n");
    EXPECT_EQ(l.error, Error::None);
    EXPECT_EQ(l.driver, bundle::DriverKind::VirtioBlk);
    EXPECT_EQ(l.quota, 64u);
    EXPECT_EQ(l.args, (Strings{"regs=0"}));
    EXPECT_EQ(only("run hello\n").driver, bundle::DriverKind::None);
    for (const char* text : {"run d driver=\n", "run d driver=virtio\n", "run d driver=virtio-blkx\n",
                             "run d driver=VIRTIO-BLK\n", "run d driver=uart\n"})
        expect_error(text, Error::InvalidArgument, "driver must be virtio-blk");
}

TEST(Manifest, QuotaThatIsNotANumberIsRefused) {
    for (const char* text : {"run hog quota=12x\n", "run hog quota=-1\n", "run hog quota=0x10\n",
                             "run hog quota=1.5\n", "run hog quota==3\n"}) {
        expect_error(text, Error::InvalidArgument, "quota must be a number of pages");
    }
}

TEST(Manifest, QuotaThatWouldOverflowIsRefused) {
    expect_error("run hog quota=99999999999999999999999\n", Error::InvalidArgument,
                 "quota must be a number of pages");
    expect_error("run hog quota=18446744073709551616\n", Error::InvalidArgument,
                 "quota must be a number of pages");
}

TEST(Manifest, EightArgumentsFitANinthDoesNot) {
    ManifestLine eight = only("run p 1 2 3 4 5 6 7 8\n");
    EXPECT_EQ(eight.error, Error::None);
    EXPECT_EQ(eight.args, (Strings{"1", "2", "3", "4", "5", "6", "7", "8"}));
    ManifestLine with_quota = only("run p 1 2 3 4 quota=9 5 6 7 8\n");
    EXPECT_EQ(with_quota.error, Error::None);
    EXPECT_EQ(with_quota.args.size(), 8u);
    EXPECT_EQ(with_quota.quota, 9u);
    expect_error("run p 1 2 3 4 5 6 7 8 9\n", Error::OutOfRange, "arguments too long");
}

TEST(Manifest, FarTooManyWordsAreRefused) {
    expect_error("run p 1 2 3 4 5 6 7 8 9 10\n", Error::OutOfRange, "too many arguments");
    std::string many = "run p";
    for (int i = 0; i < 500; i++) many += " w";
    expect_error(many + "\n", Error::OutOfRange, "too many arguments");
}

TEST(Manifest, ArgumentStorageLimit) {
    // 256 bytes of storage hold the arguments with their NULs.
    std::string a(127, 'a'), b(127, 'b');
    ManifestLine fits = only("run p " + a + " " + b + "\n");
    EXPECT_EQ(fits.error, Error::None);
    EXPECT_EQ(fits.args, (Strings{a, b}));
    expect_error("run p " + a + " " + b + "c\n", Error::OutOfRange, "arguments too long");
    expect_error("run p " + std::string(300, 'x') + "\n", Error::OutOfRange, "arguments too long");
}

TEST(Manifest, NameLimitIs32Characters) {
    std::string name(bundle::MAX_NAME, 'n');
    ManifestLine l = only("run " + name + "\n");
    EXPECT_EQ(l.error, Error::None);
    EXPECT_EQ(l.name, name);
    expect_error("run " + name + "x\n", Error::OutOfRange, "program name too long");
}

TEST(Manifest, UnknownDirectiveIsRefused) {
    for (const char* text : {"start frames\n", "RUN frames\n", "runframes\n", "ru frames\n", "runs frames\n",
                             "frames\n", "quota=5\n", "\x01\x02\x03\n"}) {
        expect_error(text, Error::InvalidArgument, "unknown directive (expected `run`)");
    }
}

TEST(Manifest, RunWithoutANameIsRefused) {
    expect_error("run\n", Error::InvalidArgument, "`run` without a program name");
    expect_error("run   \t \n", Error::InvalidArgument, "`run` without a program name");
    expect_error("run # only a comment\n", Error::InvalidArgument, "`run` without a program name");
}

TEST(Manifest, CrlfLineEndsAndTabsAreWhitespace) {
    std::vector<ManifestLine> all = walk_manifest("# dos\r\nrun\ta\tx\r\n\r\nrun b quota=3\r\n");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "a");
    EXPECT_EQ(all[0].args, (Strings{"x"}));
    EXPECT_EQ(all[1].name, "b");
    EXPECT_EQ(all[1].quota, 3u);
    EXPECT_EQ(all[1].line, 4u);
}

TEST(Manifest, LastLineWithoutNewline) {
    std::vector<ManifestLine> all = walk_manifest("run a\nrun b arg");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].name, "b");
    EXPECT_EQ(all[1].args, (Strings{"arg"}));
    EXPECT_EQ(all[1].line, 2u);
}

TEST(Manifest, TheWalkGoesOnAfterEachBadLine) {
    std::vector<ManifestLine> all = walk_manifest(
        "run frames quota=8192\n"
        "this is garbage\n"
        "run\n"
        "run grow 512\n"
        "run " +
        std::string(40, 'z') +
        "\n"
        "run hog quota=lots\n"
        "run hog quota=512\n");
    ASSERT_EQ(all.size(), 7u);
    EXPECT_EQ(all[0].name, "frames");
    EXPECT_EQ(all[0].quota, 8192u);
    EXPECT_EQ(all[1].error, Error::InvalidArgument);
    EXPECT_EQ(all[1].line, 2u);
    EXPECT_EQ(all[2].error, Error::InvalidArgument);
    EXPECT_EQ(all[2].line, 3u);
    EXPECT_EQ(all[3].name, "grow");
    EXPECT_EQ(all[3].args, (Strings{"512"}));
    EXPECT_EQ(all[4].error, Error::OutOfRange);
    EXPECT_EQ(all[4].line, 5u);
    EXPECT_EQ(all[5].error, Error::InvalidArgument);
    EXPECT_EQ(all[5].line, 6u);
    EXPECT_EQ(all[6].name, "hog");
    EXPECT_EQ(all[6].quota, 512u);
    EXPECT_EQ(all[6].line, 7u);
}

TEST(Manifest, EachEntryStartsFresh) {
    const std::string text = "run a quota=5 x y\nrun b\n";
    bundle::Manifest m(text.data(), text.size());
    bundle::RunEntry e;
    ASSERT_TRUE(m.next(e).value_or(false));
    EXPECT_EQ(e.nr_args, 2u);
    ASSERT_TRUE(m.next(e).value_or(false));
    EXPECT_STREQ(e.name, "b");
    EXPECT_EQ(e.quota_pages, 0u);
    EXPECT_EQ(e.nr_args, 0u);
}

TEST(Manifest, LengthBoundsTheText) {
    // Only the first 6 bytes are the manifest; what follows must not be read.
    const char text[] = "run a\nrun b\n";
    bundle::Manifest m(text, 6);
    bundle::RunEntry e;
    ASSERT_TRUE(m.next(e).value_or(false));
    EXPECT_STREQ(e.name, "a");
    Result<bool> r = m.next(e);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.value());
    // Cut before the name: only "run " is inside.
    bundle::Manifest cut(text, 4);
    Result<bool> c = cut.next(e);
    EXPECT_EQ(c.error(), Error::InvalidArgument);
    EXPECT_STREQ(cut.why(), "`run` without a program name");
}

}  // namespace
}  // namespace bundle_test
