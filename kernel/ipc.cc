// Synchronous IPC (ipc.h): the general paths, then the fast paths, made
// of the same steps, for the cases they serve.
#include "kernel/ipc.h"

#include "kernel/fault.h"
#include "kernel/notify.h"
#include "kernel/obj/task.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace ipc {

// --- The general paths --------------------------------------------------------

namespace {

void wake(Thread* t, Error e) {
    set_error(t, e);
    sched::make_ready(t);
}

// The caller of a Reply runs again: now, or (ReplyRecv) once the replier
// has started waiting, so it can run next directly.
void set_woken(Thread* t, Thread** woken) {
    if (woken)
        *woken = t;
    else
        sched::make_ready(t);
}

void wait_on(Thread* t, Endpoint* ep, ThreadQueue& q, ThreadState state) {
    join(t, ep, q);
    if (t == sched::current())
        sched::block_current(state);
    else
        t->state = state;
}

// The capability `sender` offers, if it still holds it (it may have gone
// while the sender waited).
Cap* still_offered(Thread* sender, unsigned slot) {
    if (slot == 0 || !sender->task->alive) return nullptr;
    auto c = offered_cap(sender->task, slot);
    return c.ok() ? *c : nullptr;
}

// Moves the message from `s` to `r` (both off any queue). `r` becomes
// ready; `s` continues (Send), waits for the reply (Call), or fails.
void deliver(Thread* s, Thread* r, unsigned send_cap_slot, abi::IpcInfo rinfo) {
    put_words(r->ctx, s->msg);
    uint64_t flags = 0;
    if (Cap* offered = still_offered(s, send_cap_slot))
        flags |= transfer_cap(offered, r->task, rinfo.recv_cap(), caps::Grow::No);
    bool replied_later = false;
    if (s->is_call) {
        if (auto dst = caps::empty_slot(r->task, rinfo.reply_dst(), caps::Grow::No); dst.ok()) {
            make_reply(*dst, s);
            flags |= abi::IpcResult::IS_CALL;
            replied_later = true;
        }
    }
    set_received(r->ctx, (s->send_badge & abi::IpcResult::BADGE_MASK) | flags);

    // The sender first, so that a caller that now waits for its reply
    // leaves the CPU before the receiver is woken: then the receiver can
    // run next directly (sched::wake).
    bool s_running = s == sched::current();
    if (replied_later) {
        s->state = ThreadState::BlockedReply;
        if (s_running) sched::block_current(ThreadState::BlockedReply);
    } else if (s->in_fault) {
        // Nobody can answer this fault: the faulting task cannot go on.
        s->in_fault = false;
        tasks::kill(s->task, abi::TaskEnd::Fault, -1, "killed: its fault handler gave no reply slot");
    } else {
        set_error(s, s->is_call ? Error::DeadObject : Error::None);
        if (!s_running) sched::make_ready(s);
    }
    if (r != sched::current()) sched::wake(r);
}

// The end notice `carrier` holds to `r` (a Send of the kernel's: no
// capability, no reply).
void deliver_notice(Thread* carrier, Thread* r) {
    put_words(r->ctx, carrier->msg);
    set_received(r->ctx, carrier->send_badge & abi::IpcResult::BADGE_MASK);
    if (r != sched::current()) sched::wake(r);
}

// Drops an end notice that is still queued (its carrier leaves the queue).
void drop_notice(Thread* carrier, Endpoint* ep) {
    leave(carrier, ep->senders);
    obj_unref(carrier);
}

}  // namespace

void send_notice(Thread* carrier, Endpoint* ep, uint64_t badge) {
    carrier->send_badge = badge;
    carrier->is_call = false;
    carrier->send_cap_slot = 0;
    if (Thread* r = ep->receivers.head) {
        leave(r, ep->receivers);
        deliver_notice(carrier, r);
        return;
    }
    obj_ref(carrier);  // the queue's, until a receiver takes the notice
    join(carrier, ep, ep->senders);
}

