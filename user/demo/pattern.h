// Memory patterns for the demo programs: every word gets a value made from
// a seed and its index, so a page that aliases another frame, a frame that
// someone else writes, or a lost write all show up as a mismatch.
//
// Accesses go through volatile pointers: the compiler must not drop the
// reads because it knows what it just wrote.
#pragma once

#include <stdint.h>

namespace demo {

inline constexpr uint64_t WORDS_PER_PAGE = 4096 / sizeof(uint64_t);

constexpr uint64_t pattern_word(uint64_t seed, uint64_t index) {
    return (seed * 0x9e3779b97f4a7c15ull) ^ (index * 0xd6e8feb86659fd93ull) ^ (index << 1) ^ 1;
}

inline void fill_pattern(void* base, uint64_t words, uint64_t seed) {
    auto* p = static_cast<volatile uint64_t*>(base);
    for (uint64_t i = 0; i < words; i++) p[i] = pattern_word(seed, i);
}

// The index of the first word that differs from the pattern, or `words`.
inline uint64_t pattern_mismatch(const void* base, uint64_t words, uint64_t seed) {
    auto* p = static_cast<const volatile uint64_t*>(base);
    for (uint64_t i = 0; i < words; i++)
        if (p[i] != pattern_word(seed, i)) return i;
    return words;
}

// The index of the first word that is not zero, or `words`.
inline uint64_t first_nonzero(const void* base, uint64_t words) {
    auto* p = static_cast<const volatile uint64_t*>(base);
    for (uint64_t i = 0; i < words; i++)
        if (p[i] != 0) return i;
    return words;
}

// Equal NUL-terminated strings (there is no libc).
inline bool same_string(const char* a, const char* b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

}  // namespace demo
