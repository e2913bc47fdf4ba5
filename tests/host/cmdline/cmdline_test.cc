// Kernel command line parsing (next_arg semantics) and memparse sizes.
#include "cmdline/cmdline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct P {
    std::string key, value;
    bool has_value, unterminated;
    bool operator==(const P&) const = default;
};

std::ostream& operator<<(std::ostream& os, const P& p) {
    return os << "{" << p.key << (p.has_value ? "=" + p.value : "") << (p.unterminated ? " unterminated" : "")
              << "}";
}

std::vector<P> params(const char* text, size_t max = CMDLINE_MAX) {
    std::vector<P> v;
    Cmdline c(text, max);
    CmdlineParam p;
    while (c.next(p))
        v.push_back({std::string(p.key.data, p.key.len), std::string(p.value.data, p.value.len), p.has_value,
                     p.unterminated});
    return v;
}

StrView V(const char* s) { return StrView::of(s); }

TEST(Cmdline, KeysValuesAndFlags) {
    EXPECT_EQ(params("console=ttyS0,115200 quiet  kernelcore=512M\tmovablecore=25%\n ro"),
              (std::vector<P>{{"console", "ttyS0,115200", true, false},
                              {"quiet", "", false, false},
                              {"kernelcore", "512M", true, false},
                              {"movablecore", "25%", true, false},
                              {"ro", "", false, false}}));
}

TEST(Cmdline, EmptyAndNull) {
    EXPECT_TRUE(params("").empty());
    EXPECT_TRUE(params("   \t\n ").empty());
    EXPECT_TRUE(params(nullptr).empty());
    Cmdline c(nullptr);
    EXPECT_FALSE(c.has("x"));
    EXPECT_FALSE(c.truncated());
}

TEST(Cmdline, EmptyValueAndSecondEquals) {
    EXPECT_EQ(params("root= a=b=c ="),
              (std::vector<P>{{"root", "", true, false}, {"a", "b=c", true, false}, {"", "", true, false}}));
}

TEST(Cmdline, QuotedValue) {
    EXPECT_EQ(params("init=/bin/sh foo=\"a b  c\" bar"), (std::vector<P>{{"init", "/bin/sh", true, false},
                                                                         {"foo", "a b  c", true, false},
                                                                         {"bar", "", false, false}}));
}

TEST(Cmdline, QuotedWholeParameter) {
    EXPECT_EQ(params("\"dyndbg=file x +p\" \"flag\""),
              (std::vector<P>{{"dyndbg", "file x +p", true, false}, {"flag", "", false, false}}));
}

TEST(Cmdline, QuoteInsideValueKeepsSpacesTogether) {
    EXPECT_EQ(params("a=x\"y z\"w b"),
              (std::vector<P>{{"a", "x\"y z\"w", true, false}, {"b", "", false, false}}));
}

TEST(Cmdline, UnterminatedQuoteRunsToTheEnd) {
    EXPECT_EQ(params("a=1 b=\"open value c=3"),
              (std::vector<P>{{"a", "1", true, false}, {"b", "open value c=3", true, true}}));
    EXPECT_EQ(params("\"x"), (std::vector<P>{{"x", "", false, true}}));
    EXPECT_EQ(params("k=\""), (std::vector<P>{{"k", "", true, true}}));
}

TEST(Cmdline, DoubleDashEndsKernelParameters) {
    EXPECT_EQ(params("a=1 -- init_arg b=2"), (std::vector<P>{{"a", "1", true, false}}));
    Cmdline c("a=1 -- b=2");
    EXPECT_FALSE(c.has("b"));
}

TEST(Cmdline, FindLastOccurrenceAndDashUnderscore) {
    Cmdline c("kernelcore=1G foo_bar=1 kernelcore=2G");
    CmdlineParam p;
    ASSERT_TRUE(c.find("kernelcore", p));
    EXPECT_TRUE(p.value.equals("2G"));
    ASSERT_TRUE(c.find("foo-bar", p));
    EXPECT_TRUE(p.value.equals("1"));
    EXPECT_TRUE(c.has("foo_bar"));
    EXPECT_FALSE(c.has("foo"));
    EXPECT_FALSE(c.has("kernelcore2"));
    EXPECT_FALSE(c.find("movablecore", p));
    // find() does not disturb an ongoing walk.
    ASSERT_TRUE(c.next(p));
    EXPECT_TRUE(p.key.equals("kernelcore"));
    ASSERT_TRUE(c.find("foo_bar", p));
    ASSERT_TRUE(c.next(p));
    EXPECT_TRUE(p.key.equals("foo_bar"));
}

TEST(Cmdline, RewindStartsOver) {
    Cmdline c("a b");
    CmdlineParam p;
    while (c.next(p)) {
    }
    EXPECT_FALSE(c.next(p));
    c.rewind();
    ASSERT_TRUE(c.next(p));
    EXPECT_TRUE(p.key.equals("a"));
}