void send(Thread* t, Endpoint* ep, uint64_t badge, bool call, unsigned send_cap_slot) {
    t->send_badge = badge;
    t->is_call = call;
    if (Thread* r = ep->receivers.head) {
        leave(r, ep->receivers);
        deliver(t, r, send_cap_slot, abi::IpcInfo{r->recv_info});
        return;
    }
    t->send_cap_slot = send_cap_slot;
    wait_on(t, ep, ep->senders, ThreadState::BlockedSend);
}

void recv(Thread* t, Endpoint* ep, abi::IpcInfo info) {
    if (notify::take_bound(t)) return;  // its bound notification's bits first
    if (Thread* s = ep->senders.head) {
        if (is_notice(s)) {
            deliver_notice(s, t);
            drop_notice(s, ep);
            return;
        }
        leave(s, ep->senders);
        deliver(s, t, s->send_cap_slot, info);
        return;
    }
    t->recv_info = info.raw;
    wait_on(t, ep, ep->receivers, ThreadState::BlockedRecv);
}

Status reply(Cap* rc, const uint64_t* words, Cap* offered, Thread** woken) {
    Thread* caller = waiting_caller(rc);
    if (!caller) {
        caps::remove(rc);  // spent all the same
        return Error::DeadObject;
    }
    if (caller->in_fault) {
        const fault::Verdict verdict = fault::verdict(words[0]);
        if (verdict == fault::Verdict::Map)
            TRY_STATUS(fault::map_reply(caller->task, offered, words));  // before anything is spent
        spend_reply(rc, caller);
        if (fault::conclude(caller, verdict)) set_woken(caller, woken);
        return {};
    }
    answer(rc, caller, words, offered, caps::Grow::Yes);
    set_woken(caller, woken);
    return {};
}

void cancel(Thread* t) {
    if (!t->blocked_on) return;
    Endpoint* ep = t->blocked_on;
    leave(t, t->state == ThreadState::BlockedSend ? ep->senders : ep->receivers);
}

void endpoint_unreachable(Endpoint* ep) {
    obj_ref(ep);  // the wake-ups below drop the waiters' references
    while (Thread* t = ep->senders.head) {
        if (is_notice(t)) {
            drop_notice(t, ep);  // nobody can receive it
            continue;
        }
        leave(t, ep->senders);
        if (t->in_fault) {
            t->in_fault = false;
            tasks::kill(t->task, abi::TaskEnd::Fault, -1, "killed: its fault handler's endpoint is gone");
        } else {
            wake(t, Error::DeadObject);
        }
    }
    while (Thread* t = ep->receivers.head) {
        leave(t, ep->receivers);
        wake(t, Error::DeadObject);
    }
    obj_unref(ep);
}

void reply_dropped(Cap* reply) {
    Thread* caller = waiting_caller(reply);
    if (!caller) return;
    caller->reply_gen++;
    if (caller->in_fault) {
        caller->in_fault = false;
        tasks::kill(caller->task, abi::TaskEnd::Fault, -1, "killed: its fault was never answered");
    } else {
        wake(caller, Error::DeadObject);
    }
}

// --- The fast paths -----------------------------------------------------------

TRAP_LEAF [[gnu::noinline]] TrapExit slowpath(Thread* t) {
    if (t->ctx.arg(7) == uint64_t(abi::Sys::Call)) return syscall::call(t);
    return syscall::reply_recv(t);
}

