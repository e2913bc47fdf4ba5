// The suites of the `capspace` test program.
#pragma once

#include "testrunner/testrunner.h"

void run_capspace_tests(unity::Runner& r);
