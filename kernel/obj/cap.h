// Capability tables and the derivation tree.
//
// Contracts: lookups never change anything; install() and remove() keep
// reference counts and the derivation tree consistent; remove() of a
// Frame removes its mapping; revoke() removes every descendant.
#pragma once

#include "base/result.h"
#include "obj/objects.h"

namespace caps {

// The capability in `slot` of `task`. Errors: InvalidCap (out of range or empty).
inline Result<Cap*> lookup(Task* task, uint64_t slot) {
    if (slot == 0 || slot >= task->nr_slots) return Error::InvalidCap;
    Cap* c = &task->slots[slot];
    if (c->empty()) return Error::InvalidCap;
    return c;
}
// The same, also checking type and rights. Errors: InvalidCap, WrongType, NoRights.
inline Result<Cap*> lookup(Task* task, uint64_t slot, abi::CapType type, uint8_t rights) {
    if (slot == 0 || slot >= task->nr_slots) return Error::InvalidCap;
    Cap* c = &task->slots[slot];
    if (c->empty()) return Error::InvalidCap;
    if (c->type != type) return Error::WrongType;
    if ((c->rights & rights) != rights) return Error::NoRights;
    return c;
}
// An empty slot to fill. Errors: InvalidCap (out of range or slot 0), Busy (in use).
inline Result<Cap*> empty_slot(Task* task, uint64_t slot) {
    if (slot == 0 || slot >= task->nr_slots) return Error::InvalidCap;
    Cap* c = &task->slots[slot];
    if (!c->empty()) return Error::Busy;
    return c;
}

// Fills the empty `dst` with `value` (type, rights, obj, w0, w1), as a child
// of `parent` (nullptr: a root). Takes a reference on value.obj.
void install(Cap* dst, const Cap& value, Cap* parent);

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

// install() for a new Frame capability (no object to reference), inline
// for the minting calls: the Frame [pfn, pfn + 2^order) with `rights` in
// the empty `dst`, a child of the Memory capability `parent`. Only the
// fields a Frame uses are written: an empty slot is Cap{} but for owner
// and slot (tables start so, and remove(), move() and the IPC fast path's
// spending of a Reply leave them so).
inline void install_frame(Cap* dst, uint64_t pfn, uint64_t order, uint8_t rights, Cap* parent) {
    dst->type = abi::CapType::Frame;
    dst->rights = rights;
    dst->w0 = pfn;
    dst->w1 = order;
    link_child(parent, dst);
}
// install_frame for the order-0 frames pfns[0..n) (n >= 1) into the empty
// slots dst[0..n), linked among parent's children as n calls in order
// would link them (each before the one made before it): the batch minting
// calls. w1 (order 0) and the last one's prev_sibling stay as the empty
// slots have them, zero.
inline void install_frame_run(Cap* dst, const uint64_t* pfns, uint64_t n, uint8_t rights, Cap* parent) {
    auto fill = [rights, parent](Cap* c, uint64_t pfn) {
        c->type = abi::CapType::Frame;
        c->rights = rights;
        c->w0 = pfn;
        c->parent = parent;
    };
    Cap* old_first = parent->first_child;
    fill(&dst[0], pfns[0]);
    dst[0].next_sibling = old_first;
    if (old_first) old_first->prev_sibling = &dst[0];
    for (uint64_t i = 1; i < n; i++) {
        fill(&dst[i], pfns[i]);
        dst[i].next_sibling = &dst[i - 1];
        dst[i - 1].prev_sibling = &dst[i];
    }
    parent->first_child = &dst[n - 1];
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

// Object references: dropping the last one frees it (obj_destroy, obj/objects.cc).
void obj_destroy(KObject* o);
inline void obj_ref(KObject* o) { o->refs++; }
inline void obj_unref(KObject* o) {
    if (--o->refs == 0) obj_destroy(o);
}
