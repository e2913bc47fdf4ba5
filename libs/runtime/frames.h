// Frames for the root task: a bump allocator over the Memory capabilities
// the kernel hands the root task (abi::BootInfo::memory[]), minting one
// Frame capability per block (Sys::MemoryMintFrame).
//
// It never reuses memory: test programs and benchmarks run briefly and
// the root task of a real system (the pager) has its own buddy allocator.
// Blocks are naturally aligned (pfn a multiple of 2^order), as the kernel
// requires. Frames are not zeroed here: the kernel does not promise that
// minted frames are, and callers that need zeroes write them.
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "abi/cap.h"
#include "base/addr.h"
#include "base/result.h"
#include "runtime/slots.h"

// A Frame capability we own and the block it names.
struct Frame {
    CapSlot cap;
    Pfn pfn;
    Order order;

    unsigned slot() const { return cap.slot(); }
    uint64_t pages() const { return order.pages(); }
};

class FrameAllocator {
public:
    struct Range {
        unsigned slot;  // the Memory capability
        uint32_t node;
        uint64_t first_pfn, end_pfn;
        uint64_t next_pfn;  // everything below is handed out
    };

    // Takes the ranges listed in `boot`; forgets any earlier state.
    void init(const abi::BootInfo& boot);
    // Forgets every range (tasks other than the root hold no Memory caps).
    void clear() { nr_ranges_ = 0; }

    // Mints a block of 2^order frames with `rights` into a fresh slot, from
    // the first range with room (on `node` only, if node >= 0).
    // NoMemory: no range has room; OutOfSlots: no free slot; otherwise the
    // Error of MemoryMintFrame.
    Result<Frame> alloc(Order order, uint64_t rights = abi::RIGHT_READ | abi::RIGHT_WRITE, int node = -1);

    // Removes the last `pages` frames of range `index` from what alloc()
    // hands out (before giving them away, e.g. Sys::MemoryDonate) and
    // returns the first of them. OutOfRange: no such range; NoMemory: fewer
    // than `pages` frames are left unallocated at its end.
    Result<Pfn> take_tail(unsigned index, uint64_t pages);

    unsigned nr_ranges() const { return nr_ranges_; }
    const Range& range(unsigned i) const { return ranges_[i]; }

private:
    Range ranges_[abi::BOOT_MAX_MEMORY] = {};
    unsigned nr_ranges_ = 0;
};

// The calling task's allocator (empty except in the root task).
FrameAllocator& frames();
