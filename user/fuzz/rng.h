// The fuzzer's pseudo-random numbers: xoshiro256** seeded through
// splitmix64, so one 64-bit seed gives the same sequence on every run.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fuzz {

class Rng {
public:
    void reseed(uint64_t seed) {
        for (uint64_t& w : s_) {
            seed += 0x9e3779b97f4a7c15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            w = z ^ (z >> 31);
        }
    }

    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // A number in [0, n) (0 when n is 0); the modulo's bias does not matter here.
    uint64_t below(uint64_t n) { return n ? next() % n : 0; }
    bool chance(unsigned percent) { return below(100) < percent; }

    template <typename T, size_t N>
    const T& pick(const T (&a)[N]) {
        return a[below(N)];
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4] = {};
};

}  // namespace fuzz
