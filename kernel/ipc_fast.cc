#include "ipc_fast.h"

#include "obj/cap.h"
#include "scheduler.h"
#include "syscall/syscall.h"

namespace ipc {

namespace {

constexpr unsigned MSG = abi::MSG_WORDS;

// The message words into a0..a5 of `ctx`, unrolled (a loop costs five
// instructions a word here, the copy two).
[[gnu::always_inline]] inline void put_words(UserContext& ctx, const uint64_t* words) {
#pragma GCC unroll 6
    for (unsigned i = 0; i < MSG; i++) ctx.set_arg(i, words[i]);
}

// The capability in `slot` of `task` if it is of `type` with `rights`;
// nullptr otherwise (the general path then reports the error).
[[gnu::always_inline]] inline Cap* cap_at(Task* task, uint64_t slot, abi::CapType type, uint8_t rights) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->type == type && (c->rights & rights) == rights ? c : nullptr;
}

// An empty slot of `task`, or nullptr.
[[gnu::always_inline]] inline Cap* free_at(Task* task, uint64_t slot) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->empty() ? c : nullptr;
}

// The Reply cap `caller` will be answered through, in `slot`.
[[gnu::always_inline]] inline void install_reply(Cap* slot, Thread* caller) {
    slot->type = abi::CapType::Reply;
    slot->rights = abi::RIGHT_WRITE;
    slot->obj = caller;
    slot->w0 = caller->reply_gen;
    slot->w1 = 0;
    obj_ref(caller);
}

// The Call of `t` (words, through an endpoint cap with `badge`) to a
// receiver waiting on `ep`: delivered, `t` waits for the reply, the
// receiver runs. False (nothing changed) when the fast path does not apply.
[[gnu::always_inline]] inline bool call_to_waiting(Thread* t, Endpoint* ep, uint64_t badge, const uint64_t* words,
                                                   TrapExit& out) {
    Thread* r = ep->receivers.head;
    if (!r) return false;
    Cap* reply_slot = free_at(r->task, abi::IpcInfo{r->recv_info}.reply_dst());
    if (!reply_slot) return false;
    ep->receivers.remove(r);
    r->blocked_on = nullptr;
    put_words(r->ctx, words);
    r->ctx.set_arg(6, (badge & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    r->ctx.set_arg(7, uint64_t(Error::None));
    t->is_call = true;
    install_reply(reply_slot, t);
    out = sched::direct_switch(t, ThreadState::BlockedReply, r);
    return true;
}

[[gnu::noinline]] TrapExit call_general(Thread* t) {
    sys::call(t);
    return sched::schedule();
}

[[gnu::noinline]] TrapExit reply_recv_general(Thread* t) {
    sys::reply_recv(t);
    return sched::schedule();
}

// The end of a fast ReplyRecv once every check has passed: the Reply cap
// `rc` is spent, `caller` gets the reply (words from t's registers, a6 =
// `flags`) unless it resumes from a fault, and `t` waits on `ep`.
[[gnu::always_inline]] inline TrapExit reply_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc,
                                                     Thread* caller, bool resume_fault, uint64_t flags) {
    caller->reply_gen++;
    rc->type = abi::CapType::Null;
    rc->rights = 0;
    rc->obj = nullptr;
    rc->w0 = 0;
    // The caller's task still lists it (it is BlockedReply, so alive):
    // this reference is never the last.
    caller->refs--;
    if (resume_fault) {
        caller->in_fault = false;  // the faulting instruction runs again
    } else {
        put_words(caller->ctx, t->ctx.args());
        caller->ctx.set_arg(6, flags);
        caller->ctx.set_arg(7, uint64_t(Error::None));
    }
    t->recv_info = info.raw;
    t->blocked_on = ep;
    ep->receivers.push(t);
    return sched::direct_switch(t, ThreadState::BlockedRecv, caller);
}

// A fast ReplyRecv whose reply carries the capability `offered`: it moves
// a copy (a child of `offered`) to the caller's receive slot when that is
// free, as the general path does.
[[gnu::noinline]] TrapExit reply_cap_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc, Thread* caller,
                                              Cap* offered) {
    uint64_t flags = 0;
    if (Cap* dst = free_at(caller->task, abi::IpcInfo{caller->recv_info}.recv_cap())) {
        caps::install(dst, *offered, offered);
        flags = abi::IpcResult::CAP_RECEIVED;
    }
    return reply_and_wait(t, info, ep, rc, caller, false, flags);
}

}  // namespace

SYSCALL_LEAF TrapExit call_syscall(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (info.send_cap() || !sched::direct_switch_allowed()) return call_general(t);
    Cap* ep_cap = cap_at(t->task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_WRITE);
    if (!ep_cap) return call_general(t);
    const uint64_t saved = t->recv_info;
    t->recv_info = info.raw;  // where a capability in the reply may land
    TrapExit out;
    if (call_to_waiting(t, static_cast<Endpoint*>(ep_cap->obj), ep_cap->w0, t->ctx.args(), out)) return out;
    t->recv_info = saved;
    return call_general(t);
}

bool fast_fault(Thread* t, TrapExit& out) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty() || !sched::direct_switch_allowed()) return false;
    t->in_fault = true;
    if (call_to_waiting(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.w0, t->msg, out)) return true;
    t->in_fault = false;
    return false;
}

SYSCALL_LEAF TrapExit reply_recv_syscall(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (!sched::direct_switch_allowed()) return reply_recv_general(t);
    Task* task = t->task;
    // A capability may travel with the reply (the pager's frames do).
    Cap* offered = nullptr;
    if (unsigned sc = info.send_cap()) {
        if (sc >= task->nr_slots) return reply_recv_general(t);
        offered = &task->slots[sc];
        if (offered->empty() || offered->type == abi::CapType::Reply) return reply_recv_general(t);
    }
    Cap* ep_cap = cap_at(task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_READ);
    if (!ep_cap) return reply_recv_general(t);
    auto* ep = static_cast<Endpoint*>(ep_cap->obj);
    if (!ep->senders.empty()) return reply_recv_general(t);  // the receive would not block
    const unsigned reply_src = info.reply_src();
    Cap* rc = cap_at(task, reply_src, abi::CapType::Reply, 0);
    if (!rc) return reply_recv_general(t);
    auto* caller = static_cast<Thread*>(rc->obj);
    if (caller->state != ThreadState::BlockedReply || caller->reply_gen != rc->w0) return reply_recv_general(t);
    bool resume_fault = false;
    if (caller->in_fault) {
        if (caller->exiting || t->ctx.arg(0) != abi::FAULT_RESUME || offered) return reply_recv_general(t);
        resume_fault = true;
    }
    // The receive side's slots, as they will be once the Reply cap is spent.
    const unsigned recv_cap = info.recv_cap(), reply_dst = info.reply_dst();
    if (recv_cap && (recv_cap == reply_dst || (recv_cap != reply_src && !free_at(task, recv_cap))))
        return reply_recv_general(t);
    if (reply_dst && reply_dst != reply_src && !free_at(task, reply_dst)) return reply_recv_general(t);

    if (offered) return reply_cap_and_wait(t, info, ep, rc, caller, offered);
    return reply_and_wait(t, info, ep, rc, caller, resume_fault, 0);
}

}  // namespace ipc
