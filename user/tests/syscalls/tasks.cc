// TaskCreate, ThreadStart, ThreadSetFault, TaskKill, Exit, and what a new
// task starts with.
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

// Reports what the child finds in its own table: the types in slots 1, 2,
// CHILD_REPORT_SLOT and CHILD_FREE_SLOT, the rights of the last, and its arg.
int child_describe_table(uint64_t arg) {
    auto type_of = [](unsigned slot) -> uint64_t {
        auto info = sys::cap_identify(slot);
        return info.ok() ? uint64_t(info->type) : 0x100 + uint64_t(info.error());
    };
    auto free_slot = sys::cap_identify(CHILD_FREE_SLOT);
    sys::Msg m;
    m.w[0] = arg;
    m.w[1] = type_of(abi::SLOT_SELF_TASK);
    m.w[2] = type_of(abi::SLOT_SELF_THREAD);
    m.w[3] = type_of(CHILD_REPORT_SLOT);
    m.w[4] = type_of(CHILD_FREE_SLOT);
    m.w[5] = free_slot.ok() ? free_slot->rights : 0;
    (void)report(m);
    return 0;
}

int child_spin_counting(uint64_t counter_va) {
    auto* counter = reinterpret_cast<volatile uint64_t*>(counter_va);
    for (;;) counter[0] = counter[0] + 1;
}

int child_return_next(uint64_t arg) { return int(arg + 1); }

int child_report_then_exit(uint64_t arg) {
    (void)report(arg);
    return int(arg);
}

// Stays alive (until its creator kills it).
int child_report_then_yield(uint64_t arg) {
    (void)report(arg);
    for (;;) (void)sys::yield();
}

void task_create_gives_task_and_thread(unity::Runner& r) {
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
    ASSERT_VALUE(ti, sys::cap_identify(task.slot()));
    EXPECT_EQ_U(ti.type, abi::CapType::Task);
    ASSERT_VALUE(hi, sys::cap_identify(thread.slot()));
    EXPECT_EQ_U(hi.type, abi::CapType::Thread);
    // Destination slots must be empty.
    ASSERT_VALUE(t2, CapSlot::alloc());
    EXPECT_ERR(sys::task_create(t2.slot(), thread.slot()), Error::Busy);
    EXPECT_ERR(sys::task_create(task.slot(), t2.slot()), Error::Busy);
    EXPECT_ERR(sys::task_create(abi::SLOT_NULL, t2.slot()), Error::InvalidCap);
    // A kernel memory limit so large that the reservation would overflow.
    ASSERT_VALUE(t3, CapSlot::alloc());
    EXPECT_ERR(sys::task_create(t2.slot(), t3.slot(), ~uint64_t(0)), Error::InvalidArgument);
    EXPECT_ERR(sys::cap_identify(t2.slot()), Error::InvalidCap);  // nothing made
    EXPECT_ERR(sys::cap_identify(t3.slot()), Error::InvalidCap);
    // Killing a task that never ran is fine; afterwards it is dead.
    EXPECT_OK(sys::task_kill(task.slot()));
    EXPECT_ERR(sys::task_kill(task.slot()), Error::DeadObject);
}

void child_starts_with_its_own_table(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(1));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(c.give(f.slot(), CHILD_FREE_SLOT, R));
    ASSERT_OK(c.start(child_describe_table, 0xfeedface));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(!ev.fault);
    EXPECT_EQ_U(ev.id, 1);
    EXPECT_EQ_U(ev.msg.w[0], 0xfeedface);
    EXPECT_EQ_U(ev.msg.w[1], abi::CapType::Task);
    EXPECT_EQ_U(ev.msg.w[2], abi::CapType::Thread);
    EXPECT_EQ_U(ev.msg.w[3], abi::CapType::Endpoint);
    EXPECT_EQ_U(ev.msg.w[4], abi::CapType::Frame);
    EXPECT_EQ_U(ev.msg.w[5], R);
}

