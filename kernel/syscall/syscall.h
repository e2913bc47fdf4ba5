// The syscall layer: one handler per call, grouped by object type
// (sys_cap.cc, sys_memory.cc, sys_vm.cc, sys_task.cc, sys_ipc.cc,
// sys_misc.cc). Each handler decodes and checks every argument first,
// then acts, and stores its results in the caller's registers; it may
// block the caller (IPC), after which the scheduler picks who runs.
#pragma once

#include "abi/syscall.h"
#include "base/result.h"
#include "kernel/entry.h"
#include "kernel/obj/objects.h"
#include "kernel/scheduler.h"

namespace syscall {

// Ordinary calls: a0 = error, a1..a3 = results.
inline void ret(Thread* t, Error e, uint64_t r1 = 0, uint64_t r2 = 0, uint64_t r3 = 0) {
    t->ctx.set_arg(0, uint64_t(e));
    t->ctx.set_arg(1, r1);
    t->ctx.set_arg(2, r2);
    t->ctx.set_arg(3, r3);
}
inline void ret(Thread* t, Status s) { ret(t, s.error()); }

void null(Thread* t);
void debug_write(Thread* t);
void exit(Thread* t);
void yield(Thread* t);
void kernel_info(Thread* t);

void cap_identify(Thread* t);
void cap_copy(Thread* t);
void cap_move(Thread* t);
void cap_delete(Thread* t);
void cap_revoke(Thread* t);

void memory_mint_frame(Thread* t);
void memory_donate(Thread* t);
void memory_info(Thread* t);
void memory_mint_map(Thread* t);
void memory_mint_frames(Thread* t);

void map(Thread* t);
void unmap(Thread* t);
void protect(Thread* t);
void read_clear_ad(Thread* t);

void task_create(Thread* t);
void thread_start(Thread* t);
void thread_set_fault(Thread* t);
void task_kill(Thread* t);

void endpoint_create(Thread* t);
void send(Thread* t);
void recv(Thread* t);
void call(Thread* t);
void reply(Thread* t);
void reply_recv(Thread* t);

// A handler as the syscall table (dispatch.cc) runs it: the handler, then
// the scheduler's choice of who runs next. Each is instantiated in its
// handler's file, where the handler's body is visible and is inlined
// into it (one function per call instead of two); dispatch.cc only
// names the instantiations.
template <void (*Handler)(Thread*)>
[[gnu::flatten]] TrapExit run(Thread* t) {
    Handler(t);
    return sched::schedule();
}

// A Task capability named by a slot, 0 meaning the caller's own task,
// alive, with control (Write). Errors: InvalidCap, WrongType, NoRights, DeadObject.
Result<Task*> task_arg(Thread* t, uint64_t slot);

}  // namespace syscall
