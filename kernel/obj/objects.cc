#include "kernel/obj/objects.h"

#include "kernel/lib/panic.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/task.h"
#include "kernel/scheduler.h"

Thread* ThreadQueue::pop() {
    Thread* t = head;
    if (t) remove(t);
    return t;
}

namespace {

// Frees an endpoint or notification, giving its charge back to its payer
// (kmem::new_waitable), whose reference it drops.
template <typename T>
void free_waitable(T* o) {
    Task* payer = o->kmem_payer;
    kmem::free_object(o);
    if (payer) {
        kmem::credit(payer, kmem::object_charge(payer, sizeof(T)));
        obj_unref(payer);
    }
}

}  // namespace

void obj_destroy(KObject* o) {
    switch (o->otype) {
        case ObjType::Thread: {
            auto* t = static_cast<Thread*>(o);
            KASSERT(t->state == ThreadState::Dead || t->state == ThreadState::Inactive);
            Task* task = t->task;
            sched::thread_freed(t);
            kmem::free_object(t);
            if (task) obj_unref(task);
            break;
        }
        case ObjType::Task: {
            // Freeing a task gives its reservation back to its creator and
            // drops the creator's reference, which may free the creator in
            // turn: a loop, not recursion, however long the chain.
            auto* t = static_cast<Task*>(o);
            for (;;) {
                KASSERT(!t->alive && !t->first_created);
                Task* payer = t->kmem_payer;
                tasks::remove_created(t);
                const uint64_t reserved = t->kmem_reserved;
                kmem::free_object(t);
                if (!payer) break;
                kmem::credit(payer, reserved);
                if (--payer->refs != 0) break;
                t = payer;
            }
            break;
        }
        case ObjType::Endpoint: {
            auto* e = static_cast<Endpoint*>(o);
            KASSERT(e->senders.empty() && e->receivers.empty());
            free_waitable(e);
            break;
        }
        case ObjType::Notification: {
            auto* n = static_cast<Notification*>(o);
            KASSERT(n->waiters.empty() && !n->bound);
            free_waitable(n);
            break;
        }
    }
}
