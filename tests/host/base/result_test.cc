#include "base/result.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return Error::InvalidArgument;
    return c - '0';
}

Result<int> sum_digits(const char* s) {
    int total = 0;
    for (; *s; s++) total += TRY(parse_digit(*s));
    return total;
}

Status check_even(int v) {
    if (v % 2) return Error::OutOfRange;
    return ok_status();
}

Status even_sum(const char* s) {
    int v = TRY(sum_digits(s));
    TRY_STATUS(check_even(v));
    return {};
}

TEST(Result, ValueAndError) {
    auto ok = parse_digit('7');
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 7);
    EXPECT_EQ(ok.error(), Error::None);
    auto bad = parse_digit('x');
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), Error::InvalidArgument);
    EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, TryPropagatesFirstError) {
    EXPECT_EQ(*sum_digits("123"), 6);
    EXPECT_EQ(sum_digits("1x3").error(), Error::InvalidArgument);
    EXPECT_TRUE(even_sum("22").ok());
    EXPECT_EQ(even_sum("21").error(), Error::OutOfRange);
    EXPECT_EQ(even_sum("2a").error(), Error::InvalidArgument);
}

TEST(Result, CopiesKeepState) {
    Result<int> a = 5;
    Result<int> b = Error::NoMemory;
    b = a;
    EXPECT_TRUE(b.ok());
    EXPECT_EQ(*b, 5);
    Result<int> c(b);
    EXPECT_EQ(*c, 5);
}

TEST(Error, EveryValueHasADistinctName) {
    std::set<std::string> names;
    for (int e = 0; e <= int(ERROR_LAST); e++) {
        std::string n = error_name(Error(e));
        EXPECT_NE(n, "unknown error") << e;
        EXPECT_TRUE(names.insert(n).second) << "duplicate name " << n;
    }
}

}  // namespace
