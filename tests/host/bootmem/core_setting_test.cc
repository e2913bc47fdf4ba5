// kernelcore=/movablecore= value parsing (cmdline_parse_core semantics,
// stricter about trailing characters).
#include "bootmem/core_setting.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

CoreSetting ok(const char* s) {
    auto r = parse_core_setting(s);
    EXPECT_TRUE(r.ok()) << s;
    return r.ok() ? *r : CoreSetting{};
}

TEST(CoreSetting, Sizes) {
    EXPECT_EQ(ok("512M"), CoreSetting::pages(131072));
    EXPECT_EQ(ok("1G"), CoreSetting::pages(262144));
    EXPECT_EQ(ok("1g"), CoreSetting::pages(262144));
    EXPECT_EQ(ok("2T"), CoreSetting::pages(uint64_t(2) << 28));
    EXPECT_EQ(ok("64K"), CoreSetting::pages(16));
    EXPECT_EQ(ok("0x10000000"), CoreSetting::pages(65536));
}

TEST(CoreSetting, PlainBytesRoundDownToPages) {
    EXPECT_EQ(ok("123456"), CoreSetting::pages(30));  // 30.14 pages
    EXPECT_EQ(ok("4095"), CoreSetting::pages(0));
    EXPECT_EQ(ok("0"), CoreSetting::pages(0));
}

TEST(CoreSetting, Percent) {
    EXPECT_EQ(ok("25%"), CoreSetting::percent(25));
    EXPECT_EQ(ok("0%"), CoreSetting::percent(0));
    EXPECT_EQ(ok("100%"), CoreSetting::percent(100));
    // Above 100 is accepted, as Linux accepts it with a warning.
    EXPECT_EQ(ok("250%"), CoreSetting::percent(250));
}

TEST(CoreSetting, Malformed) {
    for (const char* s : {"", "abc", "%", "M", "12X", "1G5", "1GG", "25%%", "25%x", "1G%", "-5", " 5", "5 ",
                          "0x", "1.5G", "08"}) {
        auto r = parse_core_setting(s);
        EXPECT_EQ(r.error(), Error::InvalidArgument) << "'" << s << "'";
    }
    EXPECT_EQ(parse_core_setting(static_cast<const char*>(nullptr)).error(), Error::InvalidArgument);
    EXPECT_EQ(parse_core_setting(StrView{}).error(), Error::InvalidArgument);
}

TEST(CoreSetting, Overflow) {
    EXPECT_EQ(parse_core_setting("18446744073709551616").error(), Error::OutOfRange);
    EXPECT_EQ(parse_core_setting("16E").error(), Error::OutOfRange);
    EXPECT_EQ(parse_core_setting("99999999999999999999%").error(), Error::OutOfRange);
    EXPECT_EQ(ok("15E"), CoreSetting::pages((uint64_t(15) << 60) >> 12));
}

TEST(CoreSetting, MirrorIsUnsupported) {
    EXPECT_EQ(parse_core_setting("mirror").error(), Error::Unsupported);
}

TEST(CoreSetting, ViewIsNotNulTerminated) {
    const char text[] = "512Mjunk";
    EXPECT_EQ(*parse_core_setting(StrView{text, 4}), CoreSetting::pages(131072));
    EXPECT_EQ(parse_core_setting(StrView{text, 5}).error(), Error::InvalidArgument);
}

}  // namespace
}  // namespace mm
