// bundle::Archive on archives built in the test: the happy path, every
// kind of damage the parser reports, and what it skips on purpose.
#include <gtest/gtest.h>

#include <string>

#include "bundle/bundle.h"
#include "cpio_writer.h"
#include "walk.h"

namespace bundle_test {
namespace {

using Strings = std::vector<std::string>;

// A small, well-formed archive: two files, a directory, a trailer.
CpioWriter sample() {
    CpioWriter w;
    w.file("manifest", "run hello\n");
    w.file("bin", "", MODE_DIR);
    w.file("bin/hello", std::string("\x7f"
                                    "ELF\0\1",
                                    6));
    w.trailer();
    return w;
}

TEST(Archive, EmptyInputEndsAtOnceWithoutError) {
    bundle::Archive a(nullptr, 0);
    bundle::File f;
    EXPECT_FALSE(a.next(f));
    EXPECT_EQ(a.error(), Error::None);
    EXPECT_EQ(a.why(), nullptr);
    EXPECT_EQ(a.find("manifest").error(), Error::NotFound);
}

TEST(Archive, FilesComeInOrderWithNamesAndData) {
    CpioWriter w = sample();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"manifest", "bin/hello"}));
    EXPECT_EQ(got.datas, (Strings{"run hello\n", std::string("\x7f"
                                                             "ELF\0\1",
                                                             6)}));
}

// Every remainder of name length and data length modulo 4 lands the next
// header where the format says.
TEST(Archive, PaddingOfEveryNameAndDataLength) {
    CpioWriter w;
    Strings names, datas;
    for (size_t n = 1; n <= 8; n++) {
        for (size_t d = 0; d <= 8; d++) {
            std::string name = std::string(n, char('a' + n)) + std::to_string(d);
            std::string data;
            for (size_t i = 0; i < d; i++) data += char('0' + (i + n) % 10);
            w.file(name, data);
            names.push_back(name);
            datas.push_back(data);
        }
    }
    w.trailer();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None) << got.why;
    EXPECT_EQ(got.names, names);
    EXPECT_EQ(got.datas, datas);
}

TEST(Archive, TrailerEndsTheWalkAndWhateverFollowsIsIgnored) {
    CpioWriter w;
    w.file("first", "1");
    w.trailer();
    w.file("after", "2");
    w.raw("garbage that is not a header at all");
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"first"}));
    EXPECT_EQ(got.datas, (Strings{"1"}));
}

TEST(Archive, ZeroPaddingAfterTheTrailerIsIgnored) {
    // cpio pads to 512-byte blocks and the initrd is page-rounded.
    CpioWriter w = sample();
    w.raw(std::string(4096, '\0'));
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names.size(), 2u);
}

TEST(Archive, WithoutATrailerTheWalkEndsAtTheLastWholeEntry) {
    CpioWriter w;
    w.file("a", "x");
    w.file("b", "yy");
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"a", "b"}));
}

TEST(Archive, DirectoriesSymlinksFifosAndDevicesAreSkipped) {
    CpioWriter w;
    w.file(".", "", MODE_DIR);
    w.file("dir", "", MODE_DIR);
    w.file("link", "target", MODE_SYMLINK);
    w.file("fifo", "", MODE_FIFO);
    w.file("tty", "", MODE_CHARDEV);
    w.file("dir/real", "data");
    w.file("socket", "", 0140755);
    w.trailer();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"dir/real"}));
    EXPECT_EQ(got.datas, (Strings{"data"}));
}

TEST(Archive, DotSlashPrefixIsDropped) {
    CpioWriter w;
    w.file("./", "", MODE_DIR);
    w.file("./manifest", "m");
    w.file("./sub/prog", "p");
    w.file("plain", "q");
    w.trailer();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"manifest", "sub/prog", "plain"}));
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    Result<bundle::File> f = a.find("manifest");
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->data), f->size), "m");
    EXPECT_EQ(a.find("./manifest").error(), Error::NotFound);
}

TEST(Archive, CrcFormatMagicIsAccepted) {
    CpioWriter w;
    Entry e;
    e.name = "crc";
    e.data = "abc";
    e.magic = "070702";
    w.add(e);
    w.trailer();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.names, (Strings{"crc"}));
}

