// The suites of the `console` test program.
#pragma once

#include "testrunner/testrunner.h"

void run_console_tests(unity::Runner& r);