namespace {

// The end of a fast ReplyRecv, its caller answered: `t` waits on `ep`
// while `caller` runs.
[[gnu::always_inline]] inline TrapExit wait_for_next(Thread* t, abi::IpcInfo info, Endpoint* ep,
                                                     Thread* caller) {
    t->recv_info = info.raw;
    join(t, ep, ep->receivers);
    return sched::direct_switch(t, ThreadState::BlockedRecv, caller);
}

// The end of a fast ReplyRecv that fails with an error of its own, which
// the replier hears; nothing else has changed. Out of line: the paths
// that succeed stay as short as they can be.
[[gnu::noinline]] TrapExit fail(Thread* t, Error e) {
    set_error(t, e);
    return sched::schedule();
}

// A fast ReplyRecv answering a fault with FAULT_MAP: the frame `frame`
// goes into the faulting task, then the thread resumes. A mapping that
// fails is tried once, here: its error is the replier's, and nothing has
// changed (ipc::reply's contract: the Reply cap still works, the caller
// still waits, ReplyRecv does not receive). Out of line, as the mapping
// is a call: the fast paths stay leaves.
[[gnu::noinline]] TrapExit reply_map_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc,
                                              Thread* caller, Cap* frame) {
    if (Status s = fault::map_reply(caller->task, frame, t->ctx.args()); !s.ok()) return fail(t, s.error());
    spend_reply(rc, caller);
    fault::answered(caller);  // it retries the faulting instruction
    return wait_for_next(t, info, ep, caller);
}

}  // namespace

TRAP_LEAF TrapExit fastpath_call(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (info.send_cap() || !sched::direct_switch_allowed()) return slowpath(t);
    auto ep_cap = endpoint_cap(t->task, info.endpoint(), abi::RIGHT_WRITE);
    if (!ep_cap.ok()) return slowpath(t);
    const uint64_t* words = t->ctx.args();
    TrapExit out;
    if (!call_to_waiting(
            t, **ep_cap, [words](UserContext& ctx) { put_words(ctx, words); }, out))
        return slowpath(t);
    t->recv_info = info.raw;  // where a capability in the reply may land
    return out;
}

TRAP_LEAF TrapExit fastpath_reply_recv(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (!sched::direct_switch_allowed()) return slowpath(t);
    Task* task = t->task;
    // The receive side's slots first, as they will be once the Reply cap
    // is spent (checked before the lookups below, which keeps fewer
    // values live at once); a capability for a caller of this same task
    // could fill one of them before the general path checks them.
    if (!recv_slots_ok(task, info, caps::Grow::No, info.reply_src()).ok()) return slowpath(t);
    Cap* offered = nullptr;  // a capability may travel with the reply (the pager's frames do)
    if (info.send_cap()) {
        auto c = offered_cap(task, info.send_cap());
        if (!c.ok()) return slowpath(t);
        offered = *c;
    }
    auto ep_cap = endpoint_cap(task, info.endpoint(), abi::RIGHT_READ);
    if (!ep_cap.ok()) return slowpath(t);
    auto* ep = static_cast<Endpoint*>((*ep_cap)->obj);
    if (!ep->senders.empty() || notify::has_pending(t)) return slowpath(t);  // the receive would not block
    auto rc = reply_cap(task, info.reply_src());
    if (!rc.ok()) return slowpath(t);
    Thread* caller = waiting_caller(*rc);
    if (!caller || (offered && caller->task == task)) return slowpath(t);
    if (caller->in_fault) {
        switch (fault::verdict(t->ctx.arg(0))) {
            case fault::Verdict::Resume:
                spend_reply(*rc, caller);
                fault::answered(caller);  // it retries the faulting instruction
                return wait_for_next(t, info, ep, caller);
            case fault::Verdict::Map:
                return reply_map_and_wait(t, info, ep, *rc, caller, offered);
            default:
                return slowpath(t);  // the faulting task ends
        }
    }
    if (offered && !answer_slot_made(caller)) return slowpath(t);
    answer(*rc, caller, t->ctx.args(), offered, caps::Grow::No);
    return wait_for_next(t, info, ep, caller);
}

void enable_fastpaths(bool on) {
    syscall::set_entry(abi::Sys::Call, on ? fastpath_call : syscall::call);
    syscall::set_entry(abi::Sys::ReplyRecv, on ? fastpath_reply_recv : syscall::reply_recv);
    fault::enable_fastpath(on);
}

}  // namespace ipc
