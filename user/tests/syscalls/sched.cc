// Scheduling as seen from user space: the timer preempts busy tasks, and
// higher priorities run first.
#include "runtime/counters.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

// Increments its counter (a word of the shared page) forever, never
// yielding or making a system call.
int child_spin(uint64_t counter_va) {
    auto* n = reinterpret_cast<volatile uint64_t*>(counter_va);
    for (;;) n[0] = n[0] + 1;
}

// Sets the word at `flag_va`, tells the hub, and ends.
int child_set_flag(uint64_t flag_va) {
    *reinterpret_cast<volatile uint64_t*>(flag_va) = 1;
    (void)report(0xf1a9);
    return 0;
}

// Two busy children and this task share the processor: each of them makes
// progress between our observations, though none of us yields.
void preemption_between_busy_tasks(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(page, SharedMemory::create());
    volatile uint64_t* n = page.as<volatile uint64_t>();
    ASSERT_VALUE(a, h->child(30));
    ASSERT_VALUE(b, h->child(31));
    ASSERT_OK(a.map(page));
    ASSERT_OK(b.map(page));
    ASSERT_OK(a.start(child_spin, page.addr().raw()));
    ASSERT_OK(b.start(child_spin, page.addr().raw() + 64));
    // Watch for up to 5 s of time: both counters must move, several times.
    unsigned rounds_a = 0, rounds_b = 0;
    uint64_t last_a = n[0], last_b = n[8];
    const uint64_t deadline = read_time() + 50'000'000;
    while ((rounds_a < 3 || rounds_b < 3) && read_time() < deadline) {
        spin_us(2000);
        if (n[0] != last_a) rounds_a++;
        if (n[8] != last_b) rounds_b++;
        last_a = n[0];
        last_b = n[8];
    }
    EXPECT_TRUE(rounds_a >= 3);
    EXPECT_TRUE(rounds_b >= 3);
    EXPECT_TRUE(n[0] > 0 && n[8] > 0);
    ASSERT_OK(a.kill());
    ASSERT_OK(b.kill());
}

// A child of higher priority runs as soon as it is started.
void higher_priority_runs_first(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(page, SharedMemory::create());
    ASSERT_VALUE(c, h->child(32, true, abi::PRIORITY_DEFAULT + 10));
    ASSERT_OK(c.map(page));
    ASSERT_OK(c.start(child_set_flag, page.addr().raw()));
    EXPECT_EQ_U(page.as<volatile uint64_t>()[0], 1);
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0xf1a9);
}

// A child of lower priority waits while we keep the processor, and runs
// once we block.
void lower_priority_waits(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(page, SharedMemory::create());
    ASSERT_VALUE(c, h->child(33, true, abi::PRIORITY_DEFAULT - 10));
    ASSERT_OK(c.map(page));
    ASSERT_OK(c.start(child_set_flag, page.addr().raw()));
    spin_us(50000);  // several timer ticks
    for (unsigned i = 0; i < 10; i++) (void)sys::yield();
    EXPECT_EQ_U(page.as<volatile uint64_t>()[0], 0);
    // Blocking in Recv lets it run.
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0xf1a9);
    EXPECT_EQ_U(page.as<volatile uint64_t>()[0], 1);
}

}  // namespace

void run_sched_tests(unity::Runner& r) {
    RUN_TEST(r, preemption_between_busy_tasks);
    RUN_TEST(r, higher_priority_runs_first);
    RUN_TEST(r, lower_priority_waits);
}
