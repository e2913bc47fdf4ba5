#include "kernel/scheduler.h"

#include "base/bits.h"
#include "kernel/irq.h"
#include "kernel/lib/log.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/platform.h"

namespace sched {

namespace detail {
constinit Thread* g_current = nullptr;
constinit Thread* g_trapped = nullptr;
constinit uint64_t g_ready_any = 0;
constinit uint64_t g_active_mmu = 0;
}  // namespace detail

using detail::g_current;
using detail::g_trapped;

namespace {

struct State {
    ThreadQueue ready[abi::PRIORITY_MAX + 1];
    uint64_t nonempty[4];  // bit p: ready[p] has threads
    unsigned live_threads;
    uint64_t idle_instructions, idle_periods;  // idle(), for KernelInfo
};
constinit State g{};

void mark(unsigned p, bool on) {
    if (on)
        g.nonempty[p / 64] |= uint64_t(1) << (p % 64);
    else
        g.nonempty[p / 64] &= ~(uint64_t(1) << (p % 64));
    // Bit w: word w of nonempty has a ready priority.
    uint64_t word = uint64_t(1) << (p / 64);
    if (g.nonempty[p / 64])
        detail::g_ready_any |= word;
    else
        detail::g_ready_any &= ~word;
}

int highest_ready() {
    if (!detail::g_ready_any) return -1;
    unsigned w = bits::highest_set(detail::g_ready_any);
    return int(w * 64 + bits::highest_set(g.nonempty[w]));
}

}  // namespace

void init() { platform::timer_arm(TIME_SLICE_US); }

void make_ready(Thread* t) {
    t->state = ThreadState::Ready;
    g.ready[t->priority].push(t);
    mark(t->priority, true);
}

void wake(Thread* t) {
    if (!g_current && int(t->priority) >= highest_ready()) {
        t->state = ThreadState::Running;
        g_current = t;
        return;
    }
    make_ready(t);
}

void unready(Thread* t) {
    if (t->state != ThreadState::Ready) return;
    g.ready[t->priority].remove(t);
    if (g.ready[t->priority].empty()) mark(t->priority, false);
}

void block_current(ThreadState state) {
    g_current->state = state;
    g_current = nullptr;
}

void yield_current() {
    if (!g_current) return;
    Thread* t = g_current;
    g_current = nullptr;
    make_ready(t);
}

void timer_tick() {
    platform::timer_arm(TIME_SLICE_US);
    yield_current();
}

void thread_started() { g.live_threads++; }

IdleStats idle_stats() { return IdleStats{g.idle_instructions, g.idle_periods}; }

ReadyView ready_view() {
    return ReadyView{g.ready, [](unsigned p) { return ((g.nonempty[p / 64] >> (p % 64)) & 1) != 0; },
                     detail::g_ready_any, g.live_threads};
}

void thread_ended() {
    g.live_threads--;
    if (g_current && g_current->state == ThreadState::Dead) g_current = nullptr;
}

namespace {

// Nothing is runnable: wait for interrupts (wfi) until something is. A
// device's interrupt may wake a driver (irq.h); the timer wakes nobody.
// So after a second of idling with threads still blocked and no
// interrupt line held, nothing ever can wake them: a deadlock, which is
// reported rather than waited on forever. With a line held, a driver may
// wait for its device as long as it takes. The instructions retired
// while idle are counted (under -icount, instret jumps across wfi to the
// next timer deadline; benchmarks that wait for a device subtract them).
int idle() {
    if (g.live_threads == 0) {
        klog::info("no threads left; powering off");
        platform::exit(0);
    }
    constexpr unsigned IDLE_TICKS_BEFORE_DEADLOCK = 1000000 / TIME_SLICE_US;
    for (unsigned ticks = 0; ticks < IDLE_TICKS_BEFORE_DEADLOCK || irq::any_held();) {
        const uint64_t before = platform::instructions_retired();
        const platform::Wakeup w = platform::wait_for_interrupt();
        g.idle_instructions += platform::instructions_retired() - before;
        g.idle_periods++;
        if (w.external) irq::handle_pending();
        if (w.timer) {
            platform::timer_arm(TIME_SLICE_US);
            ticks++;
        }
        int p = highest_ready();
        if (p >= 0) return p;
    }
    klog::error("no thread can run: %u threads are blocked and nothing can wake them", g.live_threads);
    platform::exit(4);
}

Thread* pick() {
    int p = highest_ready();
    if (g_current && g_current->state == ThreadState::Running) {
        if (p < 0 || p <= g_current->priority) return g_current;
        Thread* t = g_current;
        g_current = nullptr;
        make_ready(t);  // behind the better thread, which is still the best
    }
    g_current = nullptr;
    if (p < 0) p = idle();
    Thread* t = g.ready[p].pop();
    if (g.ready[p].empty()) mark(unsigned(p), false);
    t->state = ThreadState::Running;
    g_current = t;
    return t;
}

void activate_for(Thread* t) { detail::activate(t->task); }

}  // namespace

TrapExit detail::schedule_slow() {
    // Tasks that nothing outside holds any more, or whose creator ended,
    // end now that nothing is half done (tasks::holder_removed).
    if (tasks::end_pending()) tasks::end_pending_tasks();
    Thread* t = pick();
    activate_for(t);
    Thread* trapped = g_trapped;
    g_trapped = nullptr;
    if (t == trapped) return TrapExit{reinterpret_cast<uintptr_t>(&t->ctx), nullptr};
    UserContext* save = trapped && trapped->state != ThreadState::Dead ? &trapped->ctx : nullptr;
    return TrapExit{reinterpret_cast<uintptr_t>(&t->ctx) | TRAP_EXIT_SWITCH, save};
}

void address_space_gone(uint64_t mmu) {
    if (mmu && mmu == detail::g_active_mmu) {
        detail::g_active_mmu = arch::kernel_address_space_token();
        arch::switch_address_space(detail::g_active_mmu);
    }
}

void run_first() {
    Thread* t = pick();
    activate_for(t);
    platform::return_to_user(&t->ctx);
}

}  // namespace sched

// The timer interrupted a user thread (entry.h): its slice is over.
TrapExit kernel_timer() {
    sched::set_trapped(sched::current());
    sched::timer_tick();
    return sched::schedule();
}
