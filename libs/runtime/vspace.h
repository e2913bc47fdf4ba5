// Mapping frames into the calling task's own address space, and the
// address-space layout the runtime uses.
//
// A Frame capability maps at most once, so every function here maps a fresh
// copy of the capability and keeps it; deleting the copy removes the
// mapping (docs/syscalls.md) and leaves the original untouched.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "base/addr.h"
#include "base/result.h"
#include "runtime/frames.h"
#include "runtime/slots.h"

// Layout of the user half (Sv39, [abi::USER_BASE, abi::USER_END)):
//   0x10000 ..               the program image (libs/runtime/user.ld)
//   LOCAL_MAP_BASE .. END    LocalMap windows; the same address is used when
//                            a frame is shared with a child (Child::map)
//   CHILD_STACK_TOP          top of the stack of a task made by Child
// The root task's stack and BootInfo page lie where the kernel put them;
// a window that collides with them is skipped (Map answers Busy).
inline constexpr uint64_t LOCAL_MAP_BASE = 0x20'0000'0000;
inline constexpr uint64_t LOCAL_MAP_END = 0x30'0000'0000;
inline constexpr uint64_t CHILD_STACK_TOP = 0x3f'0000'0000;

// A copy of a Frame capability mapped into our own address space.
class LocalMap {
public:
    LocalMap() = default;
    LocalMap(LocalMap&&) = default;
    LocalMap& operator=(LocalMap&&) = default;

    // Maps a copy of the Frame in `frame_slot` (2^order pages) with
    // `rights` at a free, naturally aligned address of the window.
    // OutOfSlots: no free slot; NoMemory: the window is used up; otherwise
    // the Error of CapCopy or Map (e.g. InvalidArgument for rights the
    // capability lacks).
    static Result<LocalMap> map(unsigned frame_slot, Order order,
                                uint64_t rights = abi::RIGHT_READ | abi::RIGHT_WRITE);

    VirtAddr addr() const { return addr_; }
    uint64_t bytes() const { return bytes_; }
    template <typename T>
    T* as() const {
        return addr_.as<T>();
    }
    unsigned slot() const { return copy_.slot(); }  // the mapped copy
    bool valid() const { return copy_.valid(); }

    // Deletes the copy, which unmaps it.
    void reset() { copy_.reset(); }

private:
    CapSlot copy_;
    VirtAddr addr_;
    uint64_t bytes_ = 0;
};

// A freshly minted, zeroed block that we map and may share with children.
struct SharedMemory {
    Frame frame;
    LocalMap local;

    // NoMemory, OverQuota, or the Error of minting or mapping.
    static Result<SharedMemory> create(Order order = Order(0));

    template <typename T>
    T* as() const {
        return local.as<T>();
    }
    VirtAddr addr() const { return local.addr(); }
};

// Plain loops (no libc) for whole pages. zero_bytes: n a multiple of 8
// and dst 8-byte aligned.
void zero_bytes(void* dst, uint64_t n);
void copy_bytes(void* dst, const void* src, uint64_t n);
