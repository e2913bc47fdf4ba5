#include "obj/objects.h"

#include "lib/panic.h"
#include "obj/cap.h"
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
            kpool::free(t);
            break;
        }
        case ObjType::Endpoint: {
            auto* e = static_cast<Endpoint*>(o);
            KASSERT(e->senders.empty() && e->receivers.empty());
            kpool::free(e);
            break;
        }
    }
}
