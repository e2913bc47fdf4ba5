// The suites of the `blk` test program.
#pragma once

#include "testrunner/testrunner.h"

void run_blk_tests(unity::Runner& r);
