// The freestanding formatter must agree with the C library's snprintf for
// everything the kernel uses, and never write past the buffer.
#include "format/format.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

// Some cases below are deliberately odd formats (a null %s, an unknown
// conversion, a trailing %): the compiler's format checks would flag them.
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-overflow"  // gcc's only
#endif

namespace {

template <typename... Args>
void expect_like_libc(const char* fmt, Args... args) {
    char ours[256], theirs[256];
    size_t n = format_buf(ours, sizeof ours, fmt, args...);
    int m = snprintf(theirs, sizeof theirs, fmt, args...);
    EXPECT_STREQ(ours, theirs) << "format: " << fmt;
    EXPECT_EQ(n, size_t(m)) << "format: " << fmt;
}

TEST(Format, IntegersMatchLibc) {
    expect_like_libc("%d %i %u", -42, 17, 3000000000u);
    expect_like_libc("%ld %lu %lld", -1L, ~0UL, -9223372036854775807LL - 1);
    expect_like_libc("%x %X %#x %#X %o %#o", 0xbeefu, 0xbeefu, 0xbeefu, 0u, 8u, 8u);
    expect_like_libc("%016lx|%-8d|%8d|%08d|%+d|% d", 0xabcUL, 5, -5, -5, 5, 5);
    expect_like_libc("%.5d|%8.3d|%.0d|%hhd|%hd", 42, 7, 0, 300, 70000);
    expect_like_libc("%zu %zx %td", size_t(123), size_t(255), ptrdiff_t(-3));
}

TEST(Format, StringsAndCharsMatchLibc) {
    expect_like_libc("[%s] [%10s] [%-10s] [%.3s] [%c] [%3c] [%-3c]", "abc", "abc", "abc", "abcdef", 'x', 'y',
                     'z');
    expect_like_libc("%*d|%-*d|%.*s", 6, 42, 6, 42, 2, "hello");
    expect_like_libc("100%% sure");
}

TEST(Format, PointerIsHexWithPrefix) {
    char buf[64];
    format_buf(buf, sizeof buf, "%p", reinterpret_cast<void*>(0x1234));
    EXPECT_STREQ(buf, "0x1234");
}

TEST(Format, NullStringPrintsPlaceholder) {
    char buf[32];
    format_buf(buf, sizeof buf, "%s", static_cast<const char*>(nullptr));
    EXPECT_STREQ(buf, "(null)");
}

TEST(Format, TruncatesAndReportsFullLength) {
    char buf[8];
    memset(buf, 'X', sizeof buf);
    size_t n = format_buf(buf, 5, "%s", "abcdefgh");
    EXPECT_EQ(n, 8u);
    EXPECT_STREQ(buf, "abcd");
    EXPECT_EQ(buf[5], 'X') << "wrote past the given size";
    EXPECT_EQ(format_buf(nullptr, 0, "%d", 12345), 5u);
}

TEST(Format, UnknownConversionIsVisible) {
    char buf[32];
    format_buf(buf, sizeof buf, "a%qb");
    EXPECT_STREQ(buf, "a%qb");
}

TEST(Format, TrailingPercentStops) {
    char buf[32];
    format_buf(buf, sizeof buf, "abc%");
    EXPECT_STREQ(buf, "abc");
}

TEST(Format, SinkReceivesEverything) {
    std::string out;
    TextSink sink{[](void* ctx, const char* s, size_t n) { static_cast<std::string*>(ctx)->append(s, n); },
                  &out};
    size_t n = format(sink, "node %u: [mem %#018lx-%#018lx]", 0u, 0x80000000UL, 0x87ffffffUL);
    EXPECT_EQ(out, "node 0: [mem 0x0000000080000000-0x0000000087ffffff]");
    EXPECT_EQ(n, out.size());
}

}  // namespace
