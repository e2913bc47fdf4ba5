// Capability tables and the derivation tree.
//
// Contracts: lookups never change anything; install() and remove() keep
// reference counts and the derivation tree consistent; remove() of a
// Frame removes its mapping; revoke() removes every descendant.
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"
#include "kernel/obj/rights.h"
#include "kernel/obj/task.h"

// A Task or Thread capability, which keeps its task reachable from where
// it sits (tasks::holder_placed).
inline bool names_a_task(const Cap& c) {
    return c.type == abi::CapType::Task || c.type == abi::CapType::Thread;
}

namespace caps {

// The capability in `slot` of `task`. Errors: InvalidCap (empty: slot 0,
// which nothing fills, a slot past abi::MAX_CAP_SLOTS or in a leaf not
// made yet included).
inline Result<Cap*> lookup(Task* task, uint64_t slot) {
    Cap* c = task->space.find(slot);
    if (!c->is_cap()) return Error::InvalidCap;
    return c;
}
// The same, also checking its type and that it has the rights `need`.
// Errors: InvalidCap, WrongType, NoRights.
inline Result<Cap*> lookup(Task* task, uint64_t slot, abi::CapType type, uint8_t need) {
    Cap* c = task->space.find(slot);
    if (c->type != type) return c->is_cap() ? Error::WrongType : Error::InvalidCap;
    if (!rights::within(need, c->rights)) return Error::NoRights;
    return c;
}

// Whether `c` may be copied (CapCopy, or sent with a message): all but a
// Reply capability, which answers one Call once, and an IrqHandler,
// which one task holds (irq.h).
inline bool copyable(const Cap& c) {
    return c.type != abi::CapType::Reply && c.type != abi::CapType::IrqHandler;
}

// Whether looking for an empty slot may make the leaf it lies in
// (CapSpace::grow_to): the general paths do; the IPC fast paths, which
// make no calls, do not, and neither do deliveries into slots whose
// leaves were made when the slots were named (ipc::recv_slots_ok).
enum class Grow : bool { No, Yes };

// An empty slot to fill, in a leaf made for it now if need be (charged
// to `task`). Errors: InvalidCap (slot 0, past abi::MAX_CAP_SLOTS; with
// Grow::No also a leaf not made yet), Busy (in use), OutOfSlots (no leaf
// within task's kernel memory limit), NoMemory (kernel pool).
inline Result<Cap*> empty_slot(Task* task, uint64_t slot, Grow grow = Grow::Yes) {
    if (slot == 0) return Error::InvalidCap;
    Cap* c = task->space.find(slot);
    if (c->empty()) return c;
    if (c->type != CAP_ABSENT) return Error::Busy;
    if (grow == Grow::No) return Error::InvalidCap;
    return task->space.grow_to(task, slot);  // a new leaf's slots are empty
}

// Links `c` as the first child of `parent` (nullptr: a root).
inline void link_child(Cap* parent, Cap* c) {
    c->parent = parent;
    c->prev_sibling = nullptr;
    c->next_sibling = parent ? parent->first_child : nullptr;
    if (parent) {
        if (parent->first_child) parent->first_child->prev_sibling = c;
        parent->first_child = c;
    }
}

// Fills the empty `dst` with `value` (type, rights, obj, typed fields),
// as a child of `parent` (nullptr: a root). Takes a reference on
// value.obj. Only those fields are written: an empty slot is Cap{} (tables
// start so, and remove() and move() leave them so). Inline: the IPC fast
// paths transfer capabilities with it.
inline void install(Cap* dst, const Cap& value, Cap* parent) {
    dst->type = value.type;
    dst->rights = value.rights;
    dst->obj = value.obj;
    dst->copy_typed_fields(value);
    link_child(parent, dst);
    if (KObject* o = dst->obj) {
        obj_ref(o);
        if (is_waitable(o)) static_cast<Waitable*>(o)->caps++;
    }
    if (names_a_task(*dst)) tasks::holder_placed(dst);
}

// install() of the first capability to a new object `obj`: of `type`,
// with every right, a root of the tree.
inline void install_new(Cap* dst, abi::CapType type, KObject* obj) {
    Cap c{};
    c.type = type;
    c.rights = abi::RIGHTS_ALL;
    c.obj = obj;
    install(dst, c, nullptr);
}

// install() for a new Frame capability (no object to reference), for the
// minting calls: the Frame [pfn, pfn + 2^order) with `rights` in the
// empty `dst`, a child of the Memory capability `parent`.
inline void install_frame(Cap* dst, uint64_t pfn, uint64_t order, uint8_t rights, Cap* parent) {
    dst->type = abi::CapType::Frame;
    dst->rights = rights;
    dst->set_frame(pfn, order);
    link_child(parent, dst);
}
// Moves a capability between slots, keeping its place in the tree.
void move(Cap* dst, Cap* src);
// Removes one capability: its mapping (Frame), its object reference; its
// children move up to its parent.
void remove(Cap* c);
// Removes every capability derived from c (not c itself).
void revoke(Cap* c);

// Whether a Frame or Memory capability derived from `c` covers any frame
// of [pfn, pfn + pages).
bool has_child_overlapping(const Cap* c, uint64_t pfn, uint64_t pages);

}  // namespace caps
