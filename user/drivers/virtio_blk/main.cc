// virtio_blk: the virtio block driver as a program the pager starts
// (manifest: `run virtio_blk driver=virtio-blk`; pager/devices.cc gives it
// the slots abi/block.h names). The pager starts it only for registers
// that begin a page, so their offset in their Frame is 0.
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "user/drivers/virtio_blk/driver.h"

extern "C" int main(uint64_t arg) {
    auto args = pager::start_task(arg);
    if (!args.ok()) {
        uprintf("virtio_blk: no argument block (%s)\n", error_name(args.error()));
        return 1;
    }
    return blk::driver_main(0);
}
