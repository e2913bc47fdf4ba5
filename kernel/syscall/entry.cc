// The syscall entry: an ecall from U-mode (trap.S) comes to kernel_syscall,
// which runs the number's handler from the table.
#include "kernel/entry.h"
#include "kernel/ipc.h"
#include "kernel/ipc_fast.h"
#include "kernel/lib/log.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace syscall {
// Instantiated next to their handlers (syscall.h).
extern template TrapExit run<memory_donate>(Thread*);
extern template TrapExit run<memory_info>(Thread*);
extern template TrapExit run<memory_mint_frame>(Thread*);
extern template TrapExit run<memory_mint_map>(Thread*);
extern template TrapExit run<memory_mint_frames>(Thread*);
extern template TrapExit run<map>(Thread*);
extern template TrapExit run<protect>(Thread*);
extern template TrapExit run<read_clear_ad>(Thread*);
extern template TrapExit run<unmap>(Thread*);
extern template TrapExit run<task_create>(Thread*);
extern template TrapExit run<task_kill>(Thread*);
extern template TrapExit run<thread_set_fault>(Thread*);
extern template TrapExit run<thread_start>(Thread*);
extern template TrapExit run<cap_copy>(Thread*);
extern template TrapExit run<cap_delete>(Thread*);
extern template TrapExit run<cap_identify>(Thread*);
extern template TrapExit run<cap_move>(Thread*);
extern template TrapExit run<cap_revoke>(Thread*);
extern template TrapExit run<endpoint_create>(Thread*);
extern template TrapExit run<send>(Thread*);
extern template TrapExit run<recv>(Thread*);
extern template TrapExit run<reply>(Thread*);
extern template TrapExit run<debug_write>(Thread*);
extern template TrapExit run<exit>(Thread*);
extern template TrapExit run<kernel_info>(Thread*);
extern template TrapExit run<yield>(Thread*);
}  // namespace syscall

namespace {

// A table entry: runs the call and says which thread runs next.
using Entry = TrapExit (*)(Thread*);

constexpr unsigned NR_SYSCALLS = 56;

// Null is the bare cost of a system call; its handler is inline here.
TRAP_LEAF TrapExit null_call(Thread* t) {
    syscall::ret(t, Error::None);
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
    set(Sys::DebugWrite, syscall::run<syscall::debug_write>);
    set(Sys::Exit, syscall::run<syscall::exit>);
    set(Sys::Yield, syscall::run<syscall::yield>);
    set(Sys::KernelInfo, syscall::run<syscall::kernel_info>);
    set(Sys::CapIdentify, syscall::run<syscall::cap_identify>);
    set(Sys::CapCopy, syscall::run<syscall::cap_copy>);
    set(Sys::CapMove, syscall::run<syscall::cap_move>);
    set(Sys::CapDelete, syscall::run<syscall::cap_delete>);
    set(Sys::CapRevoke, syscall::run<syscall::cap_revoke>);
    set(Sys::MemoryMintFrame, syscall::run<syscall::memory_mint_frame>);
    set(Sys::MemoryDonate, syscall::run<syscall::memory_donate>);
    set(Sys::MemoryInfo, syscall::run<syscall::memory_info>);
    set(Sys::MemoryMintMap, syscall::run<syscall::memory_mint_map>);
    set(Sys::MemoryMintFrames, syscall::run<syscall::memory_mint_frames>);
    set(Sys::Map, syscall::run<syscall::map>);
    set(Sys::Unmap, syscall::run<syscall::unmap>);
    set(Sys::Protect, syscall::run<syscall::protect>);
    set(Sys::ReadClearAD, syscall::run<syscall::read_clear_ad>);
    set(Sys::TaskCreate, syscall::run<syscall::task_create>);
    set(Sys::ThreadStart, syscall::run<syscall::thread_start>);
    set(Sys::ThreadSetFault, syscall::run<syscall::thread_set_fault>);
    set(Sys::TaskKill, syscall::run<syscall::task_kill>);
    set(Sys::EndpointCreate, syscall::run<syscall::endpoint_create>);
    set(Sys::Send, syscall::run<syscall::send>);
    set(Sys::Recv, syscall::run<syscall::recv>);
    // Call and ReplyRecv try their fast paths first (ipc_fast.h).
    set(Sys::Call, ipc::call_syscall);
    set(Sys::Reply, syscall::run<syscall::reply>);
    set(Sys::ReplyRecv, ipc::reply_recv_syscall);
    return t;
}

constexpr auto TABLE = build_table();

}  // namespace

extern "C" TRAP_LEAF TrapExit kernel_syscall(UserContext* ctx) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    const uint64_t nr = ctx->arg(7);
    return TABLE.e[nr < NR_SYSCALLS ? nr : NR_SYSCALLS](t);
}
