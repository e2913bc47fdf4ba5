// The general IPC paths (ipc.h). The fast paths (ipc_fast.h) are made of
// the same steps, for the cases they serve.
#include "kernel/ipc.h"

#include "kernel/fault.h"
#include "kernel/obj/task.h"
#include "kernel/scheduler.h"

namespace ipc {

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
        flags |= transfer_cap(offered, r->task, rinfo.recv_cap());
    bool replied_later = false;
    if (s->is_call) {
        if (auto dst = caps::empty_slot(r->task, rinfo.reply_dst()); dst.ok()) {
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
    answer(rc, caller, words, offered);
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

}  // namespace ipc
