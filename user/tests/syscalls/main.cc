// `syscalls`: a root task (init=syscalls) that exercises every system call
// of docs/syscalls.md, its success path and each documented error, and
// exits with 0 when every test passed.
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"
#include "user/tests/syscalls/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_misc_tests(r);
    run_cap_tests(r);
    run_memory_cap_tests(r);
    run_mapping_tests(r);
    run_task_tests(r);
    run_lifecycle_tests(r);
    run_fault_tests(r);
    run_ipc_tests(r);
    run_sched_tests(r);
    return r.finish() ? 1 : 0;
}
