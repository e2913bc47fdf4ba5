// libFuzzer target: operation sequences on twin allocators, one through
// the inline fast paths and one through the slow paths only, which must
// answer alike and stay identical after every step (tests/host/buddy/twin.h).
// The first byte picks the configuration; every following 9 bytes are one
// operation (kind, two 32-bit arguments).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/host/buddy/twin.h"

namespace {

uint32_t word(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    mm::Grouping grouping = (data[0] & 2) ? mm::Grouping::Disabled : mm::Grouping::ByMobility;
    mm::test::TwinDriver d(mm::test::twin_machine(data[0] & 1, grouping, 0x800));
    for (size_t i = 1; i + 9 <= size; i += 9) {
        if (!d.step(data[i], word(data + i + 1), word(data + i + 5))) {
            fprintf(stderr, "step %zu: %s\n", (i - 1) / 9, d.failure().c_str());
            abort();
        }
    }
    return 0;
}
