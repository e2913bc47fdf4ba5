#include "kernel/ipc.h"

#include "format/format.h"
#include "kernel/lib/log.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/task.h"
#include "kernel/obj/vm.h"
#include "kernel/scheduler.h"

namespace ipc {

namespace {

void set_error(Thread* t, Error e) { t->ctx.set_arg(7, uint64_t(e)); }

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

// A waiting thread holds no reference on the endpoint: before its last
// capability goes, endpoint_unreachable() wakes every waiter.
void wait_on(Thread* t, Endpoint* ep, ThreadQueue& q, ThreadState state) {
    t->blocked_on = ep;
    q.push(t);
    if (t == sched::current())
        sched::block_current(state);
    else
        t->state = state;
}

void leave(Thread* t, ThreadQueue& q) {
    q.remove(t);
    t->blocked_on = nullptr;
}

// The capability `sender` offers, if it still holds it.
Cap* offered_cap(Thread* sender, unsigned slot) {
    if (slot == 0 || !sender->task->alive) return nullptr;
    auto c = caps::lookup(sender->task, slot);
    if (!c.ok() || (*c)->type == abi::CapType::Reply) return nullptr;
    return *c;
}

// An empty slot of `t`'s table named by `slot`, if there is one.
Cap* free_slot(Thread* t, unsigned slot) {
    if (slot == 0) return nullptr;
    auto c = caps::empty_slot(t->task, slot);
    return c.ok() ? *c : nullptr;
}

// Moves the message from `s` to `r` (both off any queue). `r` becomes
// ready; `s` continues (Send), waits for the reply (Call), or fails.
void deliver(Thread* s, Thread* r, unsigned send_cap_slot, abi::IpcInfo rinfo) {
    uint64_t flags = 0;
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) r->ctx.set_arg(i, s->msg[i]);
    if (Cap* offered = offered_cap(s, send_cap_slot)) {
        if (Cap* dst = free_slot(r, rinfo.recv_cap())) {
            caps::install(dst, *offered, offered);
            flags |= abi::IpcResult::CAP_RECEIVED;
        }
    }
    bool replied_later = false;
    if (s->is_call) {
        if (Cap* dst = free_slot(r, rinfo.reply_dst())) {
            Cap reply{};
            reply.type = abi::CapType::Reply;
            reply.rights = abi::RIGHT_WRITE;
            reply.obj = s;
            reply.w0 = s->reply_gen;
            caps::install(dst, reply, nullptr);
            flags |= abi::IpcResult::IS_CALL;
            replied_later = true;
        }
    }
    r->ctx.set_arg(6, (s->send_badge & abi::IpcResult::BADGE_MASK) | flags);
    set_error(r, Error::None);

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
        tasks::kill(s->task, -1, "killed: its fault handler gave no reply slot");
    } else {
        set_error(s, s->is_call ? Error::DeadObject : Error::None);
        if (!s_running) sched::make_ready(s);
    }
    if (r != sched::current()) sched::wake(r);
}

}  // namespace

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
        leave(s, ep->senders);
        deliver(s, t, s->send_cap_slot, info);
        return;
    }
    t->recv_info = info.raw;
    wait_on(t, ep, ep->receivers, ThreadState::BlockedRecv);
}

// FAULT_MAP's mapping: the replier's Frame cap into the faulting task.
static Status map_for_fault(Thread* replier, Thread* caller, const uint64_t* words, unsigned send_cap_slot) {
    if (send_cap_slot == 0) return Error::InvalidArgument;  // FAULT_MAP needs a frame
    Cap* frame = TRY(caps::lookup(replier->task, send_cap_slot, abi::CapType::Frame, 0));
    if (words[2] > abi::RIGHTS_ALL) return Error::InvalidArgument;
    return vm::map_frame(caller->task, frame, VirtAddr(words[1]), uint8_t(words[2]));
}

Status reply(Thread* replier, Cap* reply, const uint64_t* words, unsigned send_cap_slot, Thread** woken) {
    auto* caller = static_cast<Thread*>(reply->obj);
    bool valid = caller->state == ThreadState::BlockedReply && caller->reply_gen == reply->w0;
    if (valid && caller->in_fault && !caller->exiting && words[0] == abi::FAULT_MAP)
        TRY_STATUS(map_for_fault(replier, caller, words, send_cap_slot));  // before anything is spent
    caller->reply_gen++;  // valid or not, this Reply cap is spent
    caps::remove(reply);
    if (!valid) return Error::DeadObject;
    if (caller->in_fault) {
        caller->in_fault = false;
        if (caller->exiting) {
            char why[48];
            format_buf(why, sizeof why, "exited with status %d", int(caller->msg[1]));
            tasks::kill(caller->task, int(caller->msg[1]), why);
        } else if (words[0] == abi::FAULT_RESUME || words[0] == abi::FAULT_MAP) {
            set_woken(caller, woken);  // retries the faulting instruction
        } else {
            tasks::kill(caller->task, -1, "killed by its fault handler");
        }
        return {};
    }
    uint64_t flags = 0;
    if (Cap* offered = offered_cap(replier, send_cap_slot)) {
        if (Cap* dst = free_slot(caller, abi::IpcInfo{caller->recv_info}.recv_cap())) {
            caps::install(dst, *offered, offered);
            flags |= abi::IpcResult::CAP_RECEIVED;
        }
    }
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) caller->ctx.set_arg(i, words[i]);
    caller->ctx.set_arg(6, flags);
    set_error(caller, Error::None);
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
        leave(t, ep->senders);
        if (t->in_fault) {
            t->in_fault = false;
            tasks::kill(t->task, -1, "killed: its fault handler's endpoint is gone");
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
    auto* caller = static_cast<Thread*>(reply->obj);
    if (caller->state != ThreadState::BlockedReply || caller->reply_gen != reply->w0) return;
    caller->reply_gen++;
    if (caller->in_fault) {
        caller->in_fault = false;
        tasks::kill(caller->task, -1, "killed: its fault was never answered");
    } else {
        wake(caller, Error::DeadObject);
    }
}

}  // namespace ipc
