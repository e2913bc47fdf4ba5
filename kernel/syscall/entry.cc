// The syscall entry: an ecall from U-mode (trap.S) comes to kernel_syscall,
// which runs the number's handler from the table.
#include "kernel/entry.h"

#include "kernel/obj/verify.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace {

// A table entry: runs the call and says which thread runs next.
using Entry = TrapExit (*)(Thread*);

// Unknown numbers fail like any bad argument; both result registers say
// so, since the caller's convention is unknown too.
TrapExit unknown_call(Thread* t) {
    t->ctx.set_arg(0, uint64_t(Error::InvalidArgument));
    t->ctx.set_arg(7, uint64_t(Error::InvalidArgument));
    return sched::schedule();
}

using abi::NR_SYSCALLS;

struct Table {
    Entry e[NR_SYSCALLS + 1] = {};  // the last for every number out of range
};

constexpr Table build_table() {
    Table t;
    for (auto& e : t.e) e = unknown_call;
#define TERN_SYSCALL_ENTRY(name, nr, handler) t.e[nr] = syscall::handler;
    TERN_SYSCALLS(TERN_SYSCALL_ENTRY)
#undef TERN_SYSCALL_ENTRY
    return t;
}

// Not const: at boot the IPC fast paths go in front of Call and ReplyRecv
// (set_entry), which costs them nothing per call.
constinit Table g_table = build_table();

// verify=syscall: the entries as they were, each run by checked_call and
// followed by the kernel's consistency check (kernel/obj/verify.h).
constinit Table g_unchecked{};

TrapExit checked_call(Thread* t) {
    const uint64_t nr = t->ctx.arg(7);
    const TrapExit next = g_unchecked.e[nr < NR_SYSCALLS ? nr : NR_SYSCALLS](t);
    verify::after_syscall(nr);
    return next;
}

}  // namespace

void syscall::check_every_syscall() {
    g_unchecked = g_table;
    for (auto& e : g_table.e) e = checked_call;
}

void syscall::set_entry(abi::Sys nr, Entry entry) { g_table.e[uint64_t(nr)] = entry; }

extern "C" TRAP_LEAF TrapExit kernel_syscall(UserContext* ctx) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    const uint64_t nr = ctx->arg(7);
    return g_table.e[nr < NR_SYSCALLS ? nr : NR_SYSCALLS](t);
}
