// Bit scans on 64-bit words: where the lowest or highest set bit is, and
// the logarithms and powers of two made from them. The one implementation
// for the kernel, the pager, user programs and the host.
//
// RV64IMAC has no bit-scan instruction (the Zbb extension adds ctz and
// clz), and there __builtin_ctzll and __builtin_clzll become calls to
// libgcc's __ctzdi2 and __clzdi2 (libs/freestanding provides them, from
// the soft versions below). So the target scans with a few arithmetic
// instructions inline, and the builtins are used where they are one
// instruction.
#pragma once

#include <stdint.h>

namespace bits {

namespace detail {

// De Bruijn sequence B(2, 6) and the bit index for each of its 6-bit
// windows: v's lowest set bit isolated (v & -v), times the sequence, has
// that bit's window in its top six bits.
inline constexpr uint64_t DE_BRUIJN = 0x03f79d71b4cb0a89ull;
inline constexpr uint8_t DE_BRUIJN_INDEX[64] = {
    0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
    43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
    44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};

// lowest_set() without a scan instruction: one multiply and a table load.
constexpr unsigned lowest_set_soft(uint64_t v) { return DE_BRUIJN_INDEX[((v & -v) * DE_BRUIJN) >> 58]; }

// highest_set() without a scan instruction: a binary search in six
// steps, whatever the value (no multiply, no loop per bit).
constexpr unsigned highest_set_soft(uint64_t v) {
    unsigned n = 0;
    if (v >> 32) {
        v >>= 32;
        n += 32;
    }
    if (v >> 16) {
        v >>= 16;
        n += 16;
    }
    if (v >> 8) {
        v >>= 8;
        n += 8;
    }
    if (v >> 4) {
        v >>= 4;
        n += 4;
    }
    if (v >> 2) {
        v >>= 2;
        n += 2;
    }
    if (v >> 1) n += 1;
    return n;
}

#if defined(__riscv) && !defined(__riscv_zbb)
inline constexpr bool SCAN_INSTRUCTIONS = false;
#else
inline constexpr bool SCAN_INSTRUCTIONS = true;
#endif

}  // namespace detail

// Index of the lowest set bit of v (Linux's __ffs, C++'s countr_zero);
// v must not be 0.
constexpr unsigned lowest_set(uint64_t v) {
    if constexpr (detail::SCAN_INSTRUCTIONS) return unsigned(__builtin_ctzll(v));
    return detail::lowest_set_soft(v);
}

// Index of the highest set bit of v, floor(log2 v) (Linux's __fls and
// ilog2); v must not be 0.
constexpr unsigned highest_set(uint64_t v) {
    if constexpr (detail::SCAN_INSTRUCTIONS) return 63 - unsigned(__builtin_clzll(v));
    return detail::highest_set_soft(v);
}

// The number of set bits, by halves (no instruction for it without Zbb;
// off every fast path).
constexpr unsigned popcount(uint64_t v) {
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return unsigned((v * 0x0101010101010101ull) >> 56);
}
static_assert(popcount(0) == 0 && popcount(~uint64_t(0)) == 64 && popcount(0x8000000000000101ull) == 3);

// ceil(log2 v): the smallest n with 2^n >= v, 0 for v <= 1 (Linux's
// order_base_2).
constexpr unsigned log2_ceil(uint64_t v) { return v <= 1 ? 0 : highest_set(v - 1) + 1; }

// The largest power of two not above v (Linux's rounddown_pow_of_two);
// v must not be 0.
constexpr uint64_t round_down_pow2(uint64_t v) { return uint64_t(1) << highest_set(v); }

}  // namespace bits