// spawn(): a running child whose return value reaches its end endpoint
// as the exit status.
void spawn_runs_a_function(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ChildOptions opt;
    opt.fault_ep = h->ep();
    opt.fault_badge = FAULT_BADGE | 7;
    opt.end_ep = h->ep();
    opt.end_badge = FAULT_BADGE | 7;
    ASSERT_VALUE(c, spawn(child_return_next, 41, opt));
    EXPECT_TRUE(c.started());
    ASSERT_VALUE(status, h->wait_exit(7));
    EXPECT_EQ_U(status, 42);
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

void thread_start_errors(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(2));
    const unsigned th = c.thread();
    const uint64_t pc = reinterpret_cast<uint64_t>(&child_report_then_exit);
    const uint64_t sp = CHILD_STACK_TOP - 64;
    EXPECT_ERR(sys::thread_start(abi::SLOT_SELF_THREAD, pc, sp, 0), Error::Busy);
    EXPECT_ERR(sys::thread_start(th, KERNEL_TEXT_VA, sp, 0), Error::InvalidArgument);
    EXPECT_ERR(sys::thread_start(th, NONCANONICAL_VA, sp, 0), Error::InvalidArgument);
    EXPECT_ERR(sys::thread_start(th, pc, KERNEL_HALF_VA, 0), Error::InvalidArgument);
    EXPECT_ERR(sys::thread_start(th, pc, sp, 0, abi::PRIORITY_MAX + 1), Error::InvalidArgument);
    EXPECT_ERR(sys::thread_start(c.task(), pc, sp, 0), Error::WrongType);
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(th, 0, ro.slot(), R));
    EXPECT_ERR(sys::thread_start(ro.slot(), pc, sp, 0), Error::NoRights);
    // None of that started it: a proper start works, once.
    ASSERT_OK(c.start(child_report_then_yield, 3));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 3);
    EXPECT_ERR(sys::thread_start(th, pc, sp, 0), Error::Busy);
}

void thread_set_fault_errors(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(3));
    ASSERT_VALUE(empty, CapSlot::alloc());
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    EXPECT_ERR(sys::thread_set_fault(c.thread(), f.slot()), Error::WrongType);
    EXPECT_ERR(sys::thread_set_fault(c.thread(), empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::thread_set_fault(c.task(), h->ep()), Error::WrongType);
    EXPECT_ERR(sys::thread_set_fault(empty.slot(), h->ep()), Error::InvalidCap);
    EXPECT_OK(sys::thread_set_fault(c.thread(), h->ep()));
    EXPECT_OK(sys::thread_set_fault(c.thread(), 0));
}

int child_read_nothing(uint64_t) { return int(*reinterpret_cast<volatile uint64_t*>(abi::USER_BASE)); }

// A thread waits on its fault endpoint with a fault nobody receives, and
// its fault endpoint holds that endpoint's last capability. Setting a new
// one removes the old: the fault can no longer be answered, so the task
// ends -- and the dead thread must not get the new endpoint (found by the
// fuzzer: the kernel's check saw a dead thread holding a fault endpoint,
// whose reference kept the endpoint from ever being freed).
void thread_set_fault_on_a_thread_its_old_endpoint_ends(unity::Runner& r) {
    ASSERT_VALUE(e, CapSlot::alloc());
    ASSERT_VALUE(other, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(e.slot()));
    ASSERT_OK(sys::endpoint_create(other.slot()));
    ChildOptions opt;
    opt.fault_ep = e.slot();
    ASSERT_VALUE(c, Child::create(opt));
    ASSERT_OK(c.start(child_read_nothing, 0));
    for (unsigned i = 0; i < 20; i++) (void)sys::yield();  // it faults, and waits on e
    EXPECT_TRUE(!thread_dead(c.thread()));
    e.reset();  // the thread's copy is the endpoint's last capability now
    EXPECT_ERR(sys::thread_set_fault(c.thread(), other.slot()), Error::DeadObject);
    EXPECT_TRUE(thread_dead(c.thread()));
    EXPECT_OK(sys::kernel_verify());
}

void task_kill_stops_a_running_task(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(counter, SharedMemory::create());
    ASSERT_VALUE(c, h->child(4));
    ASSERT_OK(c.map(counter));
    ASSERT_OK(c.start(child_spin_counting, counter.addr().raw()));
    volatile uint64_t* n = counter.as<volatile uint64_t>();
    for (unsigned i = 0; i < 1000 && n[0] == 0; i++) (void)sys::yield();
    ASSERT_TRUE(n[0] != 0);
    ASSERT_OK(c.kill());
    const uint64_t after_kill = n[0];
    for (unsigned i = 0; i < 20; i++) (void)sys::yield();
    spin_us(20000);
    EXPECT_EQ_U(n[0], after_kill);
    // Its capabilities held here now name a dead object.
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    EXPECT_ERR(sys::map(c.task(), f.slot(), 0x40000000, RW), Error::DeadObject);
    EXPECT_ERR(sys::thread_start(c.thread(), 0x10000, CHILD_STACK_TOP, 0), Error::DeadObject);
    EXPECT_ERR(sys::task_kill(c.task()), Error::DeadObject);
    ASSERT_VALUE(info, sys::cap_identify(c.task()));
    EXPECT_EQ_U(info.type, abi::CapType::Task);
}

