// The scheduler: fixed priorities 0..255, round-robin within a priority,
// preemption by the timer (10 ms slices).
//
// The kernel is not preemptible and has one stack per hart: a thread that
// blocks in the kernel just leaves the CPU, and schedule() returns to user
// mode in whichever thread runs next (seL4's model).
#pragma once

#include "arch/riscv/mmu.h"
#include "kernel/entry.h"
#include "kernel/obj/objects.h"
#include "kernel/obj/task.h"

namespace sched {

inline constexpr uint64_t TIME_SLICE_US = 10000;

namespace detail {
// Read on every trap, so they are plain globals the inline paths below see.
extern Thread* g_current;      // the running thread
extern Thread* g_trapped;      // whose trap is being handled
extern uint64_t g_ready_any;   // bit w: a priority in 64w..64w+63 has ready threads
extern uint64_t g_active_mmu;  // the address space the MMU holds (Task::mmu)
TrapExit schedule_slow();

// The MMU on `t`'s address space.
[[gnu::always_inline]] inline void activate(Task* t) {
    if (t->mmu != g_active_mmu) {
        arch::switch_address_space(t->mmu);
        g_active_mmu = t->mmu;
    }
}
}  // namespace detail

void init();
inline Thread* current() { return detail::g_current; }
// Makes a thread runnable (tail of its priority's queue).
void make_ready(Thread* t);
// `t` becomes runnable. If the current thread has just blocked and
// nothing ready is more important, `t` runs next without going through a
// ready queue (the direct switch of L4-style IPC).
void wake(Thread* t);
// Takes a Ready thread off its queue (for kill).
void unready(Thread* t);
// The current thread stops running in `state` (it is blocked elsewhere).
void block_current(ThreadState state);
// The current thread goes to the back of its queue.
void yield_current();
// A timer interrupt arrived: rotate the current thread and rearm.
void timer_tick();
// Picks the best runnable thread (keeping the current one when nothing
// better is ready) and activates its address space. With none runnable
// and none alive, the system is done; with threads alive but all blocked,
// nothing can ever wake them: that is reported and the machine ends.
inline TrapExit schedule() {
    // The common case: the thread that trapped goes on, nobody waits, and
    // no task waits to end (schedule_slow ends those first).
    Thread* c = detail::g_current;
    if (c && c == detail::g_trapped && c->state == ThreadState::Running && !detail::g_ready_any &&
        !tasks::end_pending()) {
        detail::g_trapped = nullptr;
        return TrapExit{reinterpret_cast<uintptr_t>(&c->ctx), nullptr};
    }
    return detail::schedule_slow();
}

// IPC fast paths: the trapped thread `from`, which is the current one (the
// syscall and fault entries make it so), has just blocked in `state`, and
// `to`, which was blocked, runs next. Only when no thread is ready (so
// `to` is the best choice whatever its priority).
inline bool direct_switch_allowed() { return detail::g_ready_any == 0; }
[[gnu::always_inline]] inline TrapExit direct_switch(Thread* from, ThreadState state, Thread* to) {
    from->state = state;
    to->state = ThreadState::Running;
    detail::g_current = to;
    detail::g_trapped = nullptr;
    detail::activate(to->task);
    return TrapExit{reinterpret_cast<uintptr_t>(&to->ctx) | TRAP_EXIT_SWITCH, &from->ctx};
}

// The address space `mmu` (a Task::mmu) is about to be destroyed: if the
// MMU is on it, it moves to the kernel's own space first, so that no
// table the kernel runs on is freed under it.
void address_space_gone(uint64_t mmu);

// The first entry to user mode, from boot.
[[noreturn]] void run_first();

// The thread whose trap is being handled (its callee-saved registers are
// still in the CPU), and the hook that forgets it when it is freed.
inline void set_trapped(Thread* t) { detail::g_trapped = t; }
inline void thread_freed(Thread* t) {
    if (detail::g_trapped == t) detail::g_trapped = nullptr;
}

// What idling took: instructions retired while waiting for interrupts
// (wfi), and how many waits.
struct IdleStats {
    uint64_t instructions, periods;
};
IdleStats idle_stats();

// Counts for the deadlock report and tests.
void thread_started();
void thread_ended();

// The scheduler's state as it is, for the consistency check (verify.h):
// the ready queue of each priority, whether its bit says it has threads,
// the summary word of those bits, and the count of started threads not
// ended yet.
struct ReadyView {
    const ThreadQueue* queues;  // abi::PRIORITY_MAX + 1 of them
    bool (*marked)(unsigned priority);
    uint64_t ready_any;
    unsigned live_threads;
};
ReadyView ready_view();

}  // namespace sched
