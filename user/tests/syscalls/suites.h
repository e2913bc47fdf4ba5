// The suites of the `syscalls` test program (one file each).
#pragma once

#include "testrunner/testrunner.h"

void run_misc_tests(unity::Runner& r);
void run_cap_tests(unity::Runner& r);
void run_memory_cap_tests(unity::Runner& r);
void run_mapping_tests(unity::Runner& r);
void run_task_tests(unity::Runner& r);
void run_lifecycle_tests(unity::Runner& r);
void run_fault_tests(unity::Runner& r);
void run_ipc_tests(unity::Runner& r);
void run_sched_tests(unity::Runner& r);
