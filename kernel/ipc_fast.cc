// The fast paths of Call and ReplyRecv, and their one way out (ipc_fast.h).
#include "kernel/ipc_fast.h"

#include "kernel/syscall/syscall.h"

namespace ipc {

constinit bool detail::g_fault_fastpath_on = false;

TRAP_LEAF [[gnu::noinline]] TrapExit slowpath(Thread* t, const char* fault) {
    if (fault) {
        fault::send(t, fault);
        return sched::schedule();
    }
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
    Cap* offered = nullptr;  // a capability may travel with the reply (the pager's frames do)
    if (info.send_cap()) {
        auto c = offered_cap(task, info.send_cap());
        if (!c.ok()) return slowpath(t);
        offered = *c;
    }
    auto ep_cap = endpoint_cap(task, info.endpoint(), abi::RIGHT_READ);
    if (!ep_cap.ok()) return slowpath(t);
    auto* ep = static_cast<Endpoint*>((*ep_cap)->obj);
    if (!ep->senders.empty()) return slowpath(t);  // the receive would not block
    auto rc = reply_cap(task, info.reply_src());
    if (!rc.ok()) return slowpath(t);
    Thread* caller = waiting_caller(*rc);
    if (!caller) return slowpath(t);
    // The receive side's slots, as they will be once the Reply cap is
    // spent; a capability for a caller of this same task could fill one
    // of them before the general path checks them.
    if (!recv_slots_ok(task, info, info.reply_src()).ok() || (offered && caller->task == task))
        return slowpath(t);
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
    answer(*rc, caller, t->ctx.args(), offered);
    return wait_for_next(t, info, ep, caller);
}

void enable_fastpaths(bool on) {
    syscall::set_entry(abi::Sys::Call, on ? fastpath_call : syscall::call);
    syscall::set_entry(abi::Sys::ReplyRecv, on ? fastpath_reply_recv : syscall::reply_recv);
    detail::g_fault_fastpath_on = on;
}

}  // namespace ipc
