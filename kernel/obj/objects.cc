#include "obj/objects.h"

#include "lib/panic.h"
#include "obj/cap.h"
#include "obj/kmem.h"
#include "obj/pool.h"
#include "scheduler.h"

Thread* ThreadQueue::pop() {
    Thread* t = head;
    if (t) remove(t);
    return t;
}

void obj_destroy(KObject* o) {
    switch (o->otype) {
        case ObjType::Thread: {
            auto* t = static_cast<Thread*>(o);
            KASSERT(t->state == ThreadState::Dead || t->state == ThreadState::Inactive);
            Task* task = t->task;
            sched::thread_freed(t);
            kpool::free(t);
            if (task) obj_unref(task);
            break;
        }
        case ObjType::Task: {
            auto* t = static_cast<Task*>(o);
            KASSERT(!t->alive);
            Task* payer = t->kmem_payer;
            const uint64_t reserved = t->kmem_reserved;
            kpool::free(t);
            if (payer) {
                kmem::credit(payer, reserved);
                obj_unref(payer);
            }
            break;
        }
        case ObjType::Endpoint: {
            auto* e = static_cast<Endpoint*>(o);
            KASSERT(e->senders.empty() && e->receivers.empty());
            Task* payer = e->kmem_payer;
            kpool::free(e);
            if (payer) {
                kmem::credit(payer, kpool::object_bytes(sizeof(Endpoint)));
                obj_unref(payer);
            }
            break;
        }
    }
}
