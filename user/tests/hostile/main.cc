// `hostile`: a root task (init=hostile) that feeds the kernel bad input of
// every kind and checks that each attempt fails cleanly. Exits 0 when every
// test passed.
#include "runtime/console.h"
#include "runtime/runtime.h"
#include "runtime/syscall.h"
#include "testrunner/testrunner.h"
#include "user/tests/hostile/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (Status s = rt::init_root(arg); !s.ok()) {
        r.fail(__FILE__, __LINE__, "boot_info", error_name(s.error()));
        r.finish();
        return 1;
    }
    run_slot_tests(r);
    run_rights_tests(r);
    run_address_tests(r);
    run_fault_tests(r);
    run_ipc_tests(r);
    run_exhaustion_tests(r);
    return r.finish() ? 1 : 0;
}
