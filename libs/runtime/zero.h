// Zeroing whole pages, as the pager does for demand-zero faults (and as
// pbench measures it): eight 8-byte stores per iteration, so that the
// loop's step and test are paid once per 64 bytes rather than once per
// store. Plain stores: the kernel image and user programs are built
// without the vector extension.
#pragma once

#include <stdint.h>

#include "base/addr.h"

inline void zero_page(void* page) {
    auto* w = static_cast<volatile uint64_t*>(page);
    for (uint64_t i = 0; i < PAGE_SIZE / 8; i += 8) {
        w[i + 0] = 0;
        w[i + 1] = 0;
        w[i + 2] = 0;
        w[i + 3] = 0;
        w[i + 4] = 0;
        w[i + 5] = 0;
        w[i + 6] = 0;
        w[i + 7] = 0;
    }
}
