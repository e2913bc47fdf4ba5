// A Unity-style test runner for code running on the target (kernel now,
// user programs later). Output, one line per test, then a summary:
//
//   kernel/ktest/fdt.cc:42:memory_banks_present:PASS
//   kernel/ktest/fdt.cc:57:bootargs_match:FAIL: expected "x", got "y"
//   kernel/ktest/fdt.cc:60:initrd_found:IGNORE: no initrd
//   -----------------------
//   3 Tests 1 Failures 1 Ignored
//   FAIL
//
// tests/qemu/qemu_test.py parses exactly this.
#pragma once

#include <stdarg.h>
#include <stdint.h>

#include "format/format.h"

namespace unity {

class Runner {
public:
    explicit Runner(TextSink out) : out_(out) {}

    using TestFn = void (*)(Runner&);
    void run(const char* file, int line, const char* name, TestFn fn);
    void ignore(const char* file, int line, const char* name, const char* reason);
    // Records a test that failed without running (e.g. a suite that does not exist).
    void fail(const char* file, int line, const char* name, const char* reason);

    // Records a failed check (the first one per test is reported) and
    // returns `cond` so callers can stop early.
    bool check(bool cond, const char* file, int line, const char* fmt, ...)
        __attribute__((format(printf, 5, 6)));

    // Prints the summary; returns the number of failed tests.
    unsigned finish();

private:
    TextSink out_;
    unsigned tests_ = 0, failures_ = 0, ignored_ = 0;
    bool current_failed_ = false;
    const char* fail_file_ = nullptr;
    int fail_line_ = 0;
    char fail_msg_[160] = {};
};

}  // namespace unity

// Inside a test function taking `unity::Runner& r`. The short names
// (EXPECT_TRUE, ...) are left out where UNITY_NO_SHORT_NAMES is defined,
// e.g. next to GoogleTest, which has its own.
#define RUN_TEST(r, fn) (r).run(__FILE__, __LINE__, #fn, fn)
#define UNITY_EXPECT_TRUE(cond) r.check((cond), __FILE__, __LINE__, "expected %s", #cond)
// Each operand is evaluated once (a call in it happens once).
#define UNITY_EXPECT_EQ_U(a, b)                                                               \
    ({                                                                                        \
        const uint64_t unity_a_ = uint64_t(a), unity_b_ = uint64_t(b);                        \
        r.check(unity_a_ == unity_b_, __FILE__, __LINE__, "%s == %s: 0x%lx != 0x%lx", #a, #b, \
                static_cast<unsigned long>(unity_a_), static_cast<unsigned long>(unity_b_));  \
    })
#define UNITY_ASSERT_TRUE(cond)               \
    do {                                      \
        if (!UNITY_EXPECT_TRUE(cond)) return; \
    } while (0)
#ifndef UNITY_NO_SHORT_NAMES
#define EXPECT_TRUE(cond) UNITY_EXPECT_TRUE(cond)
#define EXPECT_EQ_U(a, b) UNITY_EXPECT_EQ_U(a, b)
#define ASSERT_TRUE(cond) UNITY_ASSERT_TRUE(cond)
#endif
