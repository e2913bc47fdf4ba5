#include "runtime/slots.h"

#include "base/bits.h"
#include "runtime/syscall.h"

namespace {
constinit SlotAllocator g_slots;
}

SlotAllocator& slots() { return g_slots; }

Status make_slot_room(uint64_t first, uint64_t end) {
    if (first == abi::SLOT_NULL) first = 1;  // never a slot to fill
    uint64_t s = first;
    while (s < end) {
        const uint64_t leaf_end = (s / abi::CAP_LEAF_SLOTS + 1) * abi::CAP_LEAF_SLOTS;
        const uint64_t part_end = leaf_end < end ? leaf_end : end;
        while (s < part_end && sys::cap_identify(s).ok()) s++;
        if (s < part_end) {
            TRY_STATUS(sys::cap_copy(abi::SLOT_SELF_TASK, 0, s, abi::RIGHT_READ));
            TRY_STATUS(sys::cap_delete(s));
        }
        s = part_end;
    }
    return {};
}

void SlotAllocator::reset(unsigned first, unsigned end) {
    for (auto& w : free_) w = 0;
    if (end > MAX_SLOTS) end = MAX_SLOTS;
    if (first == abi::SLOT_NULL) first = 1;  // slot 0 is never usable
    for (unsigned s = first; s < end; s++) free_[s / 64] |= uint64_t(1) << (s % 64);
}

Result<unsigned> SlotAllocator::alloc() {
    for (unsigned i = 0; i < WORDS; i++) {
        if (free_[i] == 0) continue;
        const unsigned bit = bits::lowest_set(free_[i]);
        free_[i] &= ~(uint64_t(1) << bit);
        return i * 64 + bit;
    }
    return Error::OutOfSlots;
}

void SlotAllocator::free(unsigned slot) {
    if (slot == abi::SLOT_NULL || slot >= MAX_SLOTS) return;
    free_[slot / 64] |= uint64_t(1) << (slot % 64);
}

Status SlotAllocator::claim(unsigned slot) {
    if (slot >= MAX_SLOTS) return Error::OutOfRange;
    const uint64_t bit = uint64_t(1) << (slot % 64);
    if (!(free_[slot / 64] & bit)) return Error::Busy;
    free_[slot / 64] &= ~bit;
    return ok_status();
}

CapSlot& CapSlot::operator=(CapSlot&& o) {
    if (this != &o) {
        reset();
        slot_ = o.release();
    }
    return *this;
}

Result<CapSlot> CapSlot::alloc() {
    unsigned slot = TRY(slots().alloc());
    return CapSlot(slot);
}

unsigned CapSlot::release() {
    unsigned s = slot_;
    slot_ = 0;
    return s;
}

void CapSlot::reset() {
    if (!slot_) return;
    (void)sys::cap_delete(slot_);
    slots().free(slot_);
    slot_ = 0;
}
