// The on-target runner's output is parsed by tests/qemu/qemu_test.py, so
// its exact format is part of the contract.
#include <gtest/gtest.h>

#include <string>

#define UNITY_NO_SHORT_NAMES
#include "testrunner/testrunner.h"

namespace {

std::string g_out;
TextSink sink() {
    return TextSink{[](void*, const char* s, size_t n) { g_out.append(s, n); }, nullptr};
}

void passes(unity::Runner& r) { UNITY_EXPECT_TRUE(1 + 1 == 2); }
void fails_twice(unity::Runner& r) {
    UNITY_EXPECT_EQ_U(3, 4);
    UNITY_EXPECT_TRUE(false);  // only the first failure is reported
}

TEST(TestRunner, PrintsUnityLinesAndSummary) {
    g_out.clear();
    unity::Runner r(sink());
    r.run("k.cc", 10, "passes", passes);
    r.run("k.cc", 20, "fails_twice", fails_twice);
    r.ignore("k.cc", 30, "skipped", "not on this machine");
    EXPECT_EQ(r.finish(), 1u);
    EXPECT_NE(g_out.find("k.cc:10:passes:PASS\n"), std::string::npos) << g_out;
    EXPECT_NE(g_out.find(":fails_twice:FAIL: 3 == 4: 0x3 != 0x4\n"), std::string::npos) << g_out;
    EXPECT_NE(g_out.find("k.cc:30:skipped:IGNORE: not on this machine\n"), std::string::npos);
    EXPECT_NE(g_out.find("-----------------------\n3 Tests 1 Failures 1 Ignored\nFAIL\n"), std::string::npos)
        << g_out;
}

// Each operand of a check is evaluated once, whether it passes or fails:
// a test that checks what a call returns makes the call once.
int g_calls = 0;
uint64_t counted(uint64_t v) {
    g_calls++;
    return v;
}
void checks_a_call(unity::Runner& r) {
    UNITY_EXPECT_EQ_U(counted(5), 5);
    UNITY_EXPECT_EQ_U(counted(6), counted(7));
}

TEST(TestRunner, ChecksEvaluateTheirOperandsOnce) {
    g_out.clear();
    g_calls = 0;
    unity::Runner r(sink());
    r.run("k.cc", 40, "checks_a_call", checks_a_call);
    EXPECT_EQ(g_calls, 3);
    EXPECT_NE(g_out.find(":checks_a_call:FAIL: counted(6) == counted(7): 0x6 != 0x7\n"), std::string::npos)
        << g_out;
}

TEST(TestRunner, AllPassingEndsWithOK) {
    g_out.clear();
    unity::Runner r(sink());
    r.run("k.cc", 1, "a", passes);
    EXPECT_EQ(r.finish(), 0u);
    EXPECT_NE(g_out.find("1 Tests 0 Failures 0 Ignored\nOK\n"), std::string::npos) << g_out;
}

}  // namespace

namespace {
TEST(TestRunner, FailWithoutRunningCounts) {
    g_out.clear();
    unity::Runner r(sink());
    r.fail("k.cc", 5, "suite_name", "unknown suite 'x'");
    EXPECT_EQ(r.finish(), 1u);
    EXPECT_NE(g_out.find("k.cc:5:suite_name:FAIL: unknown suite 'x'\n"), std::string::npos) << g_out;
    EXPECT_NE(g_out.find("1 Tests 1 Failures 0 Ignored\nFAIL\n"), std::string::npos) << g_out;
}
}  // namespace
