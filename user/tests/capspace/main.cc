// `capspace`: a root task (init=capspace) that exercises capability spaces
// (docs/syscalls.md, "Capability space") and exits with 0 when every test
// passed.
#include "runtime/console.h"
#include "runtime/runtime.h"
#include "testrunner/testrunner.h"
#include "user/tests/capspace/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (Status s = rt::init_root(arg); !s.ok()) {
        r.fail(__FILE__, __LINE__, "boot_info", error_name(s.error()));
        r.finish();
        return 1;
    }
    run_capspace_tests(r);
    return r.finish() ? 1 : 0;
}
