// What a root task needs to run the virtio block driver and talk to it:
// finding the disk among the devices the kernel listed, starting the
// driver on it as a task of its own (abi/block.h's slots filled), and one
// request of the block protocol.
#pragma once

#include <stdint.h>

#include "abi/block.h"
#include "abi/boot.h"
#include "base/result.h"
#include "runtime/spawn.h"

namespace blk {

// The virtio-mmio slot holding a block device, or nullptr.
const abi::BootDevice* find_virtio_disk();

// Starts the driver on `dev` in a new task made with `opt` (its fault and
// end endpoints, priority), serving the endpoint in our slot `ep`. Its
// virtqueue and header memory is allocated for good: a driver that dies
// leaves its device pointing there until the next one resets it.
// Errors: those of Child::create and give, IrqControlGet (Busy: the line
// is held), and the frame allocator.
Result<Child> start_virtio_blk(const abi::BootDevice& dev, const ChildOptions& opt, unsigned ep);

// One request on endpoint `ep`, with the Frame in our slot `frame` (0:
// none): the reply's error and words w1..w5.
struct Reply {
    Error error;
    uint64_t w[5];
};
Reply request(unsigned ep, abi::BlockOp op, uint64_t sector = 0, uint64_t count = 0, uint64_t offset = 0,
              unsigned frame = 0);

}  // namespace blk