TEST(Archive, LowerAndUpperCaseHexDigitsBothParse) {
    CpioWriter w;
    size_t at = w.file("hex", std::string(0xab, 'h'));
    w.trailer();
    std::string& b = w.bytes();
    ASSERT_EQ(b.substr(field_offset(at, FILESIZE), 8), "000000AB");
    b[field_offset(at, FILESIZE) + 6] = 'a';
    b[field_offset(at, FILESIZE) + 7] = 'b';
    Walked got = walk(b);
    EXPECT_EQ(got.error, Error::None);
    ASSERT_EQ(got.datas.size(), 1u);
    EXPECT_EQ(got.datas[0].size(), 0xabu);
}

// --- Damage: each gets Malformed and a reason, never a read past the end ----

TEST(Archive, TruncatedHeaderAtEveryLength) {
    CpioWriter full = sample();
    for (size_t len = 1; len < HEADER_SIZE; len++) {
        Walked got = walk(full.bytes().substr(0, len));
        EXPECT_EQ(got.error, Error::Malformed) << "length " << len;
        EXPECT_EQ(got.why, "truncated cpio header") << "length " << len;
        EXPECT_TRUE(got.names.empty());
    }
}

TEST(Archive, TruncatedHeaderAfterAGoodEntryKeepsTheGoodEntry) {
    CpioWriter w;
    w.file("good", "data");
    size_t cut = w.bytes().size() + 50;
    w.file("second", "more");
    Walked got = walk(w.bytes().substr(0, cut));
    EXPECT_EQ(got.names, (Strings{"good"}));
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "truncated cpio header");
}

TEST(Archive, BadMagicIsRefused) {
    for (const char* magic : {"070707", "070703", "070700", "170701", "07070", "XXXXXX", "\0\0\0\0\0\0"}) {
        CpioWriter w;
        Entry e;
        e.name = "x";
        e.magic = std::string(magic, 6);
        w.add(e);
        Walked got = walk(w.bytes());
        EXPECT_EQ(got.error, Error::Malformed) << magic;
        EXPECT_EQ(got.why, "not a newc cpio header") << magic;
        EXPECT_TRUE(got.names.empty());
    }
}

TEST(Archive, BadHexDigitInAnyFieldIsRefused) {
    for (unsigned field = INO; field <= CHECK; field++) {
        for (char bad : {'g', 'G', ' ', '-', 'x', '\0'}) {
            CpioWriter w = sample();
            w.bytes()[field_offset(0, Field(field)) + 3] = bad;
            Walked got = walk(w.bytes());
            EXPECT_EQ(got.error, Error::Malformed) << "field " << field << " char " << int(bad);
            EXPECT_EQ(got.why, "bad hex digit in cpio header");
        }
    }
}

TEST(Archive, ZeroNameSizeIsRefused) {
    CpioWriter w;
    Entry e;
    e.name = "x";
    e.namesize = 0;
    w.add(e);
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "bad cpio name size");
}

TEST(Archive, EmptyNameIsRefused) {
    // namesize 1: only the terminating NUL, a file without a name.
    CpioWriter w;
    Entry e;
    e.name = "";
    e.namesize = 1;
    w.add(e);
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "bad cpio name size");
    EXPECT_TRUE(got.names.empty());
}

TEST(Archive, NameSizeLimitIs4096) {
    CpioWriter ok;
    ok.file(std::string(4095, 'n'), "fits");
    Walked got = walk(ok.bytes());
    EXPECT_EQ(got.error, Error::None);
    ASSERT_EQ(got.names.size(), 1u);
    EXPECT_EQ(got.names[0].size(), 4095u);

    CpioWriter big;
    big.file(std::string(4096, 'n'), "too long");
    got = walk(big.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "bad cpio name size");

    CpioWriter huge;
    Entry e;
    e.name = "x";
    e.namesize = 0xffffffff;
    huge.add(e);
    got = walk(huge.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "bad cpio name size");
}

TEST(Archive, NamePastTheEndIsRefused) {
    CpioWriter w;
    Entry e;
    e.name = "short";
    e.namesize = 100;  // larger than what follows the header
    w.add(e);
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "cpio name past the end");

    // The name itself cut off by the end of the input.
    CpioWriter cut;
    cut.file("a-rather-long-name", "");
    got = walk(cut.bytes().substr(0, HEADER_SIZE + 5));
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "cpio name past the end");
}

