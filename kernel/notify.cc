// Notifications (notify.h).
#include "kernel/notify.h"

#include "kernel/ipc.h"
#include "kernel/obj/cap.h"
#include "kernel/scheduler.h"

namespace notify {

namespace {

// The word of n, taken.
uint64_t take(Notification* n) {
    const uint64_t bits = n->word;
    n->word = 0;
    return bits;
}

// An ordinary call's results: a0 = error, a1 = bits.
void set_result(Thread* t, Error e, uint64_t bits) {
    t->ctx.set_arg(0, uint64_t(e));
    t->ctx.set_arg(1, bits);
}

// `bits` as the message a Recv by `t` takes: a0 = bits, a1..a5 = 0,
// a6 = NOTIFIED (no badge), a7 = None.
void deliver_bound(Thread* t, uint64_t bits) {
    const uint64_t words[abi::MSG_WORDS] = {bits, 0, 0, 0, 0, 0};
    ipc::put_words(t->ctx, words);
    ipc::set_received(t->ctx, abi::IpcResult::NOTIFIED);
}

// The first on n's queue of waiters leaves it with its Wait's results
// and becomes ready.
void wake_waiter(Notification* n, Error e, uint64_t bits) {
    Thread* w = n->waiters.pop();
    w->waiting_on = nullptr;
    set_result(w, e, bits);
    sched::make_ready(w);
}

// `b`, bound to n and waiting in Recv, leaves its endpoint's queue with
// n's bits as its message and becomes ready.
void end_bound_recv(Thread* b, Notification* n) {
    ipc::cancel(b);
    deliver_bound(b, take(n));
    sched::make_ready(b);
}

}  // namespace

void signal(Notification* n, uint64_t bits) {
    n->word |= bits;
    if (!n->waiters.empty())
        wake_waiter(n, Error::None, take(n));
    else if (n->bound && n->bound->state == ThreadState::BlockedRecv)
        end_bound_recv(n->bound, n);
}

void wait(Thread* t, Notification* n) {
    if (n->word) return set_result(t, Error::None, take(n));
    t->waiting_on = n;
    n->waiters.push(t);
    if (t == sched::current())
        sched::block_current(ThreadState::BlockedWait);
    else
        t->state = ThreadState::BlockedWait;
}

uint64_t poll(Notification* n) { return take(n); }

Status bind(Thread* t, Notification* n) {
    if (t->bound || n->bound) return Error::Busy;
    t->bound = n;
    n->bound = t;
    obj_ref(n);
    if (t->state == ThreadState::BlockedRecv && n->word) end_bound_recv(t, n);  // bound while it waits
    return {};
}

void unbind(Thread* t) {
    Notification* n = t->bound;
    if (!n) return;
    n->bound = nullptr;
    t->bound = nullptr;
    obj_unref(n);
}

bool take_bound(Thread* t) {
    if (!has_pending(t)) return false;
    deliver_bound(t, take(t->bound));
    return true;
}

void thread_ending(Thread* t) {
    if (Notification* n = t->waiting_on) {
        n->waiters.remove(t);
        t->waiting_on = nullptr;
    }
    unbind(t);
}

void unreachable(Notification* n) {
    obj_ref(n);  // the unbinding below may drop the last reference
    while (!n->waiters.empty()) wake_waiter(n, Error::DeadObject, 0);
    if (n->bound) unbind(n->bound);
    obj_unref(n);
}

}  // namespace notify
