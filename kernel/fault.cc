// The U-mode fault entry, and the general side of the fault protocol
// (fault.h): delivery when no handler waits, and the handler's verdict.
#include "kernel/fault.h"

#include "format/format.h"
#include "kernel/entry.h"
#include "kernel/ipc.h"
#include "kernel/ipc_fast.h"
#include "kernel/obj/task.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"

namespace fault {

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

// A page fault of the current thread in a task whose leaves may lack A or
// D: on hardware that leaves their update to software (Svade) the fault
// may be just that.
[[gnu::noinline]] TrapExit fault_maybe_ad(Thread* t, uint64_t addr, abi::FaultAccess access,
                                          const char* what) {
    if (arch::user_fix_accessed_dirty(t->task->pt_root, t->task->asid, VirtAddr(addr),
                                      access == abi::FaultAccess::Write, access == abi::FaultAccess::Exec))
        return sched::schedule();  // A/D set: the access is retried
    return ipc::fastpath_fault(t, abi::FaultKind::PageFault, addr, access, what);
}

}  // namespace

// A fault the thread cannot go on from by itself becomes a Call to its
// fault handler: straight to the handler if it waits (the fast path,
// inline here), otherwise by the general path. A leaf: everything else is
// a tail call.
TRAP_LEAF TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access,
                                     const char* what) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    if (kind == abi::FaultKind::PageFault && t->task->ad_cleared)
        return fault_maybe_ad(t, addr, access, what);
    return ipc::fastpath_fault(t, kind, addr, access, what);
}
