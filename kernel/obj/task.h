// Tasks (an address space, a capability space, threads) and their threads.
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"

namespace tasks {

// A new task with one thread (not started) and a capability space of its
// first leaf (CapSpace::init), holding its own Task cap in slot 1 and the
// thread's cap in slot 2 (both with every right); the space grows as
// slots are filled. Errors: NoMemory (kernel pool or ASIDs); nothing is
// left allocated.
// `payer`: the task whose account its structures are reserved from (the
// creator; kmem.h), which decides how they are allocated; none for the
// root task.
Result<Task*> create(const char* name, const Task* payer = nullptr);

// Pool bytes create() takes for a task made for `payer`: the Task, its
// thread, the start of its capability space (CapSpace::INITIAL_PAGES) and
// its root page table.
uint64_t base_bytes(const Task* payer);

// Starts an Inactive thread. Errors: Busy (started before),
// InvalidArgument (pc or sp outside user space, priority above the max).
Status start_thread(Thread* t, uint64_t pc, uint64_t sp, uint64_t arg, unsigned priority);

// Ends a task (once; a dead task is left alone): every thread stops
// (waiters are woken or dropped), its end notice goes to the endpoint its
// creator named (abi/cap.h: `how` and `status`), every capability in its
// table is removed, its mappings, tables and ASID are freed. `why` goes to
// the log ("exited with status 0", "killed: ..."). The Task object itself
// lives on while references to it remain.
void kill(Task* t, abi::TaskEnd how, int status, const char* why);

// Two ways a task ends without anyone ending it:
//  - no Task or Thread capability naming it or one of its threads sits
//    outside its own table any more (Task::holders: its creator's, copies
//    given to others), so nothing outside can reach it; the capability
//    code reports each such capability placed at `c` (holder_placed) or
//    about to be taken away from it (holder_removed). Not a task the
//    kernel made (the root task), which has no creator to hold it.
//  - the task that created it ended (kill() queues the tasks it created).
// Either way it waits to end until end_pending_tasks(), which schedule()
// runs first: never inside the operation that removed the capability or
// ended the creator, which may still be using what the end frees.
inline Task* named_task(const Cap& c) {
    return c.type == abi::CapType::Task ? static_cast<Task*>(c.obj) : static_cast<Thread*>(c.obj)->task;
}
// Whether `c`, which sits in some task's capability space, is in t's.
inline bool in_own_table(const Cap* c, const Task* t) { return CapSpace::owner_of(c) == t; }
// Inline and never a call: the IPC fast paths install capabilities.
inline void holder_placed(const Cap* c) {
    Task* t = named_task(*c);
    if (!in_own_table(c, t)) t->holders++;
}
void holder_removed(const Cap* c);
// Links `t` into the list of tasks `creator` created (TaskCreate).
void add_created(Task* creator, Task* t);
// Takes `t`, being freed, out of its creator's list.
void remove_created(Task* t);
namespace detail {
extern Task* g_pending;  // tasks waiting to end, via Task::pending_next
}
void end_pending_tasks();
inline bool end_pending() { return detail::g_pending != nullptr; }

// The root task, whose end ends the system.
void set_root(Task* t);
Task* root();

}  // namespace tasks
