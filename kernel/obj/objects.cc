#include "obj/objects.h"

#include "lib/panic.h"
#include "obj/cap.h"
#include "obj/pool.h"
#include "scheduler.h"

void ThreadQueue::push(Thread* t) {
    t->q_next = nullptr;
    t->q_prev = tail;
    if (tail)
        tail->q_next = t;
    else
        head = t;
    tail = t;
}

void ThreadQueue::remove(Thread* t) {
    if (t->q_prev)
        t->q_prev->q_next = t->q_next;
    else
        head = t->q_next;
    if (t->q_next)
        t->q_next->q_prev = t->q_prev;
    else
        tail = t->q_prev;
    t->q_next = t->q_prev = nullptr;
}

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
