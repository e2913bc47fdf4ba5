// IPC fast paths for the exchanges every client-server round trip and
// every demand fault make: a Call, or a fault, that finds its receiver
// waiting, and a ReplyRecv that answers a caller and finds no next
// message. They are a front end over the general paths' own steps
// (ipc.h, fault.h, caps::lookup), for the cases they serve; whenever a
// condition does not hold (a capability travels with a Call, a slot is
// unusable, another thread is ready, the reply ends the faulting task,
// ...) nothing has changed yet and they leave through slowpath(), the
// general path. The QEMU test user.ipcscript.fast_equals_general holds
// both to the same answers.
#pragma once

#include "kernel/entry.h"
#include "kernel/fault.h"
#include "kernel/ipc.h"
#include "kernel/obj/objects.h"
#include "kernel/scheduler.h"

namespace ipc {

// Puts the fast paths in front of Call, ReplyRecv (the syscall table's
// entries) and faults, at boot; without it, or with `on` false
// (ipc_fastpath=off on the command line), the general paths serve them
// all, as the QEMU test that holds both to the same answers needs.
void enable_fastpaths(bool on);
namespace detail {
extern bool g_fault_fastpath_on;
}

// Call and ReplyRecv as the syscall table runs them. `t` is the current
// thread, whose trap is being handled.
TrapExit fastpath_call(Thread* t);
TrapExit fastpath_reply_recv(Thread* t);

// The fast paths' one way out (seL4's slowpath), taken while nothing has
// changed yet: the general path does what the current thread `t` trapped
// for, then the scheduler picks who runs. With `fault` (its name, for the
// log) that is a fault whose message is in t->msg; without, the call in
// t's a7 (Call or ReplyRecv).
TrapExit slowpath(Thread* t, const char* fault = nullptr);

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
    auto reply_slot = caps::empty_slot(r->task, abi::IpcInfo{r->recv_info}.reply_dst());
    if (!reply_slot.ok()) return false;
    leave(r, ep->receivers);
    put_message(r->ctx);
    set_received(r->ctx, (ep_cap.badge() & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    t->is_call = true;
    make_reply(*reply_slot, t);
    out = sched::direct_switch(t, ThreadState::BlockedReply, r);
    return true;
}

// A fault of the current thread `t` (kind, address, access; `what` names
// it in the log) as a Call to its fault handler: straight into the
// registers of a handler waiting for it (fault::put_message), otherwise
// by the general path. For kernel_user_fault (fault.cc), inline there.
[[gnu::always_inline]] inline TrapExit fastpath_fault(Thread* t, abi::FaultKind kind, uint64_t addr,
                                                      abi::FaultAccess access, const char* what) {
    const Cap& ep_cap = t->fault_ep;
    if (!ep_cap.empty() && detail::g_fault_fastpath_on && sched::direct_switch_allowed()) {
        auto put = [&](UserContext& ctx) {
            fault::put_message([&ctx](unsigned i, uint64_t w) { ctx.set_arg(i, w); }, t, kind, addr, access);
        };
        TrapExit out;
        if (call_to_waiting(t, ep_cap, put, out)) {
            t->in_fault = true;
            return out;
        }
    }
    fault::set_message(t, kind, addr, access);
    return slowpath(t, what);
}

}  // namespace ipc
