// NotificationCreate, Signal, Wait, Poll (ThreadBindNotification is with
// the thread calls, sys_task.cc).
#include "kernel/notify.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

namespace {

// The notification capability in `slot` with `right`. Errors:
// InvalidCap, WrongType, NoRights.
Result<Cap*> notification_cap(Thread* t, uint64_t slot, uint8_t right) {
    return caps::lookup(t->task, slot, abi::CapType::Notification, right);
}

Notification* object(const Cap* c) { return static_cast<Notification*>(c->obj); }

}  // namespace

SYSCALL_HANDLER(notification_create) {
    auto dst = caps::empty_slot(t->task, t->ctx.arg(0));
    if (!dst.ok()) return ret(t, dst.error());
    auto n = kmem::new_waitable<Notification>(t->task, ObjType::Notification);
    if (!n.ok()) return ret(t, n.error());
    caps::install_new(*dst, abi::CapType::Notification, *n);
    ret(t, Error::None);
}

SYSCALL_HANDLER(signal) {
    auto c = notification_cap(t, t->ctx.arg(0), abi::RIGHT_WRITE);
    if (!c.ok()) return ret(t, c.error());
    const uint64_t bits = t->ctx.arg(1), allowed = (*c)->badge();
    if (bits == 0) return ret(t, Error::InvalidArgument);
    if (allowed && (bits & ~allowed)) return ret(t, Error::NoRights);
    ret(t, Error::None);
    notify::signal(object(*c), bits);
}

SYSCALL_HANDLER(wait) {
    auto c = notification_cap(t, t->ctx.arg(0), abi::RIGHT_READ);
    if (!c.ok()) return ret(t, c.error());
    ret(t, Error::None);
    notify::wait(t, object(*c));
}

SYSCALL_HANDLER(poll) {
    auto c = notification_cap(t, t->ctx.arg(0), abi::RIGHT_READ);
    if (!c.ok()) return ret(t, c.error());
    ret(t, Error::None, notify::poll(object(*c)));
}

}  // namespace syscall
