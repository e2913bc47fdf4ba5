// `blk`: a root task (init=blk) that starts the virtio block driver on
// the disk QEMU attaches, drives it as its clients would, and exits with
// 0 when every test passed. The host then reads the disk image and checks
// every pattern the tests wrote (tests/qemu/user.cmake, --check-disk).
#include "runtime/console.h"
#include "testrunner/testrunner.h"
#include "user/tests/blk/suites.h"
#include "user/tests/common/root.h"

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    run_blk_tests(r);
    return r.finish() ? 1 : 0;
}
