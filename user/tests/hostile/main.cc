// `hostile`: a root task (init=hostile) that feeds the kernel bad input of
// every kind and checks that each attempt fails cleanly. Exits 0 when every
// test passed.
#include "runtime/console.h"
#include "runtime/syscall.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"
#include "user/tests/hostile/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_slot_tests(r);
    run_rights_tests(r);
    run_address_tests(r);
    run_fault_tests(r);
    run_ipc_tests(r);
    run_exhaustion_tests(r);
    return r.finish() ? 1 : 0;
}
