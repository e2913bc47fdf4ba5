#include "sched.h"

#include "lib/log.h"
#include "obj/vm.h"
#include "platform.h"

namespace sched {

namespace {

struct State {
    ThreadQueue ready[abi::PRIORITY_MAX + 1];
    uint64_t nonempty[4];  // bit p: ready[p] has threads
    Thread* current;
    Task* active_task;     // whose address space the MMU holds
    unsigned live_threads;
};
constinit State g{};

void mark(unsigned p, bool on) {
    if (on) g.nonempty[p / 64] |= uint64_t(1) << (p % 64);
    else g.nonempty[p / 64] &= ~(uint64_t(1) << (p % 64));
}

int highest_ready() {
    for (int w = 3; w >= 0; w--)
        if (g.nonempty[w]) return w * 64 + 63 - __builtin_clzll(g.nonempty[w]);
    return -1;
}

}  // namespace

void init() { platform::timer_arm(TIME_SLICE_US); }

Thread* current() { return g.current; }

void make_ready(Thread* t) {
    t->state = ThreadState::Ready;
    g.ready[t->priority].push(t);
    mark(t->priority, true);
}

void unready(Thread* t) {
    if (t->state != ThreadState::Ready) return;
    g.ready[t->priority].remove(t);
    if (g.ready[t->priority].empty()) mark(t->priority, false);
}

void block_current(ThreadState state) {
    g.current->state = state;
    g.current = nullptr;
}

void yield_current() {
    if (!g.current) return;
    Thread* t = g.current;
    g.current = nullptr;
    make_ready(t);
}

void timer_tick() {
    platform::timer_arm(TIME_SLICE_US);
    yield_current();
}

void thread_started() { g.live_threads++; }

void thread_ended() {
    g.live_threads--;
    if (g.current && g.current->state == ThreadState::Dead) g.current = nullptr;
}

void schedule() {
    int p = highest_ready();
    if (g.current && g.current->state == ThreadState::Running && (p < 0 || p <= g.current->priority)) {
        // Keep running the current thread.
    } else {
        if (g.current) {
            Thread* t = g.current;
            g.current = nullptr;
            if (t->state == ThreadState::Running) make_ready(t);
            p = highest_ready();
        }
        if (p < 0) {
            if (g.live_threads == 0) {
                klog::info("no threads left; powering off");
                platform::exit(0);
            }
            klog::error("no thread can run: %u threads are blocked and nothing can wake them", g.live_threads);
            platform::exit(4);
        }
        Thread* t = g.ready[p].pop();
        if (g.ready[p].empty()) mark(unsigned(p), false);
        t->state = ThreadState::Running;
        g.current = t;
    }
    Thread* t = g.current;
    if (t->task != g.active_task) {
        vm::activate(t->task);
        g.active_task = t->task;
    }
    platform::return_to_user(&t->ctx);
}

}  // namespace sched
