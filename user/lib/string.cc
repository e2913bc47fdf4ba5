// The libc routines a compiler may emit calls to in freestanding code
// (struct copies, zero-initialised arrays). Plain byte and word loops.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memset(void* dst, int c, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
        *d++ = static_cast<unsigned char>(c);
        n--;
    }
    const uint64_t word = uint64_t(static_cast<unsigned char>(c)) * 0x0101010101010101ull;
    for (; n >= 8; n -= 8, d += 8) *reinterpret_cast<uint64_t*>(d) = word;
    while (n--) *d++ = static_cast<unsigned char>(c);
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
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}

}  // extern "C"
