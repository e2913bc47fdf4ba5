// The scheduler: fixed priorities 0..255, round-robin within a priority,
// preemption by the timer (10 ms slices).
//
// The kernel is not preemptible and has one stack per hart: a thread that
// blocks in the kernel just leaves the CPU, and schedule() returns to user
// mode in whichever thread runs next (seL4's model).
#pragma once

#include "obj/objects.h"

namespace sched {

inline constexpr uint64_t TIME_SLICE_US = 10000;

void init();
Thread* current();
// Makes a thread runnable (tail of its priority's queue).
void make_ready(Thread* t);
// Takes a Ready thread off its queue (for kill).
void unready(Thread* t);
// The current thread stops running in `state` (it is blocked elsewhere).
void block_current(ThreadState state);
// The current thread goes to the back of its queue.
void yield_current();
// A timer interrupt arrived: rotate the current thread and rearm.
void timer_tick();
// Runs the best runnable thread in user mode. With none runnable and none
// alive, the system is done; with threads alive but all blocked, nothing
// can ever wake them: that is reported and the machine ends.
[[noreturn]] void schedule();

// Counts for the deadlock report and tests.
void thread_started();
void thread_ended();

}  // namespace sched
