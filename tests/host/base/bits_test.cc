#include "base/bits.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

namespace {

// Every value with its lowest and highest set bits at each pair of
// positions, with the bits between them all clear, all set, or random.
template <typename Fn>
void for_each_shape(Fn fn) {
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (unsigned lo = 0; lo < 64; lo++) {
        for (unsigned hi = lo; hi < 64; hi++) {
            const uint64_t ends = (uint64_t(1) << lo) | (uint64_t(1) << hi);
            const uint64_t between = hi - lo < 2 ? 0 : ((uint64_t(1) << (hi - lo - 1)) - 1) << (lo + 1);
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            for (uint64_t v : {ends, ends | between, ends | (between & seed)}) fn(v, lo, hi);
        }
    }
}

TEST(Bits, LowestSetFindsTheLowestBit) {
    for_each_shape([](uint64_t v, unsigned lo, unsigned) {
        ASSERT_EQ(bits::lowest_set(v), lo) << std::hex << v;
        ASSERT_EQ(bits::detail::lowest_set_soft(v), lo) << std::hex << v;
    });
}

TEST(Bits, HighestSetFindsTheHighestBit) {
    for_each_shape([](uint64_t v, unsigned, unsigned hi) {
        ASSERT_EQ(bits::highest_set(v), hi) << std::hex << v;
        ASSERT_EQ(bits::detail::highest_set_soft(v), hi) << std::hex << v;
    });
}

TEST(Bits, SoftScansAgreeWithTheStandardLibrary) {
    uint64_t v = 1;
    for (int i = 0; i < 100000; i++) {
        v = v * 6364136223846793005ull + 1442695040888963407ull;
        const uint64_t w = v >> (i % 64);
        if (w == 0) continue;
        ASSERT_EQ(bits::detail::lowest_set_soft(w), unsigned(std::countr_zero(w)));
        ASSERT_EQ(bits::detail::highest_set_soft(w), unsigned(std::bit_width(w) - 1));
    }
}

TEST(Bits, Log2CeilIsTheSmallestCoveringOrder) {
    EXPECT_EQ(bits::log2_ceil(0), 0u);
    EXPECT_EQ(bits::log2_ceil(1), 0u);
    EXPECT_EQ(bits::log2_ceil(2), 1u);
    EXPECT_EQ(bits::log2_ceil(3), 2u);
    EXPECT_EQ(bits::log2_ceil(4), 2u);
    EXPECT_EQ(bits::log2_ceil(5), 3u);
    for (unsigned n = 1; n < 64; n++) {
        const uint64_t p = uint64_t(1) << n;
        EXPECT_EQ(bits::log2_ceil(p), n);
        EXPECT_EQ(bits::log2_ceil(p - 1), n == 1 ? 0u : n);
        EXPECT_EQ(bits::log2_ceil(p + 1), n + 1);
    }
    EXPECT_EQ(bits::log2_ceil(~uint64_t(0)), 64u);
}

TEST(Bits, RoundDownPow2KeepsTheHighestBit) {
    EXPECT_EQ(bits::round_down_pow2(1), 1u);
    EXPECT_EQ(bits::round_down_pow2(3), 2u);
    EXPECT_EQ(bits::round_down_pow2(4), 4u);
    EXPECT_EQ(bits::round_down_pow2(0x80000fff), 0x80000000u);
    EXPECT_EQ(bits::round_down_pow2(~uint64_t(0)), uint64_t(1) << 63);
}

TEST(Bits, PopcountMatchesTheBuiltin) {
    uint64_t v = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 1000; i++) {
        EXPECT_EQ(bits::popcount(v), unsigned(__builtin_popcountll(v))) << std::hex << v;
        v = v * 6364136223846793005ull + 1442695040888963407ull;
    }
    for (unsigned b = 0; b < 64; b++) EXPECT_EQ(bits::popcount(uint64_t(1) << b), 1u);
}

// Usable in constant expressions, as size classes and static_asserts use them.
static_assert(bits::lowest_set(0x50) == 4 && bits::detail::lowest_set_soft(0x50) == 4);
static_assert(bits::highest_set(0x50) == 6 && bits::detail::highest_set_soft(0x50) == 6);
static_assert(bits::log2_ceil(2048) == 11 && bits::round_down_pow2(2047) == 1024);

}  // namespace
