// `capspace`: a root task (init=capspace) that exercises capability spaces
// (docs/syscalls.md, "Capability space") and exits with 0 when every test
// passed.
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/capspace/suites.h"
#include "user/tests/common/root.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_capspace_tests(r);
    return r.finish() ? 1 : 0;
}
