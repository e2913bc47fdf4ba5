// The U-mode fault entry, and the general side of the fault protocol
// (fault.h): delivery when no handler waits, and the handler's verdict.
#include "kernel/fault.h"

#include "format/format.h"
#include "kernel/entry.h"
#include "kernel/ipc.h"
#include "kernel/obj/task.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"

namespace fault {

namespace {
constinit bool g_fastpath_on = false;
}  // namespace

void enable_fastpath(bool on) { g_fastpath_on = on; }

void send(Thread* t, const char* what) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty()) {
        char why[128];
        format_buf(why, sizeof why, "killed: %s at %#lx, pc %#lx (no fault handler)", what, t->msg[1],
                   t->msg[3]);
        tasks::kill(t->task, abi::TaskEnd::Fault, -1, why);
        return;
    }
    t->in_fault = true;
    ipc::send(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.badge(), true, 0);
}

bool conclude(Thread* t, Verdict v) {
    answered(t);
    switch (v) {
        case Verdict::Resume:
        case Verdict::Map:
            return true;
        case Verdict::Kill:
            break;
    }
    tasks::kill(t->task, abi::TaskEnd::Fault, -1, "killed by its fault handler");
    return false;
}

}  // namespace fault

namespace {

// The general delivery of a fault of the current thread `t` (fault::send),
// then the scheduler picks who runs: the fast delivery's one way out,
// taken while nothing has changed yet.
TRAP_LEAF [[gnu::noinline]] TrapExit send_general(Thread* t, abi::FaultKind kind, uint64_t addr,
                                                  abi::FaultAccess access, const char* what) {
    fault::set_message(t, kind, addr, access);
    fault::send(t, what);
    return sched::schedule();
}

// A fault of the current thread `t` (kind, address, access; `what` names
// it in the log) as a Call to its fault handler: straight into the
// registers of a handler waiting for it (ipc::call_to_waiting with
// fault::put_message), otherwise by the general path.
[[gnu::always_inline]] inline TrapExit deliver(Thread* t, abi::FaultKind kind, uint64_t addr,
                                               abi::FaultAccess access, const char* what) {
    const Cap& ep_cap = t->fault_ep;
    if (!ep_cap.empty() && fault::g_fastpath_on && sched::direct_switch_allowed()) {
        auto put = [&](UserContext& ctx) {
            fault::put_message([&ctx](unsigned i, uint64_t w) { ctx.set_arg(i, w); }, t, kind, addr, access);
        };
        TrapExit out;
        if (ipc::call_to_waiting(t, ep_cap, put, out)) {
            t->in_fault = true;
            return out;
        }
    }
    return send_general(t, kind, addr, access, what);
}

// A page fault of the current thread in a task whose leaves may lack A or
// D: on hardware that leaves their update to software (Svade) the fault
// may be just that.
[[gnu::noinline]] TrapExit fault_maybe_ad(Thread* t, uint64_t addr, abi::FaultAccess access,
                                          const char* what) {
    if (arch::user_fix_accessed_dirty(t->task->pt_root, t->task->asid, VirtAddr(addr),
                                      access == abi::FaultAccess::Write, access == abi::FaultAccess::Exec))
        return sched::schedule();  // A/D set: the access is retried
    return deliver(t, abi::FaultKind::PageFault, addr, access, what);
}

}  // namespace

// A fault the thread cannot go on from by itself becomes a Call to its
// fault handler (deliver). A leaf: everything else is a tail call.
TRAP_LEAF TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access,
                                     const char* what) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    if (kind == abi::FaultKind::PageFault && t->task->ad_cleared)
        return fault_maybe_ad(t, addr, access, what);
    return deliver(t, kind, addr, access, what);
}
