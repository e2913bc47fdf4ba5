// The U-mode fault entry, and the delivery of fault messages: straight to
// a handler already waiting (the fast path, ipc_fast.h), or through the
// general IPC path.
#include "kernel/fault.h"

#include "format/format.h"
#include "kernel/entry.h"
#include "kernel/ipc.h"
#include "kernel/ipc_fast.h"
#include "kernel/obj/task.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"

namespace fault {

void send(Thread* t, const char* what) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty()) {
        char why[128];
        format_buf(why, sizeof why, "killed: %s at %#lx, pc %#lx (no fault handler)", what, t->msg[1],
                   t->msg[3]);
        tasks::kill(t->task, -1, why);
        return;
    }
    t->in_fault = true;
    ipc::send(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.w0, true, 0);
}

}  // namespace fault

namespace {

// A fault of `t` (kind, address, access) as a Call to the handler waiting
// on its fault endpoint, the message written straight into the handler's
// registers (fault::put_message).
[[gnu::always_inline]] inline bool fast_fault(Thread* t, abi::FaultKind kind, uint64_t addr,
                                              abi::FaultAccess access, TrapExit& out) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty() || !ipc::fault_fastpath_allowed()) return false;
    t->in_fault = true;
    auto put_fault = [&](UserContext& ctx) {
        fault::put_message([&ctx](unsigned i, uint64_t w) { ctx.set_arg(i, w); }, t, kind, addr, access);
    };
    if (ipc::call_to_waiting(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.w0, put_fault, out)) return true;
    t->in_fault = false;
    return false;
}

// The fault message in t->msg, by the general path (no handler waiting,
// another thread ready, or none at all).
[[gnu::noinline]] TrapExit fault_general(Thread* t, const char* what) {
    fault::send(t, what);
    return sched::schedule();
}

// A fault of `t` to its handler: the fast path if one waits, the general
// one otherwise.
[[gnu::always_inline]] inline TrapExit deliver_fault(Thread* t, abi::FaultKind kind, uint64_t addr,
                                                     abi::FaultAccess access, const char* what) {
    TrapExit fast;
    if (fast_fault(t, kind, addr, access, fast)) return fast;
    fault::set_message(t, kind, addr, access);
    return fault_general(t, what);
}

// A page fault in a task whose leaves may lack A or D: on hardware that
// leaves their update to software (Svade) the fault may be just that.
[[gnu::noinline]] TrapExit fault_maybe_ad(Thread* t, uint64_t addr, abi::FaultAccess access,
                                          const char* what) {
    if (arch::user_fix_accessed_dirty(t->task->pt_root, t->task->asid, VirtAddr(addr),
                                      access == abi::FaultAccess::Write, access == abi::FaultAccess::Exec))
        return sched::schedule();  // A/D set: the access is retried
    return deliver_fault(t, abi::FaultKind::PageFault, addr, access, what);
}

}  // namespace

// A fault the thread cannot go on from by itself becomes a Call to its
// fault handler. The fast path to a waiting handler is inline; the rest
// is out of line, which keeps this a leaf.
TRAP_LEAF TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access,
                                     const char* what) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    if (kind == abi::FaultKind::PageFault && t->task->ad_cleared) return fault_maybe_ad(t, addr, access, what);
    return deliver_fault(t, kind, addr, access, what);
}
