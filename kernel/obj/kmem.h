// Kernel memory accounting: every byte of the kernel pool that a task
// causes to be used is charged to an account, and a task whose creator gave
// it a limit (TaskCreate a2) cannot pass it. Charged to a task:
//   - its page tables below the root (vm.cc), freed with its address space;
//   - its capability space beyond the directory page and first leaf it
//     started with (capspace.h), freed when it ends; past its limit that
//     is OutOfSlots;
//   - the endpoints and notifications it creates (EndpointCreate,
//     NotificationCreate), until they are freed (for a task with a limit
//     each in a page of its own, charged whole: alloc_object below);
//   - each task it creates: that task's structures (Task, thread, the
//     start of its capability space, root page table) plus that task's
//     own limit, reserved whole, so that what a task and all it creates
//     can use stays within the limit it was given; given back when the
//     created Task is freed.
// Tasks without a limit (the root task, and tasks it makes without one)
// are counted but never refused. OverQuota is the error: the caller's own
// limit, while NoMemory still means the pool itself is empty.
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"
#include "kernel/obj/pool.h"

namespace kmem {

// Charges `bytes` to t. OverQuota when that would pass its limit (nothing
// charged then).
inline Status charge(Task* t, uint64_t bytes) {
    if (t->kmem_limit && bytes > t->kmem_limit - t->kmem_used) return Error::OverQuota;
    t->kmem_used += bytes;
    return {};
}

inline void credit(Task* t, uint64_t bytes) { t->kmem_used -= bytes; }

// Kernel objects made for a task with a limit get pool pages of their own,
// charged whole: objects in a shared size-class page would be charged
// their own size while one of them keeps the whole page from going back.
// Objects for anyone else share size-class pages.
inline bool own_pages(const Task* payer) { return payer && payer->kmem_limit; }

// What an object of `size` bytes made for `payer` takes from the pool.
inline uint64_t object_charge(const Task* payer, size_t size) {
    return own_pages(payer) ? PAGE_SIZE : kpool::object_bytes(size);
}

template <typename T>
Result<T*> alloc_object(const Task* payer) {
    if (!own_pages(payer)) return kpool::alloc<T>();
    T* o = TRY(kpool::alloc_in_page<T>());
    o->own_page = true;
    return o;
}

// A new endpoint or notification (T, of `type`), charged to `payer`,
// which it references until it is freed (free_waitable). Errors:
// OverQuota, NoMemory; nothing is charged then.
template <typename T>
Result<T*> new_waitable(Task* payer, ObjType type) {
    const uint64_t bytes = object_charge(payer, sizeof(T));
    TRY_STATUS(charge(payer, bytes));
    auto o = alloc_object<T>(payer);
    if (!o.ok()) {
        credit(payer, bytes);
        return o.error();
    }
    (*o)->otype = type;
    (*o)->kmem_payer = payer;
    obj_ref(payer);
    return *o;
}

template <typename T>
void free_object(T* o) {
    if (o->own_page)
        kpool::free_in_page(o);
    else
        kpool::free(o);
}

}  // namespace kmem
