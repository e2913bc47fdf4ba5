// Checks for user-space test programs on top of the shared Unity runner
// (libs/testrunner/testrunner.h). Each is used inside a test function taking
// `unity::Runner& r`; the ASSERT_ forms return from it on failure.
//
//   EXPECT_ERR(sys::unmap(slot), Error::NotFound);
//   ASSERT_OK(sys::endpoint_create(ep.slot()));
//   ASSERT_VALUE(info, sys::cap_identify(slot));   // info: the value
#pragma once

#include "base/error.h"
#include "runtime/console.h"
#include "testrunner/testrunner.h"

#define EXPECT_ERR(expr, want)                                                                              \
    ({                                                                                                      \
        const Error _got = (expr).error();                                                                  \
        r.check(_got == (want), __FILE__, __LINE__, "%s: got '%s', expected '%s'", #expr, error_name(_got), \
                error_name(want));                                                                          \
    })
#define EXPECT_OK(expr) EXPECT_ERR(expr, Error::None)
#define ASSERT_ERR(expr, want)               \
    do {                                     \
        if (!EXPECT_ERR(expr, want)) return; \
    } while (0)
#define ASSERT_OK(expr) ASSERT_ERR(expr, Error::None)

// Declares `var` as a reference to the value of a Result, or fails the test.
// `var` is the name being declared, which parentheses cannot enclose.
#define ASSERT_VALUE(var, expr)                                                \
    auto var##_result = (expr);                                                \
    if (!r.check(var##_result.ok(), __FILE__, __LINE__, "%s: got '%s'", #expr, \
                 error_name(var##_result.error())))                            \
        return;                                                                \
    [[maybe_unused]] auto& var = var##_result.value()  // NOLINT(bugprone-macro-parentheses)

// Either of two errors (where docs/syscalls.md allows both).
#define EXPECT_ERR2(expr, a, b)                                                                        \
    ({                                                                                                 \
        const Error _got = (expr).error();                                                             \
        r.check(_got == (a) || _got == (b), __FILE__, __LINE__, "%s: got '%s', expected '%s' or '%s'", \
                #expr, error_name(_got), error_name(a), error_name(b));                                \
    })
