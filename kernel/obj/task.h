// Tasks (an address space, a capability table, threads) and their threads.
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"

namespace tasks {

// A new task with one thread (not started) and a table of `nr_slots`
// slots, holding its own Task cap in slot 1 and the thread's cap in slot 2
// (both with every right). Errors: NoMemory (kernel pool or ASIDs);
// nothing is left allocated.
// `payer`: the task whose account its structures are reserved from (the
// creator; kmem.h), which decides how they are allocated; none for the
// root task.
Result<Task*> create(const char* name, const Task* payer = nullptr, uint32_t nr_slots = abi::CAP_SLOTS);

// Pool bytes create() takes for a task with `nr_slots` slots made for
// `payer`: the Task, its thread, its table of capabilities and its root
// page table.
uint64_t base_bytes(const Task* payer, uint32_t nr_slots = abi::CAP_SLOTS);

// Starts an Inactive thread. Errors: Busy (started before),
// InvalidArgument (pc or sp outside user space, priority above the max).
Status start_thread(Thread* t, uint64_t pc, uint64_t sp, uint64_t arg, unsigned priority);

// Ends a task: every thread stops (waiters are woken or dropped), every
// capability in its table is removed, its mappings, tables and ASID are
// freed. `why` goes to the log ("exited with status 0", "killed: ...").
void kill(Task* t, int status, const char* why);

// The root task, whose end ends the system.
void set_root(Task* t);
Task* root();

}  // namespace tasks
