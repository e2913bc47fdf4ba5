// Capability slots of the calling task: which are free for new
// capabilities, and CapSlot, a slot that owns the capability in it.
//
// The kernel alone knows what a slot holds; this is the task's own
// bookkeeping of which slots it has handed out, so that the runtime and tests
// never pick a slot that is in use. The root task may use
// [abi::SLOT_ROOT_FREE, abi::ROOT_CAP_SLOTS); other tasks
// [abi::SLOT_FIRST_FREE, abi::CAP_SLOTS).
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "abi/cap.h"
#include "base/result.h"

class SlotAllocator {
public:
    // Makes [first, end) the free slots and forgets everything else.
    void reset(unsigned first, unsigned end);

    // The lowest free slot. OutOfSlots when none is left.
    Result<unsigned> alloc();
    // Returns a slot; freeing a slot that is not allocated is ignored.
    void free(unsigned slot);
    // Marks a specific free slot as allocated (a program that picks its
    // own slots, as the fuzzer does). Errors: OutOfRange, Busy (not free).
    Status claim(unsigned slot);

private:
    static constexpr unsigned MAX_SLOTS = abi::ROOT_CAP_SLOTS;
    static constexpr unsigned WORDS = MAX_SLOTS / 64;
    uint64_t free_[WORDS] = {};  // bit set = slot free
};

// The calling task's allocator (set up by rt::init_root / rt_thread_main).
SlotAllocator& slots();

// Makes the kernel's room for the slots [first, end) of the calling
// task's capability space, so that filling them later grows nothing
// (docs/syscalls.md, "Capability space"): in each leaf's part of the
// range (abi::CAP_LEAF_SLOTS slots) a capability is put in the first
// empty slot and deleted again; a part with no empty slot has its room
// already. Errors: those of CapCopy (InvalidCap past the space,
// OutOfSlots, NoMemory); the room made before stays.
Status make_slot_room(uint64_t first, uint64_t end);

// A slot and the capability in it. The destructor deletes the capability
// (if any) and returns the slot. Move-only.
class CapSlot {
public:
    CapSlot() = default;
    // Takes ownership of `slot` (already allocated from slots()).
    explicit CapSlot(unsigned slot) : slot_(slot) {}
    ~CapSlot() { reset(); }
    CapSlot(CapSlot&& o) : slot_(o.release()) {}
    CapSlot& operator=(CapSlot&& o);
    CapSlot(const CapSlot&) = delete;
    CapSlot& operator=(const CapSlot&) = delete;

    // An empty slot from slots(); OutOfSlots when none is left.
    static Result<CapSlot> alloc();

    unsigned slot() const { return slot_; }
    bool valid() const { return slot_ != 0; }
    // Gives up ownership: the capability stays and the slot is not freed.
    unsigned release();
    // Deletes the capability (errors ignored: the slot may be empty) and
    // frees the slot.
    void reset();

private:
    unsigned slot_ = 0;
};
