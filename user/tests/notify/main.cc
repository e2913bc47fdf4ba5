// `notify`: a root task (init=notify) that exercises notifications
// (docs/syscalls.md, "Notifications") and exits with 0 when every test
// passed.
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"
#include "user/tests/notify/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_notify_tests(r);
    return r.finish() ? 1 : 0;
}
