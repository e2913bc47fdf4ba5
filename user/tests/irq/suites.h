// The suites of the `irq` test program.
#pragma once

#include "testrunner/testrunner.h"

void run_irq_tests(unity::Runner& r);
