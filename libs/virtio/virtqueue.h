// A split virtqueue (virtio 1.x, section 2.7; the legacy interface's
// layout, 2.7.2 and 4.2.4): the descriptor table, the available ring the
// driver fills and the used ring the device fills, in one physically
// contiguous block of memory shared with the device.
//
// The driver side only. A request is a chain of descriptors, each a
// buffer the device reads or writes; submit() puts one on the available
// ring, take_used() hands back each chain the device has finished, with
// the bytes it wrote. Descriptors come from a free list, so requests
// finish in any order. Freestanding: the caller owns the memory (mapped,
// and its physical address known) and tells the device where it is.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace virtio {

// Descriptor flags (2.7.5).
inline constexpr uint16_t DESC_F_NEXT = 1;   // the chain goes on at `next`
inline constexpr uint16_t DESC_F_WRITE = 2;  // the device writes this buffer

struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(Desc) == 16);

struct UsedElem {
    uint32_t id;   // the head of the chain
    uint32_t len;  // bytes the device wrote into it
};
static_assert(sizeof(UsedElem) == 8);

// Where the three parts lie from the start of the block, for a queue of
// `n` entries whose used ring is aligned to `align` (the legacy
// interface's QueueAlign; 4096 on QEMU): the descriptor table first, the
// available ring after it, the used ring at the next multiple of align.
// A modern device accepts the same layout (its alignments are smaller).
struct Layout {
    uint64_t desc, avail, used, bytes;
};
constexpr uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
constexpr Layout layout(uint16_t n, uint64_t align) {
    const uint64_t desc = 0, avail = uint64_t(n) * sizeof(Desc);
    const uint64_t avail_bytes = 2 * sizeof(uint16_t) + uint64_t(n) * sizeof(uint16_t) + sizeof(uint16_t);
    const uint64_t used = align_to(avail + avail_bytes, align);
    const uint64_t used_bytes = 2 * sizeof(uint16_t) + uint64_t(n) * sizeof(UsedElem) + sizeof(uint16_t);
    return Layout{desc, avail, used, align_to(used + used_bytes, align)};
}

// The largest queue this code makes (the free list and ring indices fit
// 16 bits; the device may offer more and is told less).
inline constexpr uint16_t MAX_QUEUE = 1024;

class Queue {
public:
    // One buffer of a request: its physical address and length, and
    // whether the device writes it (the driver reads it back) or reads it.
    struct Buffer {
        uint64_t addr;
        uint32_t len;
        bool device_writes;
    };

    // Takes the block at `mem` (the driver's address; physical `phys`) of
    // layout(n, align).bytes bytes, zeroes it and links every descriptor
    // into the free list. `n` a power of two in 1..MAX_QUEUE.
    // Errors: InvalidArgument.
    Status init(void* mem, uint64_t phys, uint16_t n, uint64_t align);

    uint16_t size() const { return n_; }
    uint16_t free_descriptors() const { return nr_free_; }
    // Where the parts are, physically, for the device's registers.
    uint64_t desc_phys() const { return phys_ + layout_.desc; }
    uint64_t avail_phys() const { return phys_ + layout_.avail; }
    uint64_t used_phys() const { return phys_ + layout_.used; }

    // Chains `bufs[0..count)` (count >= 1), in order, and makes the chain
    // available to the device; returns its head, which take_used() gives
    // back when the device is done. The caller notifies the device
    // afterwards. Errors: Busy (not enough free descriptors: wait for
    // some to come back), InvalidArgument (count 0).
    Result<uint16_t> submit(const Buffer* bufs, unsigned count);

    // The next chain the device has finished, its descriptors free again:
    // true with *out filled, or false when there is none. The device is
    // not trusted: a used entry naming no chain in flight (past the
    // queue, not a head, or finished already) is passed over and counted,
    // and cannot touch the free list.
    bool take_used(UsedElem* out);
    uint64_t bogus_used() const { return bogus_used_; }

private:
    Desc* desc() const { return reinterpret_cast<Desc*>(mem_ + layout_.desc); }
    volatile uint16_t* avail_idx() const {
        return reinterpret_cast<volatile uint16_t*>(mem_ + layout_.avail + 2);
    }
    volatile uint16_t* avail_ring() const {
        return reinterpret_cast<volatile uint16_t*>(mem_ + layout_.avail + 4);
    }
    volatile uint16_t* used_idx() const {
        return reinterpret_cast<volatile uint16_t*>(mem_ + layout_.used + 2);
    }
    volatile UsedElem* used_ring() const {
        return reinterpret_cast<volatile UsedElem*>(mem_ + layout_.used + 4);
    }
    void free_chain(uint16_t head);

    uint8_t* mem_ = nullptr;
    uint64_t phys_ = 0;
    Layout layout_{};
    uint16_t n_ = 0;
    uint16_t free_head_ = 0;
    uint16_t nr_free_ = 0;
    uint16_t avail_next_ = 0;  // our copy of avail->idx
    uint16_t used_seen_ = 0;   // used->idx as far as take_used() has gone
    uint64_t bogus_used_ = 0;
    bool in_flight_[MAX_QUEUE] = {};  // heads of chains the device has and has not finished
};

}  // namespace virtio
