// On-target test suites, run with ktest=SUITE[,SUITE] or ktest=all on the
// kernel command line. Each suite prints Unity-style lines through the
// shared runner (lib/testrunner.h); tests/qemu registers the boots.
#pragma once

#include "cmdline/cmdline.h"
#include "testrunner/testrunner.h"

struct KtestSuite {
    const char* name;
    void (*run)(unity::Runner& r);
};

// Runs the suites named in `which`; returns the number of failed tests.
// An unknown suite name counts as a failure, so a typo never passes.
unsigned ktest_run(StrView which);

// Suites (kernel/ktest/*.cc).
void ktest_paging(unity::Runner& r);
void ktest_phys_memory(unity::Runner& r);
void ktest_verify(unity::Runner& r);
