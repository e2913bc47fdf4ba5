// Notifications: asynchronous signals, a word of bits per object.
//
// Signal ORs bits into the word; Wait takes every bit set, waiting until
// there is one; Poll takes them without waiting. Signalling never blocks
// and never fails for want of a receiver: bits signalled twice before
// anyone takes them are one bit (a notification counts nothing). The
// first thread waiting takes what a Signal brings.
//
// A thread can be bound to one notification (ThreadBindNotification, as
// seL4's bound notifications): its Recv on any endpoint then also ends
// when the notification has bits, taking them as a message flagged
// abi::IpcResult::NOTIFIED with the bits in a0, so a server (a driver)
// serves requests and signals (interrupts) in one loop. A binding holds a
// reference on the notification; it ends with ThreadBindNotification 0,
// the thread's end, or the last capability naming the notification.
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"

namespace notify {

// ORs `bits` into n's word. A thread waiting on n (Wait) takes the word
// and becomes ready; if none waits and n's bound thread waits in Recv, it
// takes the word instead, as a notified message. Either way it runs when
// the scheduler says (the caller's next schedule()).
void signal(Notification* n, uint64_t bits);

// `t` (the current thread, or one taken off the ready queues) takes n's
// bits into a1 (a0 = None), or waits until a Signal brings some
// (BlockedWait).
void wait(Thread* t, Notification* n);

// n's bits, taken (0 if none).
uint64_t poll(Notification* n);

// Binds `t` to `n` (a Recv t waits in ends now if n has bits). Errors:
// Busy (t is bound, or n is bound to a thread).
Status bind(Thread* t, Notification* n);
// Undoes t's binding, if it has one.
void unbind(Thread* t);

// For a Recv by `t`: if its bound notification has bits, they are taken
// into t's registers as a notified message and true is returned (t does
// not wait); false otherwise. Inline: the fast ReplyRecv asks before it
// lets its thread wait.
inline bool has_pending(const Thread* t) { return t->bound && t->bound->word; }
bool take_bound(Thread* t);

// `t`'s task is ending: t leaves n's queue of waiters, and its binding goes.
void thread_ending(Thread* t);

// No capability names `n` any more: its waiters get DeadObject and its
// bound thread is unbound (nothing can signal it again).
void unreachable(Notification* n);

}  // namespace notify
