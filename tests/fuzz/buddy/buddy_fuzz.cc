// libFuzzer target: operation sequences on the buddy allocator and its
// LRU lists, checked against the reference model after every step.
// The first byte picks the configuration; every following 9 bytes are
// one operation (kind, two 32-bit arguments).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/host/buddy/model.h"

namespace {

uint32_t word(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    mm::test::MachineDef def = mm::test::model_machine(data[0] & 1);
    if (data[0] & 2) def.config.grouping = mm::Grouping::Disabled;
    mm::test::ModelDriver d(def);
    for (size_t i = 1; i + 9 <= size; i += 9) {
        if (!d.step(data[i], word(data + i + 1), word(data + i + 5))) {
            fprintf(stderr, "step %zu: %s\n", (i - 1) / 9, d.failure().c_str());
            abort();
        }
    }
    return 0;
}
