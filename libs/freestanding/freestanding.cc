// The few libc and libgcc routines compilers may emit calls to in
// freestanding code (struct copies, zeroed arrays, bit scans), for the
// kernel and for user programs alike; neither links a libc or libgcc.
#include <stddef.h>
#include <stdint.h>

#include "base/bits.h"

extern "C" {

void* memset(void* dst, int c, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
        *d++ = uint8_t(c);
        n--;
    }
    uint64_t w = uint8_t(c) * 0x0101010101010101ull;
    for (; n >= 8; n -= 8, d += 8) *reinterpret_cast<uint64_t*>(d) = w;
    while (n--) *d++ = uint8_t(c);
    return dst;
}

void* memcpy(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (((reinterpret_cast<uintptr_t>(d) | reinterpret_cast<uintptr_t>(s)) & 7) == 0) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *reinterpret_cast<uint64_t*>(d) = *reinterpret_cast<const uint64_t*>(s);
    }
    while (n--) *d++ = *s++;
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

}  // extern "C"

// Bit scans compilers emit for __builtin_clzll/ctzll on cores without Zbb
// (libgcc's names; the kernel links no libgcc). The soft scans, never the
// builtins, which would call these. 0 (undefined for libgcc) gives 64.
extern "C" {

int __clzdi2(unsigned long x) { return x ? 63 - int(bits::detail::highest_set_soft(x)) : 64; }

int __ctzdi2(unsigned long x) { return x ? int(bits::detail::lowest_set_soft(x)) : 64; }

}  // extern "C"
