// Synchronous IPC over endpoints.
//
// A message is six words, a badge (from the sender's endpoint cap) and at
// most one capability. Senders and receivers meet at an endpoint: whoever
// comes first waits in its queue. A Call leaves the caller waiting for a
// Reply capability, which the receiver gets in the slot it named.
//
// Two sets of paths, in ipc.cc, are made of the same steps (the inline
// functions in the middle of this header): the general paths (send, recv,
// reply, for syscall/sys_ipc.cc), and the fast paths for the exchanges
// every client-server round trip and every demand fault make -- a Call, or
// a fault (fault.cc), that finds its receiver waiting, and a ReplyRecv
// that answers a caller and finds no next message. Whenever a condition
// of a fast path does not hold, nothing has changed yet and it leaves
// through slowpath(), the general path. The QEMU test
// user.ipcscript.fast_equals_general holds both to the same answers.
#pragma once

#include "abi/syscall.h"
#include "base/result.h"
#include "kernel/entry.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/objects.h"
#include "kernel/scheduler.h"

namespace ipc {

// --- The general paths ------------------------------------------------------

// The current thread `t` sends t->msg (and the capability in slot
// `send_cap_slot` of its own table, 0 for none) to `ep` with `badge`.
// Blocks until a receiver takes it; a Call then waits for the Reply.
void send(Thread* t, Endpoint* ep, uint64_t badge, bool call, unsigned send_cap_slot);

// The current thread `t` receives from `ep` with the slots in `info`
// (recv_cap, reply_dst). Blocks until a message arrives.
void recv(Thread* t, Endpoint* ep, abi::IpcInfo info);

// The current thread answers the Call behind the Reply capability `rc`
// (which is consumed) with `words` and a copy of `offered` (offered_cap(),
// or nullptr) into the slot the caller named for it (recv_cap of its Call).
// Errors: DeadObject (the caller is gone or was answered already). A
// reply of FAULT_MAP to a fault maps `offered` into the faulting task
// first (fault::map_reply); if that fails, its error is returned and
// nothing changes: the Reply capability stays valid and the caller
// blocked. With `woken`, the caller is not made runnable but returned
// there, for the replier to wake once it blocks (ReplyRecv).
Status reply(Cap* rc, const uint64_t* words, Cap* offered, Thread** woken = nullptr);

// The end notice of a task that has ended (abi/cap.h; its words in
// carrier->msg) to `ep` with `badge`: to a waiting receiver, or queued
// like a Send by `carrier`, the task's first thread, which is dead and
// stays so. The queue holds a reference on it until the notice is
// received, or dropped with the endpoint (endpoint_unreachable).
void send_notice(Thread* carrier, Endpoint* ep, uint64_t badge);
// Whether `t`, in a queue of senders, carries an end notice.
inline bool is_notice(const Thread* t) { return t->state == ThreadState::Dead; }

// Takes `t` out of any endpoint queue (its task is ending).
void cancel(Thread* t);
// No capability names `ep` any more: everyone waiting on it gets DeadObject.
void endpoint_unreachable(Endpoint* ep);
// A Reply capability was removed without being used.
void reply_dropped(Cap* reply);

// --- The steps both paths are made of ---------------------------------------
// Inline: the fast paths run them on every message. The slots come from
// abi::IpcInfo's accessors.

// An IPC call's error, in a7 (the other registers stay as they were).
inline void set_error(Thread* t, Error e) { t->ctx.set_arg(7, uint64_t(e)); }

// The endpoint capability in `slot` of `task`, with `right` (Write to
// send, Read to receive). Errors: InvalidCap, WrongType, NoRights.
inline Result<Cap*> endpoint_cap(Task* task, uint64_t slot, uint8_t right) {
    return caps::lookup(task, slot, abi::CapType::Endpoint, right);
}

// The capability in `slot` offered to travel with a message: any that
// may be copied (caps::copyable). Errors: InvalidCap (slot 0 too),
// WrongType.
inline Result<Cap*> offered_cap(Task* task, uint64_t slot) {
    Cap* c = TRY(caps::lookup(task, slot));
    if (!caps::copyable(*c)) return Error::WrongType;
    return c;
}

// The Reply capability in `slot`. Errors: InvalidCap, WrongType.
inline Result<Cap*> reply_cap(Task* task, uint64_t slot) {
    return caps::lookup(task, slot, abi::CapType::Reply, 0);
}

// Whether the receive side of `info` can wait: recv_cap and reply_dst each
// none (0) or empty, and not the same slot. `spent`, the slot of a Reply
// capability about to be spent, counts as empty (the fast ReplyRecv
// checks before it spends). With Grow::Yes (the general paths) the leaves
// of the two slots are made if need be, so that a delivery finds them
// (Grow::No: a slot whose leaf does not exist fails). Errors: InvalidCap,
// Busy, InvalidArgument; with Grow::Yes also OutOfSlots, NoMemory.
inline Status recv_slots_ok(Task* task, abi::IpcInfo info, caps::Grow grow, uint64_t spent = 0) {
    const uint64_t recv_cap = info.recv_cap(), reply_dst = info.reply_dst();
    if (recv_cap && recv_cap != spent) TRY(caps::empty_slot(task, recv_cap, grow));
    if (reply_dst && reply_dst != spent) TRY(caps::empty_slot(task, reply_dst, grow));
    if (recv_cap && recv_cap == reply_dst) return Error::InvalidArgument;
    return {};
}

// Whether the slot where a capability in the answer to `caller`'s Call
// lands (recv_cap of its Call; 0: none) lies in a leaf that exists. If
// not, the general path makes it (answer() with Grow::Yes): the fast
// path, which makes no calls, leaves that to it.
inline bool answer_slot_made(const Thread* caller) {
    const uint64_t slot = abi::IpcInfo{caller->recv_info}.recv_cap();
    return !slot || caller->task->space.at(slot);
}

// A Reply capability names the calling thread and the generation of its
// Call: it answers only while the thread waits for that Call's reply.

// Puts the Reply capability `caller` will be answered through in the
// empty `dst`.
inline void make_reply(Cap* dst, Thread* caller) {
    dst->type = abi::CapType::Reply;
    dst->rights = abi::RIGHT_WRITE;
    dst->obj = caller;
    dst->set_reply_generation(caller->reply_gen);
    obj_ref(caller);
}

// The thread waiting for an answer through `rc`, or nullptr (it is gone,
// or was answered or given up on).
inline Thread* waiting_caller(const Cap* rc) {
    auto* caller = static_cast<Thread*>(rc->obj);
    const bool blocked = caller->state == ThreadState::BlockedReply;
    return blocked && caller->reply_gen == rc->reply_generation() ? caller : nullptr;
}

// Spends `rc`, the Reply capability `caller` waits on (waiting_caller):
// it answers nothing again, and its slot is empty. Its reference on the
// caller is never the last (the caller's task lists it).
inline void spend_reply(Cap* rc, Thread* caller) {
    caller->reply_gen++;
    rc->type = abi::CapType::Null;
    rc->rights = 0;
    rc->obj = nullptr;
    rc->set_reply_generation(0);
    caller->refs--;
}

// The six words of a message into a0..a5 of `to`, unrolled: every message
// of both paths copies them (docs/performance.md has what a loop cost).
[[gnu::always_inline]] inline void put_words(UserContext& to, const uint64_t* words) {
#pragma GCC unroll 6
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) to.set_arg(i, words[i]);
}

