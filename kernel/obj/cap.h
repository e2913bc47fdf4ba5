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

// Object references: dropping the last one frees it (obj_destroy, obj/objects.cc).
void obj_destroy(KObject* o);
inline void obj_ref(KObject* o) { o->refs++; }
inline void obj_unref(KObject* o) {
    if (--o->refs == 0) obj_destroy(o);
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
        if (o->otype == ObjType::Endpoint) static_cast<Endpoint*>(o)->caps++;
    }
    if (names_a_task(*dst)) tasks::holder_placed(dst);
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
// Puts the consecutive capabilities run[0..n) (n >= 1) at the head of the
// list `head`, linked through Next and Prev, as n insertions at the head
// in order would put them: run[n-1] first, each run[i] followed by
// run[i-1], run[0] by the old head. run[n-1]'s Prev stays as it is (null
// in a capability just made). fill(run[i], i) runs on each in the same
// pass. For the sibling lists (install_frame_run) and a task's mappings
// (vm::map_fresh_run).
template <Cap* Cap::*Next, Cap* Cap::*Prev, typename Fill>
inline void link_run_at_head(Cap*& head, Cap* run, uint64_t n, Fill fill) {
    Cap* old_first = head;
    fill(run[0], 0);
    run[0].*Next = old_first;
    if (old_first) old_first->*Prev = &run[0];
    for (uint64_t i = 1; i < n; i++) {
        fill(run[i], i);
        run[i].*Next = &run[i - 1];
        run[i - 1].*Prev = &run[i];
    }
    head = &run[n - 1];
}

// install_frame for the order-0 frames pfns[0..n) (n >= 1) into the empty
// slots dst[0..n), linked among parent's children as n calls in order
// would link them: the batch minting calls. The order, 0, is not
// written: the empty slots hold it already.
inline void install_frame_run(Cap* dst, const uint64_t* pfns, uint64_t n, uint8_t rights, Cap* parent) {
    link_run_at_head<&Cap::next_sibling, &Cap::prev_sibling>(parent->first_child, dst, n,
                                                             [pfns, rights, parent](Cap& c, uint64_t i) {
                                                                 c.type = abi::CapType::Frame;
                                                                 c.rights = rights;
                                                                 c.set_frame_pfn(pfns[i]);
                                                                 c.parent = parent;
                                                             });
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
