// Syscall entry: decode the number, call its handler, run a thread.
#include "entry.h"
#include "ipc.h"
#include "ipc_fast.h"
#include "lib/log.h"
#include "paging.h"
#include "scheduler.h"
#include "syscall/syscall.h"

namespace {

using Handler = void (*)(Thread*);

constexpr unsigned NR_SYSCALLS = 56;

constexpr auto build_table() {
    struct Table {
        Handler h[NR_SYSCALLS] = {};
    } t;
    using abi::Sys;
    auto set = [&](Sys s, Handler h) { t.h[unsigned(s)] = h; };
    set(Sys::Null, sys::null);
    set(Sys::DebugWrite, sys::debug_write);
    set(Sys::Exit, sys::exit);
    set(Sys::Yield, sys::yield);
    set(Sys::KernelInfo, sys::kernel_info);
    set(Sys::CapIdentify, sys::cap_identify);
    set(Sys::CapCopy, sys::cap_copy);
    set(Sys::CapMove, sys::cap_move);
    set(Sys::CapDelete, sys::cap_delete);
    set(Sys::CapRevoke, sys::cap_revoke);
    set(Sys::MemoryMintFrame, sys::memory_mint_frame);
    set(Sys::MemoryDonate, sys::memory_donate);
    set(Sys::MemoryInfo, sys::memory_info);
    set(Sys::MemoryMintMap, sys::memory_mint_map);
    set(Sys::Map, sys::map);
    set(Sys::Unmap, sys::unmap);
    set(Sys::Protect, sys::protect);
    set(Sys::ReadClearAD, sys::read_clear_ad);
    set(Sys::TaskCreate, sys::task_create);
    set(Sys::ThreadStart, sys::thread_start);
    set(Sys::ThreadSetFault, sys::thread_set_fault);
    set(Sys::TaskKill, sys::task_kill);
    set(Sys::EndpointCreate, sys::endpoint_create);
    set(Sys::Send, sys::send);
    set(Sys::Recv, sys::recv);
    set(Sys::Call, sys::call);
    set(Sys::Reply, sys::reply);
    set(Sys::ReplyRecv, sys::reply_recv);
    return t;
}

constexpr auto TABLE = build_table();

// Call and ReplyRecv: the fast paths first (ipc_fast.h), kept out of
// kernel_syscall so the other calls do not pay for them.
[[gnu::noinline]] TrapExit ipc_entry(Thread* t, uint64_t nr) {
    TrapExit fast;
    if (nr == uint64_t(abi::Sys::Call)) {
        if (ipc::fast_call(t, fast)) return fast;
        sys::call(t);
    } else {
        if (ipc::fast_reply_recv(t, fast)) return fast;
        sys::reply_recv(t);
    }
    return sched::schedule();
}

}  // namespace

TrapExit kernel_syscall(UserContext* ctx) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    ctx->pc += 4;  // past the ecall
    uint64_t nr = ctx->arg(7);
    if (nr == uint64_t(abi::Sys::Call) || nr == uint64_t(abi::Sys::ReplyRecv)) return ipc_entry(t, nr);
    if (nr < NR_SYSCALLS && TABLE.h[nr]) {
        TABLE.h[nr](t);
    } else {
        // Unknown numbers fail like any bad argument; both result registers
        // say so, since the caller's convention is unknown too.
        ctx->set_arg(0, uint64_t(Error::InvalidArgument));
        ctx->set_arg(7, uint64_t(Error::InvalidArgument));
    }
    return sched::schedule();
}

TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access, const char* what) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    if (kind == abi::FaultKind::PageFault &&
        arch::user_fix_accessed_dirty(t->task->pt_root, t->task->asid, VirtAddr(addr),
                                      access == abi::FaultAccess::Write, access == abi::FaultAccess::Exec))
        return sched::schedule();  // Svade: A/D set, retry
    ipc::set_fault_message(t, kind, addr, access);
    TrapExit fast;
    if (ipc::fast_fault(t, fast)) return fast;
    ipc::fault(t, what);
    return sched::schedule();
}

TrapExit kernel_timer() {
    sched::set_trapped(sched::current());
    sched::timer_tick();
    return sched::schedule();
}