// The rest of what a receiver gets besides the words: a6 = `result` (an
// abi::IpcResult: badge and flags), a7 = success.
inline void set_received(UserContext& to, uint64_t result) {
    to.set_arg(6, result);
    to.set_arg(7, uint64_t(Error::None));
}

// A copy of `offered` (a child of it) into slot `slot` of `to`, if that is
// empty: IpcResult::CAP_RECEIVED then, 0 otherwise (a slot filled while
// its owner waited just means nothing lands there). With Grow::Yes the
// slot's leaf is made if need be (charged to `to`), and a leaf that
// cannot be made likewise means nothing lands; a receiver's slots have
// theirs from recv_slots_ok already.
[[gnu::always_inline]] inline uint64_t transfer_cap(Cap* offered, Task* to, uint64_t slot, caps::Grow grow) {
    auto dst = caps::empty_slot(to, slot, grow);
    if (!dst.ok()) return 0;
    caps::install(*dst, *offered, offered);
    return abi::IpcResult::CAP_RECEIVED;
}

// The answer to a Call: `rc`, the Reply capability `caller` waits on, is
// spent, and the caller gets `words`, a copy of `offered` (nullptr: none)
// in the receive slot its Call named (transfer_cap, with `grow`), and
// success. A fault is answered otherwise (fault::answered,
// fault::conclude).
[[gnu::always_inline]] inline void answer(Cap* rc, Thread* caller, const uint64_t* words, Cap* offered,
                                          caps::Grow grow) {
    spend_reply(rc, caller);
    uint64_t flags = 0;
    if (offered)
        flags = transfer_cap(offered, caller->task, abi::IpcInfo{caller->recv_info}.recv_cap(), grow);
    put_words(caller->ctx, words);
    set_received(caller->ctx, flags);
}

