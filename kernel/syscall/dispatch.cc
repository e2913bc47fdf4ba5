// Syscall entry: decode the number, call its handler, run a thread.
#include "entry.h"
#include "ipc.h"
#include "ipc_fast.h"
#include "lib/log.h"
#include "paging.h"
#include "scheduler.h"
#include "syscall/syscall.h"

namespace {

// A table entry: runs the call and says which thread runs next.
using Entry = TrapExit (*)(Thread*);

constexpr unsigned NR_SYSCALLS = 56;

// Most handlers store their results and return; the scheduler then decides.
template <void (*Handler)(Thread*)>
TrapExit run(Thread* t) {
    Handler(t);
    return sched::schedule();
}

// Null is the bare cost of a system call; its handler is inline here.
TRAP_LEAF TrapExit null_call(Thread* t) {
    sys::ret(t, Error::None);
    return sched::schedule();
}

// Unknown numbers fail like any bad argument; both result registers say
// so, since the caller's convention is unknown too.
TrapExit unknown_call(Thread* t) {
    t->ctx.set_arg(0, uint64_t(Error::InvalidArgument));
    t->ctx.set_arg(7, uint64_t(Error::InvalidArgument));
    return sched::schedule();
}

constexpr auto build_table() {
    struct Table {
        Entry e[NR_SYSCALLS + 1] = {};  // the last for every number out of range
    } t;
    for (auto& e : t.e) e = unknown_call;
    using abi::Sys;
    auto set = [&](Sys s, Entry e) { t.e[unsigned(s)] = e; };
    set(Sys::Null, null_call);
    set(Sys::DebugWrite, run<sys::debug_write>);
    set(Sys::Exit, run<sys::exit>);
    set(Sys::Yield, run<sys::yield>);
    set(Sys::KernelInfo, run<sys::kernel_info>);
    set(Sys::CapIdentify, run<sys::cap_identify>);
    set(Sys::CapCopy, run<sys::cap_copy>);
    set(Sys::CapMove, run<sys::cap_move>);
    set(Sys::CapDelete, run<sys::cap_delete>);
    set(Sys::CapRevoke, run<sys::cap_revoke>);
    set(Sys::MemoryMintFrame, run<sys::memory_mint_frame>);
    set(Sys::MemoryDonate, run<sys::memory_donate>);
    set(Sys::MemoryInfo, run<sys::memory_info>);
    set(Sys::MemoryMintMap, run<sys::memory_mint_map>);
    set(Sys::Map, run<sys::map>);
    set(Sys::Unmap, run<sys::unmap>);
    set(Sys::Protect, run<sys::protect>);
    set(Sys::ReadClearAD, run<sys::read_clear_ad>);
    set(Sys::TaskCreate, run<sys::task_create>);
    set(Sys::ThreadStart, run<sys::thread_start>);
    set(Sys::ThreadSetFault, run<sys::thread_set_fault>);
    set(Sys::TaskKill, run<sys::task_kill>);
    set(Sys::EndpointCreate, run<sys::endpoint_create>);
    set(Sys::Send, run<sys::send>);
    set(Sys::Recv, run<sys::recv>);
    // Call and ReplyRecv try their fast paths first (ipc_fast.h).
    set(Sys::Call, ipc::call_syscall);
    set(Sys::Reply, run<sys::reply>);
    set(Sys::ReplyRecv, ipc::reply_recv_syscall);
    return t;
}

constexpr auto TABLE = build_table();

}  // namespace

TRAP_LEAF TrapExit kernel_syscall(UserContext* ctx) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    const uint64_t nr = ctx->arg(7);
    return TABLE.e[nr < NR_SYSCALLS ? nr : NR_SYSCALLS](t);
}

// kernel_user_fault is in ipc_fast.cc, with the fast path it takes.

TrapExit kernel_timer() {
    sched::set_trapped(sched::current());
    sched::timer_tick();
    return sched::schedule();
}
