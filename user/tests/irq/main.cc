// `irq`: a root task (init=irq) that exercises device registers and
// interrupts as capabilities (docs/syscalls.md, "Interrupts" and
// "Devices") on QEMU's virt machine, and exits with 0 when every test
// passed.
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"
#include "user/tests/irq/suites.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_irq_tests(r);
    return r.finish() ? 1 : 0;
}