// `t` waits in `ep`'s queue `q` (its state is the caller's to set). A
// waiting thread holds no reference on the endpoint: before its last
// capability goes, endpoint_unreachable() wakes every waiter.
inline void join(Thread* t, Endpoint* ep, ThreadQueue& q) {
    t->blocked_on = ep;
    q.push(t);
}

// `t` leaves the endpoint queue `q` it waits in.
inline void leave(Thread* t, ThreadQueue& q) {
    q.remove(t);
    t->blocked_on = nullptr;
}

// --- The fast paths -----------------------------------------------------------

// Puts the fast paths in front of Call, ReplyRecv (the syscall table's
// entries) and faults (fault::enable_fastpath), at boot; without it, or
// with `on` false (ipc_fastpath=off on the command line), the general
// paths serve them all, as the QEMU test that holds both to the same
// answers needs.
void enable_fastpaths(bool on);

// Call and ReplyRecv as the syscall table runs them. `t` is the current
// thread, whose trap is being handled.
TrapExit fastpath_call(Thread* t);
TrapExit fastpath_reply_recv(Thread* t);

// The fast Call's and ReplyRecv's one way out (seL4's slowpath), taken
// while nothing has changed yet: the general path does the call in the
// current thread `t`'s a7 (Call or ReplyRecv), then the scheduler picks
// who runs.
TrapExit slowpath(Thread* t);

// The step a fast Call and a fast fault share: `t`'s Call through the
// endpoint capability `ep_cap` to a receiver waiting on its endpoint,
// `put_message(ctx)` writing the six words into the receiver's a0..a5;
// `t` waits for the reply and the receiver runs (`out`). False, with
// nothing changed, when no receiver waits or it gave no usable reply slot.
template <typename PutMessage>
[[gnu::always_inline]] inline bool call_to_waiting(Thread* t, const Cap& ep_cap, PutMessage put_message,
                                                   TrapExit& out) {
    auto* ep = static_cast<Endpoint*>(ep_cap.obj);
    Thread* r = ep->receivers.head;
    if (!r) return false;
    auto reply_slot = caps::empty_slot(r->task, abi::IpcInfo{r->recv_info}.reply_dst(), caps::Grow::No);
    if (!reply_slot.ok()) return false;
    leave(r, ep->receivers);
    put_message(r->ctx);
    set_received(r->ctx, (ep_cap.badge() & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    t->is_call = true;
    make_reply(*reply_slot, t);
    out = sched::direct_switch(t, ThreadState::BlockedReply, r);
    return true;
}

}  // namespace ipc
