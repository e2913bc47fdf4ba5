#include "ipc_fast.h"

#include "obj/cap.h"
#include "scheduler.h"

namespace ipc {

namespace {

constexpr unsigned MSG = abi::MSG_WORDS;

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

bool fast_call(Thread* t, TrapExit& out) {
    abi::IpcInfo info{t->ctx.arg(6)};
    if (info.send_cap() || !sched::direct_switch_allowed()) return false;
    auto ep_cap = caps::lookup(t->task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_WRITE);
    if (!ep_cap.ok()) return false;
    auto* ep = static_cast<Endpoint*>((*ep_cap)->obj);
    Thread* r = ep->receivers.head;
    if (!r) return false;
    abi::IpcInfo rinfo{r->recv_info};
    auto reply_slot = caps::empty_slot(r->task, rinfo.reply_dst());
    if (!reply_slot.ok()) return false;

    ep->receivers.remove(r);
    r->blocked_on = nullptr;
    for (unsigned i = 0; i < MSG; i++) r->ctx.set_arg(i, t->ctx.arg(i));
    r->ctx.set_arg(6, ((*ep_cap)->w0 & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    r->ctx.set_arg(7, uint64_t(Error::None));
    t->is_call = true;
    t->recv_info = info.raw;  // where a capability in the reply may land
    install_reply(*reply_slot, t);
    out = sched::direct_switch(ThreadState::BlockedReply, r);
    return true;
}

bool fast_reply_recv(Thread* t, TrapExit& out) {
    abi::IpcInfo info{t->ctx.arg(6)};
    if (info.send_cap() || !sched::direct_switch_allowed()) return false;
    auto ep_cap = caps::lookup(t->task, info.endpoint(), abi::CapType::Endpoint, abi::RIGHT_READ);
    if (!ep_cap.ok()) return false;
    auto* ep = static_cast<Endpoint*>((*ep_cap)->obj);
    if (!ep->senders.empty()) return false;  // the receive would not block
    auto reply = caps::lookup(t->task, info.reply_src(), abi::CapType::Reply, 0);
    if (!reply.ok()) return false;
    auto* caller = static_cast<Thread*>((*reply)->obj);
    if (caller->state != ThreadState::BlockedReply || caller->reply_gen != (*reply)->w0) return false;
    bool resume_fault = caller->in_fault && !caller->exiting && t->ctx.arg(0) == abi::FAULT_RESUME;
    if (caller->in_fault && !resume_fault) return false;
    // The receive side's slots, as they will be once the Reply cap is spent.
    unsigned recv_cap = info.recv_cap(), reply_dst = info.reply_dst();
    if (recv_cap && recv_cap == reply_dst) return false;
    for (unsigned s : {recv_cap, reply_dst}) {
        if (!s || s == info.reply_src()) continue;
        if (!caps::empty_slot(t->task, s).ok()) return false;
    }

    // Spend the Reply cap (it has no parent and no children).
    Cap* rc = *reply;
    caller->reply_gen++;
    rc->type = abi::CapType::Null;
    rc->rights = 0;
    rc->obj = nullptr;
    rc->w0 = 0;
    obj_unref(caller);  // its task's list still holds it
    if (resume_fault) {
        caller->in_fault = false;  // the faulting instruction runs again
    } else {
        for (unsigned i = 0; i < MSG; i++) caller->ctx.set_arg(i, t->ctx.arg(i));
        caller->ctx.set_arg(6, 0);
        caller->ctx.set_arg(7, uint64_t(Error::None));
    }
    t->recv_info = info.raw;
    t->blocked_on = ep;
    ep->receivers.push(t);
    out = sched::direct_switch(ThreadState::BlockedRecv, caller);
    return true;
}

}  // namespace ipc