// Exit ends the task at once, and the endpoint its creator named hears of
// it: END_TAG | Exit, the status and the task's id, as a Send from the
// kernel with that capability's badge.
void exit_sends_the_end_notice(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(5));
    ASSERT_OK(c.start(child_report_then_exit, 9));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 9);
    ASSERT_VALUE(end_ev, h->wait_any());
    ASSERT_TRUE(end_ev.end);
    EXPECT_EQ_U(end_ev.e.how, abi::TaskEnd::Exit);
    EXPECT_EQ_U(end_ev.e.status, 9);
    EXPECT_EQ_U(end_ev.id, 5);
    EXPECT_TRUE(!end_ev.reply.valid());  // a Send: nothing to answer
    EXPECT_TRUE(thread_dead(c.thread()));
    EXPECT_ERR(sys::task_kill(c.task()), Error::DeadObject);
}

// Without one, Exit ends the task at once.
void exit_without_fault_handler_ends_the_task(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(6, false));
    ASSERT_OK(c.start(child_report_then_exit, 4));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 4);
    EXPECT_TRUE(wait_thread_dead(c.thread()));
    EXPECT_ERR(sys::task_kill(c.task()), Error::DeadObject);
}

// --- Kernel memory limits (kernel/obj/kmem.h) --------------------------------

constexpr uint64_t KMEM_LIMIT = uint64_t(128) * 1024;
constexpr unsigned GRANDCHILD_TASK = 10, GRANDCHILD_THREAD = 11, EP_A = 20, EP_B = 21, EP_C = 22;

// Runs in a child with KMEM_LIMIT: every refusal is OverQuota at the limit,
// and what is freed is given back. Returns 0, or the failing step.
int child_spends_its_kernel_memory(uint64_t) {
    auto k0 = sys::kmem_info();
    if (!k0.ok() || k0->limit != KMEM_LIMIT || k0->used == 0 || k0->used > k0->limit) return 1;
    // A task with a limit makes only tasks with one, and within its own.
    if (sys::task_create(GRANDCHILD_TASK, GRANDCHILD_THREAD, 0).error() != Error::OverQuota) return 2;
    if (sys::task_create(GRANDCHILD_TASK, GRANDCHILD_THREAD, k0->limit).error() != Error::OverQuota) return 3;
    // An endpoint is charged.
    if (!sys::endpoint_create(EP_A).ok()) return 4;
    auto k1 = sys::kmem_info();
    if (!k1.ok() || k1->used <= k0->used) return 5;
    const uint64_t ep = k1->used - k0->used;
    if (ep != 4096) return 14;  // a page of its own, charged whole
    // A task reserves its structures and its limit: here all but one
    // endpoint's worth of what is left.
    const uint64_t left = k1->limit - k1->used;
    if (left < k1->task_base + 2 * ep) return 6;
    const uint64_t grandchild_limit = left - k1->task_base - ep;
    if (!sys::task_create(GRANDCHILD_TASK, GRANDCHILD_THREAD, grandchild_limit).ok()) return 7;
    auto k2 = sys::kmem_info();
    if (!k2.ok() || k2->used != k2->limit - ep) return 8;
    // One more endpoint fits exactly; the next is refused, until one goes.
    if (!sys::endpoint_create(EP_B).ok()) return 9;
    if (sys::endpoint_create(EP_C).error() != Error::OverQuota) return 10;
    if (!sys::cap_delete(EP_B).ok() || !sys::endpoint_create(EP_C).ok()) return 11;
    // The grandchild's reservation comes back when it is gone.
    if (!sys::task_kill(GRANDCHILD_TASK).ok() || !sys::cap_delete(GRANDCHILD_TASK).ok() ||
        !sys::cap_delete(GRANDCHILD_THREAD).ok())
        return 12;
    auto k3 = sys::kmem_info();
    if (!k3.ok() || k3->used != k1->used + ep) return 13;
    return 0;
}

