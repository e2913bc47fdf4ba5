// TaskCreate, ThreadStart, ThreadSetFault, ThreadBindNotification, TaskKill.
#include "format/format.h"
#include "kernel/notify.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/task.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

namespace {

Result<Thread*> thread_arg(Thread* t, uint64_t slot) {
    Cap* c = TRY(caps::lookup(t->task, slot, abi::CapType::Thread, abi::RIGHT_WRITE));
    auto* th = static_cast<Thread*>(c->obj);
    if (!th->task->alive || th->state == ThreadState::Dead) return Error::DeadObject;
    return th;
}

}  // namespace

SYSCALL_HANDLER(task_create) {
    uint64_t task_slot = t->ctx.arg(0), thread_slot = t->ctx.arg(1), limit = t->ctx.arg(2);
    const uint64_t end_slot = t->ctx.arg(3);
    Task* me = t->task;
    auto dst_task = caps::empty_slot(me, task_slot);
    if (!dst_task.ok()) return ret(t, dst_task.error());
    auto dst_thread = caps::empty_slot(me, thread_slot);
    if (!dst_thread.ok()) return ret(t, dst_thread.error());
    if (task_slot == thread_slot) return ret(t, Error::InvalidArgument);
    Cap* end_ep = nullptr;
    if (end_slot) {
        auto c = caps::lookup(me, end_slot, abi::CapType::Endpoint, abi::RIGHT_WRITE);
        if (!c.ok()) return ret(t, c.error());
        end_ep = *c;
    }
    // What the new task is and may use, reserved from our account (kmem.h):
    // a task with a limit makes only tasks with one, and no limit can be
    // larger than the pool (nor an account wrap).
    if (me->kmem_limit && limit == 0) return ret(t, Error::OverQuota);
    if (limit > kpool::stats().total_bytes) return ret(t, Error::InvalidArgument);
    const uint64_t base = tasks::base_bytes(me);
    const uint64_t reserve = base + limit;
    if (Status s = kmem::charge(me, reserve); !s.ok()) return ret(t, s);
    char name[24];
    format_buf(name, sizeof name, "%s.%u", me->name, me->id);
    auto task = tasks::create(name, me);
    if (!task.ok()) {
        kmem::credit(me, reserve);
        return ret(t, task.error());
    }
    Task* n = *task;
    n->kmem_limit = limit;
    n->kmem_payer = me;
    n->kmem_reserved = reserve;
    obj_ref(me);  // until n is freed and gives the reservation back
    tasks::add_created(me, n);
    // The creator's caps are roots of their own: the new task cannot revoke
    // them through its own, nor the creator the task's own.
    caps::install(*dst_task, *n->space.at(abi::SLOT_SELF_TASK), nullptr);
    caps::install(*dst_thread, *n->space.at(abi::SLOT_SELF_THREAD), nullptr);
    if (end_ep) caps::install(&n->end_ep, *end_ep, end_ep);
    ret(t, Error::None);
}

SYSCALL_HANDLER(thread_start) {
    auto th = thread_arg(t, t->ctx.arg(0));
    if (!th.ok()) return ret(t, th.error());
    uint64_t priority = t->ctx.arg(4);  // checked whole, before it is narrowed
    if (priority > abi::PRIORITY_MAX) return ret(t, Error::InvalidArgument);
    ret(t, tasks::start_thread(*th, t->ctx.arg(1), t->ctx.arg(2), t->ctx.arg(3), unsigned(priority)));
}

SYSCALL_HANDLER(thread_set_fault) {
    auto th = thread_arg(t, t->ctx.arg(0));
    if (!th.ok()) return ret(t, th.error());
    uint64_t ep_slot = t->ctx.arg(1);
    Cap* ep = nullptr;
    if (ep_slot) {
        auto c = caps::lookup(t->task, ep_slot, abi::CapType::Endpoint, abi::RIGHT_WRITE);
        if (!c.ok()) return ret(t, c.error());
        ep = *c;
    }
    caps::remove(&(*th)->fault_ep);
    // That may have been the last capability to an endpoint the thread is
    // sending a fault to: nobody can answer it now, and its task ended.
    if ((*th)->state == ThreadState::Dead) return ret(t, Error::DeadObject);
    if (ep) caps::install(&(*th)->fault_ep, *ep, ep);
    ret(t, Error::None);
}

SYSCALL_HANDLER(thread_bind_notification) {
    auto th = thread_arg(t, t->ctx.arg(0));
    if (!th.ok()) return ret(t, th.error());
    const uint64_t slot = t->ctx.arg(1);
    if (slot == 0) {
        notify::unbind(*th);
        return ret(t, Error::None);
    }
    auto c = caps::lookup(t->task, slot, abi::CapType::Notification, abi::RIGHT_READ);
    if (!c.ok()) return ret(t, c.error());
    ret(t, notify::bind(*th, static_cast<Notification*>((*c)->obj)));
}

SYSCALL_HANDLER(task_kill) {
    // Slot 0 is no capability here (task_arg would take it for the
    // caller's own task): a task ends itself with Exit, or through the
    // Task capability to itself that it holds.
    const uint64_t slot = t->ctx.arg(0);
    if (slot == 0) return ret(t, Error::InvalidCap);
    auto task = task_arg(t, slot);
    if (!task.ok()) return ret(t, task.error());
    bool self = *task == t->task;
    if (!self) ret(t, Error::None);
    tasks::kill(*task, abi::TaskEnd::Killed, -1, "killed through its Task capability");
}

}  // namespace syscall
