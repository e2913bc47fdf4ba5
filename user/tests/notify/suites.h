// The suites of the `notify` test program.
#pragma once

#include "testrunner/testrunner.h"

void run_notify_tests(unity::Runner& r);
