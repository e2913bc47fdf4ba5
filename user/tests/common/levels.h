// The kernel pool and the calling task's kernel memory account, read
// before and after a test to see that everything came back.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"

struct Levels {
    uint64_t pool_free, kmem_used;
};

inline Result<Levels> levels() {
    const sys::KernelInfo k = TRY(sys::kernel_info());
    const auto m = TRY(sys::kmem_info());
    return Levels{k.pool_free, m.used};
}

// Both levels as they were at `start` (a Levels).
#define EXPECT_LEVELS(start)                            \
    do {                                                \
        ASSERT_VALUE(now_, levels());                   \
        EXPECT_EQ_U(now_.pool_free, (start).pool_free); \
        EXPECT_EQ_U(now_.kmem_used, (start).kmem_used); \
    } while (0)
