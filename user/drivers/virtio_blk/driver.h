// A virtio block device driver (virtio 1.x section 5.2, over the MMIO
// transport of section 4.2, legacy (version 1) or modern (version 2)),
// serving the block protocol of abi/block.h on an endpoint.
//
// It runs as a task of its own, started with the slots abi/block.h names
// filled (the device's registers, its interrupt line, the endpoint it
// serves, memory for its virtqueue and request headers) and its
// registers' offset in their Frame as the thread's argument. Requests are
// queued on the device as they come, up to the queue's room (several in
// flight); each is answered when the device's interrupt says it is done.
#pragma once

#include <stdint.h>

namespace blk {

// The driver's body: sets the device up, prints what it found, serves
// until its endpoint dies. Returns 1 when the device cannot be used.
int driver_main(uint64_t regs_offset);

}  // namespace blk