void kmem_limits_what_a_child_creates(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ChildOptions opt;
    opt.fault_ep = h->ep();
    opt.fault_badge = FAULT_BADGE | 8;
    opt.end_ep = h->ep();
    opt.end_badge = FAULT_BADGE | 8;
    opt.kmem_limit = KMEM_LIMIT;
    ASSERT_VALUE(c, spawn(child_spends_its_kernel_memory, 0, opt));
    ASSERT_VALUE(status, h->wait_exit(8));
    EXPECT_EQ_U(status, 0);
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

// The page tables of a task with a limit stop at it, with OverQuota and
// nothing mapped; its reservation comes back with it.
void kmem_limits_a_tasks_page_tables(unity::Runner& r) {
    ASSERT_VALUE(before, sys::kmem_info());
    EXPECT_EQ_U(before.limit, 0);  // the root task has none
    {
        ASSERT_VALUE(task, CapSlot::alloc());
        ASSERT_VALUE(thread, CapSlot::alloc());
        ASSERT_OK(sys::task_create(task.slot(), thread.slot(), 3 * PAGE_SIZE));
        ASSERT_VALUE(mid, sys::kmem_info());
        EXPECT_EQ_U(mid.used - before.used, mid.task_base + 3 * PAGE_SIZE);
        ASSERT_VALUE(f1, frames().alloc(Order(0)));
        ASSERT_VALUE(f2, frames().alloc(Order(0)));
        ASSERT_VALUE(f3, frames().alloc(Order(0)));
        // A fresh gigabyte needs two tables, the next 2 MiB one more.
        const uint64_t va = uint64_t(64) << 30, step = uint64_t(2) << 20;
        EXPECT_OK(sys::map(task.slot(), f1.slot(), va, RW));
        EXPECT_OK(sys::map(task.slot(), f2.slot(), va + step, RW));
        EXPECT_ERR(sys::map(task.slot(), f3.slot(), va + 2 * step, RW), Error::OverQuota);
        EXPECT_ERR(sys::unmap(f3.slot()), Error::NotFound);  // not mapped
        // Within its tables a page still maps.
        EXPECT_OK(sys::map(task.slot(), f3.slot(), va + PAGE_SIZE, RW));
        ASSERT_OK(sys::task_kill(task.slot()));
    }
    ASSERT_VALUE(after, sys::kmem_info());
    EXPECT_EQ_U(after.used, before.used);
}

// Kernel objects come from pages of their size class, which go back to the
// pool when their last object goes: after making and deleting a few pages'
// worth of endpoints the pool has exactly as many free bytes as before.
// The first round may grow our capability space to hold them, which stays
// grown (docs/syscalls.md, "Capability space"); the second is measured.
void object_pages_go_back_to_the_pool(unity::Runner& r) {
    constexpr unsigned N = 200;  // several pages of endpoints
    static unsigned eps[N];
    for (unsigned round = 0; round < 2; round++) {
        ASSERT_VALUE(before, sys::kernel_info());
        unsigned made = 0;
        for (; made < N; made++) {
            auto slot = slots().alloc();
            if (!slot.ok()) break;
            eps[made] = *slot;
            if (!r.check(sys::endpoint_create(eps[made]).ok(), __FILE__, __LINE__, "endpoint %u", made)) {
                slots().free(eps[made]);
                break;
            }
        }
        EXPECT_EQ_U(made, N);
        ASSERT_VALUE(full, sys::kernel_info());
        EXPECT_TRUE(full.pool_free < before.pool_free);
        for (unsigned i = 0; i < made; i++) {
            EXPECT_OK(sys::cap_delete(eps[i]));
            slots().free(eps[i]);
        }
        ASSERT_VALUE(after, sys::kernel_info());
        if (round == 1) EXPECT_EQ_U(after.pool_free, before.pool_free);
    }
}

}  // namespace

void run_task_tests(unity::Runner& r) {
    RUN_TEST(r, task_create_gives_task_and_thread);
    RUN_TEST(r, child_starts_with_its_own_table);
    RUN_TEST(r, spawn_runs_a_function);
    RUN_TEST(r, thread_start_errors);
    RUN_TEST(r, thread_set_fault_errors);
    RUN_TEST(r, thread_set_fault_on_a_thread_its_old_endpoint_ends);
    RUN_TEST(r, task_kill_stops_a_running_task);
    RUN_TEST(r, exit_sends_the_end_notice);
    RUN_TEST(r, exit_without_fault_handler_ends_the_task);
    RUN_TEST(r, kmem_limits_a_tasks_page_tables);
    RUN_TEST(r, kmem_limits_what_a_child_creates);
    RUN_TEST(r, object_pages_go_back_to_the_pool);
}
