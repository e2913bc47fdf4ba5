// The syscall layer: one handler per call (TERN_SYSCALLS in abi/syscall.h
// names them and makes the declarations below), in a file per object
// type (sys_cap.cc, sys_memory.cc, sys_vm.cc, sys_task.cc, sys_ipc.cc,
// sys_misc.cc); the table in entry.cc runs them. Each handler decodes and
// checks every argument first, then acts, and stores its results in the
// caller's registers; it may block the caller (IPC). It returns which
// thread runs next.
#pragma once

#include "abi/syscall.h"
#include "base/result.h"
#include "kernel/entry.h"
#include "kernel/obj/objects.h"
#include "kernel/scheduler.h"

namespace syscall {

// Each handler, and its body alone: the call's work for `t` without the
// scheduling step (the on-target tests run bodies directly).
#define TERN_SYSCALL_DECLARE(name, nr, handler) \
    TrapExit handler(Thread* t);                \
    void handler##_body(Thread* t);
TERN_SYSCALLS(TERN_SYSCALL_DECLARE)
#undef TERN_SYSCALL_DECLARE

// Ordinary calls: a0 = error, a1..a3 = results.
inline void ret(Thread* t, Error e, uint64_t r1 = 0, uint64_t r2 = 0, uint64_t r3 = 0) {
    t->ctx.set_arg(0, uint64_t(e));
    t->ctx.set_arg(1, r1);
    t->ctx.set_arg(2, r2);
    t->ctx.set_arg(3, r3);
}
inline void ret(Thread* t, Status s) { ret(t, s.error()); }

// Defines the handler `name` (TERN_SYSCALLS): the body that follows acts
// for the current thread `t`, leaving its results in t's registers (ret)
// or blocking it, and the handler then returns the scheduler's choice of
// who runs next. The body is inlined into the handler, with the helpers
// of its file (flatten), so each call is one function.
#define SYSCALL_HANDLER(name)                   \
    [[gnu::flatten]] TrapExit name(Thread* t) { \
        name##_body(t);                         \
        return sched::schedule();               \
    }                                           \
    void name##_body(Thread* t)

// Replaces the table's entry for `nr` (at boot: ipc::enable_fastpaths
// puts the fast paths in front of Call and ReplyRecv).
void set_entry(abi::Sys nr, TrapExit (*entry)(Thread*));

// verify=syscall: from now on every system call is followed by the
// kernel's consistency check, which panics on a finding (obj/verify.h).
void check_every_syscall();

// A Task capability named by a slot, 0 meaning the caller's own task,
// alive, with control (Write). Errors: InvalidCap, WrongType, NoRights, DeadObject.
Result<Task*> task_arg(Thread* t, uint64_t slot);

}  // namespace syscall