TEST(Archive, UnterminatedNameIsRefused) {
    CpioWriter w;
    Entry e;
    e.name = "name";
    e.terminate_name = false;
    w.add(e);
    w.trailer();
    Walked got = walk(w.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "cpio name not terminated");

    // namesize one short: the byte it ends on is the name's last letter.
    CpioWriter shorter;
    Entry s;
    s.name = "name";
    s.namesize = 4;
    shorter.add(s);
    got = walk(shorter.bytes());
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "cpio name not terminated");
}

TEST(Archive, DataPastTheEndIsRefused) {
    for (uint64_t size : {uint64_t(5), uint64_t(1000), uint64_t(0x7fffffff), uint64_t(0xffffffff)}) {
        CpioWriter w;
        Entry e;
        e.name = "prog";
        e.data = "abcd";
        e.filesize = size;
        w.add(e);
        Walked got = walk(w.bytes());
        EXPECT_EQ(got.error, Error::Malformed) << size;
        EXPECT_EQ(got.why, "cpio file data past the end") << size;
        EXPECT_TRUE(got.names.empty());
    }
}

TEST(Archive, NamePaddingPastTheEndIsRefused) {
    // Header + "ab\0" = 113 bytes; the data would start at 116.
    CpioWriter w;
    w.file("ab", "");
    Walked got = walk(w.bytes().substr(0, HEADER_SIZE + 3));
    EXPECT_EQ(got.error, Error::Malformed);
    EXPECT_EQ(got.why, "cpio file data past the end");
}

TEST(Archive, DataEndingExactlyAtTheEndIsAccepted) {
    // The last data byte is the last input byte: no trailing padding needed.
    CpioWriter w;
    w.file("abc", "xyz");  // header 110 + 4 = 114 -> data at 116
    std::string b = w.bytes().substr(0, 116 + 3);
    Walked got = walk(b);
    EXPECT_EQ(got.error, Error::None);
    EXPECT_EQ(got.datas, (Strings{"xyz"}));
}

TEST(Archive, ErrorIsStickyAndEndsTheWalk) {
    CpioWriter w;
    w.file("good", "1");
    w.raw("070701garbage");
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    bundle::File f;
    ASSERT_TRUE(a.next(f));
    EXPECT_FALSE(a.next(f));
    EXPECT_EQ(a.error(), Error::Malformed);
    const char* why = a.why();
    EXPECT_FALSE(a.next(f));
    EXPECT_EQ(a.error(), Error::Malformed);
    EXPECT_EQ(a.why(), why);
}

// --- find() -------------------------------------------------------------

TEST(Archive, FindReturnsTheNamedFile) {
    CpioWriter w = sample();
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    Result<bundle::File> f = a.find("bin/hello");
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(std::string(f->name, f->name_len), "bin/hello");
    EXPECT_EQ(f->size, 6u);
    Result<bundle::File> m = a.find("manifest");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(m->data), m->size), "run hello\n");
}

TEST(Archive, FindMatchesWholeNamesOnly) {
    CpioWriter w = sample();
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    EXPECT_EQ(a.find("manifes").error(), Error::NotFound);
    EXPECT_EQ(a.find("manifest2").error(), Error::NotFound);
    EXPECT_EQ(a.find("hello").error(), Error::NotFound);
    EXPECT_EQ(a.find("").error(), Error::NotFound);
    EXPECT_EQ(a.find("bin").error(), Error::NotFound);  // a directory is not a file
    EXPECT_EQ(a.find("TRAILER!!!").error(), Error::NotFound);
}

TEST(Archive, FindReturnsTheFirstOfTwoEqualNames) {
    CpioWriter w;
    w.file("dup", "first");
    w.file("dup", "second");
    w.trailer();
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    Result<bundle::File> f = a.find("dup");
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->data), f->size), "first");
}

TEST(Archive, FindDoesNotMoveTheWalk) {
    CpioWriter w = sample();
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    bundle::File f;
    ASSERT_TRUE(a.next(f));
    EXPECT_TRUE(a.find("manifest").ok());
    ASSERT_TRUE(a.next(f));
    EXPECT_EQ(std::string(f.name, f.name_len), "bin/hello");
    EXPECT_FALSE(a.next(f));
}

TEST(Archive, FindReportsDamageBeforeTheName) {
    CpioWriter w;
    w.file("first", "1");
    w.raw("070701 damaged");
    bundle::Archive a(w.bytes().data(), w.bytes().size());
    EXPECT_EQ(a.find("later").error(), Error::Malformed);
    // A file before the damage is still found.
    EXPECT_TRUE(a.find("first").ok());
}

}  // namespace
}  // namespace bundle_test
