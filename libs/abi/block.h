// The block device protocol (docs/block-protocol.md), shared by block
// drivers (user/drivers/virtio_blk) and their clients.
//
// A client Calls the driver's endpoint with
//   w0 = BlockOp, w1 = first sector, w2 = sectors, w3 = byte offset in
//   the frame (a multiple of BLOCK_SECTOR)
// and, for Read and Write, a Frame capability travelling with the Call:
// the driver learns its physical address from it and the device moves
// the data straight to or from it (Read needs the Frame's Write right,
// Write its Read right). The reply:
//   w0 = Error, w1 = bytes transferred;
//   Info: w1 = capacity in sectors, w2 = BLOCK_SECTOR, w3 = the most
//   sectors one request may move, w4 = requests in flight at most, w5 =
//   the most that were in flight at once so far.
#pragma once

#include <stdint.h>

namespace abi {

enum class BlockOp : uint64_t { Info = 1, Read = 2, Write = 3, Flush = 4 };

inline constexpr uint64_t BLOCK_SECTOR = 512;

// The slots a block driver starts with (its starter fills them), past
// those its runtime hands out (abi::CAP_SLOTS) and among those an IPC
// message names (abi::IPC_SLOTS).
inline constexpr unsigned BLK_SLOT_REGS = 320;     // Frame: the device's registers
inline constexpr unsigned BLK_SLOT_IRQ = 321;      // IrqHandler: its line
inline constexpr unsigned BLK_SLOT_SERVE = 322;    // Endpoint (Read): requests come here
inline constexpr unsigned BLK_SLOT_RING = 323;     // Frame, 2 pages, read-write: the virtqueue
inline constexpr unsigned BLK_SLOT_HEADERS = 324;  // Frame, 1 page, read-write: request headers
inline constexpr unsigned BLK_SLOT_FREE = 328;     // the first slot the driver uses for itself (to 511)

}  // namespace abi