TEST(Cmdline, VeryLongInputIsBoundedAndReported) {
    std::string s;
    for (int i = 0; i < 3000; i++) s += "param" + std::to_string(i) + "=value ";
    Cmdline c(s.c_str());
    EXPECT_TRUE(c.truncated());
    size_t n = 0;
    CmdlineParam p;
    while (c.next(p)) {
        n++;
        ASSERT_LE(p.key.data + p.key.len, s.c_str() + CMDLINE_MAX);
        ASSERT_LE(p.value.data + p.value.len, s.c_str() + CMDLINE_MAX);
    }
    EXPECT_GT(n, 100u);
    EXPECT_LT(n, 400u);
    // A buffer with no NUL at all is read only up to max_len.
    char raw[8] = {'a', '=', 'b', ' ', 'c', 'c', 'c', 'c'};
    auto v = params(raw, sizeof raw);
    EXPECT_EQ(v, (std::vector<P>{{"a", "b", true, false}, {"cccc", "", false, false}}));
    EXPECT_TRUE(Cmdline(raw, sizeof raw).truncated());
    std::string huge(100000, 'x');
    auto one = params(huge.c_str());
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].key.size(), CMDLINE_MAX);
}

TEST(Cmdline, KeyEquals) {
    EXPECT_TRUE(cmdline_key_equals(V("a-b_c"), "a_b-c"));
    EXPECT_FALSE(cmdline_key_equals(V("ab"), "abc"));
    EXPECT_FALSE(cmdline_key_equals(V("abc"), "ab"));
    EXPECT_TRUE(cmdline_key_equals(V(""), ""));
}

TEST(ParseSize, SuffixesAndBases) {
    EXPECT_EQ(*parse_size(V("0")), 0u);
    EXPECT_EQ(*parse_size(V("123456")), 123456u);
    EXPECT_EQ(*parse_size(V("4k")), 4096u);
    EXPECT_EQ(*parse_size(V("512M")), 512ull << 20);
    EXPECT_EQ(*parse_size(V("1G")), 1ull << 30);
    EXPECT_EQ(*parse_size(V("3t")), 3ull << 40);
    EXPECT_EQ(*parse_size(V("2P")), 2ull << 50);
    EXPECT_EQ(*parse_size(V("15E")), 15ull << 60);
    EXPECT_EQ(*parse_size(V("0x1000")), 0x1000u);
    EXPECT_EQ(*parse_size(V("0X10M")), 16ull << 20);
    EXPECT_EQ(*parse_size(V("010")), 8u);  // octal, as simple_strtoull(.., 0)
    EXPECT_EQ(*parse_size(V("18446744073709551615")), ~0ull);
}

TEST(ParseSize, Malformed) {
    for (const char* s :
         {"", "K", "x", "12Q", "1KB", "1 K", " 1", "1.5G", "0x", "0xg", "09", "-1", "+1", "1G "})
        EXPECT_EQ(parse_size(V(s)).error(), Error::InvalidArgument) << "'" << s << "'";
    EXPECT_EQ(parse_size(StrView{}).error(), Error::InvalidArgument);
}

TEST(ParseSize, Overflow) {
    EXPECT_EQ(parse_size(V("18446744073709551616")).error(), Error::OutOfRange);
    EXPECT_EQ(parse_size(V("99999999999999999999999999")).error(), Error::OutOfRange);
    EXPECT_EQ(parse_size(V("0x10000000000000000")).error(), Error::OutOfRange);
    EXPECT_EQ(parse_size(V("16E")).error(), Error::OutOfRange);
    EXPECT_EQ(parse_size(V("16777216T")).error(), Error::OutOfRange);
    EXPECT_EQ(*parse_size(V("16777215T")), 16777215ull << 40);
}

TEST(ParseNumber, PrefixAndPlain) {
    auto n = parse_number_prefix(V("0x1fZ"));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->value, 0x1fu);
    EXPECT_EQ(n->used, 4u);
    EXPECT_EQ(parse_number_prefix(V("z")).error(), Error::InvalidArgument);
    EXPECT_EQ(*parse_u64(V("42")), 42u);
    EXPECT_EQ(parse_u64(V("42k")).error(), Error::InvalidArgument);
    EXPECT_EQ(parse_u64(V("99999999999999999999")).error(), Error::OutOfRange);
}

TEST(StrView, EqualsAndOf) {
    EXPECT_TRUE(V("abc").equals("abc"));
    EXPECT_FALSE(V("abc").equals("ab"));
    EXPECT_FALSE(V("ab").equals("abc"));
    EXPECT_TRUE(StrView{}.equals(""));
    EXPECT_TRUE(StrView::of(nullptr).empty());
}

}  // namespace
