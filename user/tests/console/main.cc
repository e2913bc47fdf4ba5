// `console`: a root task (init=console) that starts the UART driver and
// uses it as a console's clients would, with the QEMU test typing at the
// serial console (tests/qemu/user.cmake, --input-after); exits with 0
// when every test passed.
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"
#include "user/tests/console/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_console_tests(r);
    return r.finish() ? 1 : 0;
}
