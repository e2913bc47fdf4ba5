#include "ipc_fast.h"

#include "obj/cap.h"
#include "scheduler.h"

namespace ipc {

namespace {

constexpr unsigned MSG = abi::MSG_WORDS;

// The capability in `slot` of `task` if it is of `type` with `rights`;
// nullptr otherwise (the general path then reports the error).
Cap* cap_at(Task* task, uint64_t slot, abi::CapType type, uint8_t rights) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->type == type && (c->rights & rights) == rights ? c : nullptr;
}

// An empty slot of `task`, or nullptr.
Cap* free_at(Task* task, uint64_t slot) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->empty() ? c : nullptr;
}

// The Reply cap `caller` will be answered through, in `slot`.
void install_reply(Cap* slot, Thread* caller) {
    slot->type = abi::CapType::Reply;
    slot->rights = abi::RIGHT_WRITE;
    slot->obj = caller;
    slot->w0 = caller->reply_gen;
    slot->w1 = 0;
    obj_ref(caller);
}

}  // namespace

// The Call of `t` (words, through an endpoint cap with `badge`) to a
// receiver waiting on `ep`: delivered, `t` waits for the reply, the
// receiver runs. False (nothing changed) when the fast path does not apply.
bool call_to_waiting(Thread* t, Endpoint* ep, uint64_t badge, const uint64_t* words, TrapExit& out) {
    Thread* r = ep->receivers.head;
    if (!r) return false;
    Cap* reply_slot = free_at(r->task, abi::IpcInfo{r->recv_info}.reply_dst());
    if (!reply_slot) return false;
    ep->receivers.remove(r);
    r->blocked_on = nullptr;
    for (unsigned i = 0; i < MSG; i++) r->ctx.set_arg(i, words[i]);
    r->ctx.set_arg(6, (badge & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    r->ctx.set_arg(7, uint64_t(Error::None));
    t->is_call = true;
    install_reply(reply_slot, t);
    out = sched::direct_switch(ThreadState::BlockedReply, r);
    return true;
}

bool fast_call(Thread* t, TrapExit& out) {
    abi::IpcInfo info{t->ctx.arg(6)};
    if (info.send_cap() || !sched::direct_switch_allowed()) return false;
    Cap* ep_cap = cap_at(t->task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_WRITE);
    if (!ep_cap) return false;
    uint64_t saved = t->recv_info;
    t->recv_info = info.raw;  // where a capability in the reply may land
    if (call_to_waiting(t, static_cast<Endpoint*>(ep_cap->obj), ep_cap->w0, t->ctx.args(), out)) return true;
    t->recv_info = saved;
    return false;
}

bool fast_fault(Thread* t, TrapExit& out) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty() || !sched::direct_switch_allowed()) return false;
    t->in_fault = true;
    if (call_to_waiting(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.w0, t->msg, out)) return true;
    t->in_fault = false;
    return false;
}

bool fast_reply_recv(Thread* t, TrapExit& out) {
    abi::IpcInfo info{t->ctx.arg(6)};
    if (!sched::direct_switch_allowed()) return false;
    Task* task = t->task;
    // A capability may travel with the reply (the pager's frames do).
    Cap* offered = nullptr;
    if (unsigned sc = info.send_cap()) {
        if (sc >= task->nr_slots) return false;
        offered = &task->slots[sc];
        if (offered->empty() || offered->type == abi::CapType::Reply) return false;
    }
    Cap* ep_cap = cap_at(task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_READ);
    if (!ep_cap) return false;
    auto* ep = static_cast<Endpoint*>(ep_cap->obj);
    if (!ep->senders.empty()) return false;  // the receive would not block
    unsigned reply_src = info.reply_src();
    Cap* rc = cap_at(task, reply_src, abi::CapType::Reply, 0);
    if (!rc) return false;
    auto* caller = static_cast<Thread*>(rc->obj);
    if (caller->state != ThreadState::BlockedReply || caller->reply_gen != rc->w0) return false;
    bool resume_fault = false;
    if (caller->in_fault) {
        if (caller->exiting || t->ctx.arg(0) != abi::FAULT_RESUME || offered) return false;
        resume_fault = true;
    }
    // The receive side's slots, as they will be once the Reply cap is spent.
    unsigned recv_cap = info.recv_cap(), reply_dst = info.reply_dst();
    if (recv_cap && (recv_cap == reply_dst || (recv_cap != reply_src && !free_at(task, recv_cap))))
        return false;
    if (reply_dst && reply_dst != reply_src && !free_at(task, reply_dst)) return false;

    // Spend the Reply cap (it has no parent and no children).
    caller->reply_gen++;
    rc->type = abi::CapType::Null;
    rc->rights = 0;
    rc->obj = nullptr;
    rc->w0 = 0;
    obj_unref(caller);  // its task's list still holds it
    if (resume_fault) {
        caller->in_fault = false;  // the faulting instruction runs again
    } else {
        uint64_t flags = 0;
        if (offered) {
            if (Cap* dst = free_at(caller->task, abi::IpcInfo{caller->recv_info}.recv_cap())) {
                caps::install(dst, *offered, offered);
                flags = abi::IpcResult::CAP_RECEIVED;
            }
        }
        const uint64_t* words = t->ctx.args();
        for (unsigned i = 0; i < MSG; i++) caller->ctx.set_arg(i, words[i]);
        caller->ctx.set_arg(6, flags);
        caller->ctx.set_arg(7, uint64_t(Error::None));
    }
    t->recv_info = info.raw;
    t->blocked_on = ep;
    ep->receivers.push(t);
    out = sched::direct_switch(ThreadState::BlockedRecv, caller);
    return true;
}

}  // namespace ipc
