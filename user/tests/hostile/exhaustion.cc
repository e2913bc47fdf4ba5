// Running the kernel out of memory: every call that needs kernel memory
// then fails with NoMemory, nothing else breaks, and giving the objects
// back returns every byte.
#include "abi/boot.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/hostile/suites.h"

namespace {

// Task and Thread slots of the tasks made below (plain slots, cleaned up
// by hand: a table of CapSlot objects this large would not fit the stack).
constexpr unsigned MAX_TASKS = abi::ROOT_CAP_SLOTS / 2;
constinit unsigned g_task[MAX_TASKS];
constinit unsigned g_thread[MAX_TASKS];

// Creates tasks until TaskCreate fails (NoMemory) or our table is full
// (OverQuota). Returns how many were made; *why is the error that stopped it.
unsigned create_tasks(Error* why) {
    unsigned n = 0;
    while (n < MAX_TASKS) {
        auto task = slots().alloc();
        auto thread = slots().alloc();
        if (!task.ok() || !thread.ok()) {
            if (task.ok()) slots().free(*task);
            if (thread.ok()) slots().free(*thread);
            *why = Error::OverQuota;
            return n;
        }
        Status s = sys::task_create(*task, *thread);
        if (!s.ok()) {
            slots().free(*task);
            slots().free(*thread);
            *why = s.error();
            return n;
        }
        g_task[n] = *task;
        g_thread[n] = *thread;
        n++;
    }
    *why = Error::OverQuota;
    return n;
}

void destroy_tasks(unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        (void)sys::task_kill(g_task[i]);
        (void)sys::cap_delete(g_task[i]);
        (void)sys::cap_delete(g_thread[i]);
        slots().free(g_task[i]);
        slots().free(g_thread[i]);
    }
}

void kernel_pool_exhaustion_fails_cleanly(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_VALUE(before, sys::kernel_info());
    Error why = Error::None;
    const unsigned n = create_tasks(&why);
    r.check(why == Error::NoMemory || why == Error::OverQuota, __FILE__, __LINE__, "TaskCreate #%u: '%s'", n,
            error_name(why));
    EXPECT_TRUE(n > 10);
    if (why == Error::NoMemory) {
        // Everything else that needs kernel memory says so, and nothing more.
        ASSERT_VALUE(low, sys::kernel_info());
        EXPECT_TRUE(low.pool_free < before.pool_free);
        const Error e = sys::endpoint_create(ep.slot()).error();
        EXPECT_TRUE(e == Error::NoMemory || e == Error::None);
        // Page tables for a mapping far from any other in a fresh task.
        Error map_error = Error::None;
        for (unsigned i = 0; i < n && map_error == Error::None; i++) {
            map_error =
                sys::map(g_task[i], f.slot(), 0x10'0000'0000 + uint64_t(i) * 0x4000'0000, abi::RIGHT_READ)
                    .error();
            if (map_error == Error::None) (void)sys::unmap(f.slot());
        }
        EXPECT_ERR(Status(map_error), Error::NoMemory);
        EXPECT_OK(sys::null());
        (void)sys::cap_delete(ep.slot());
    } else {
        r.ignore(__FILE__, __LINE__, "pool_exhausted", "the capability table filled before the kernel pool");
    }
    destroy_tasks(n);
    // All of it comes back. Freed objects stay in the pool's free lists
    // (KernelInfo counts them as used), so the measure is a second round:
    // it must fit exactly as many tasks and end where the first ended.
    ASSERT_VALUE(warm, sys::kernel_info());
    Error why2 = Error::None;
    const unsigned n2 = create_tasks(&why2);
    destroy_tasks(n2);
    EXPECT_EQ_U(n2, n);
    EXPECT_ERR(Status(why2), why);
    ASSERT_VALUE(after, sys::kernel_info());
    EXPECT_EQ_U(after.pool_free, warm.pool_free);
    // And the kernel still makes tasks.
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    EXPECT_OK(sys::task_create(task.slot(), thread.slot()));
    EXPECT_OK(sys::task_kill(task.slot()));
}

// Creating and destroying objects many times leaks nothing.
void create_destroy_cycles_leak_nothing(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    ASSERT_VALUE(ep, CapSlot::alloc());
    // One round first: the pool keeps freed objects on its free lists.
    ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_OK(sys::task_kill(task.slot()));
    ASSERT_OK(sys::cap_delete(task.slot()));
    ASSERT_OK(sys::cap_delete(thread.slot()));
    ASSERT_OK(sys::cap_delete(ep.slot()));
    ASSERT_VALUE(before, sys::kernel_info());
    for (unsigned i = 0; i < 300; i++) {
        ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
        ASSERT_OK(sys::endpoint_create(ep.slot()));
        ASSERT_OK(
            sys::map(task.slot(), f.slot(), 0x1000'0000 + uint64_t(i % 7) * 0x4000'0000, abi::RIGHT_READ));
        ASSERT_OK(sys::thread_set_fault(thread.slot(), ep.slot()));
        ASSERT_OK(sys::task_kill(task.slot()));
        ASSERT_OK(sys::cap_delete(task.slot()));
        ASSERT_OK(sys::cap_delete(thread.slot()));
        ASSERT_OK(sys::cap_delete(ep.slot()));
    }
    ASSERT_VALUE(after, sys::kernel_info());
    EXPECT_EQ_U(after.pool_free, before.pool_free);
}

}  // namespace

void run_exhaustion_tests(unity::Runner& r) {
    RUN_TEST(r, kernel_pool_exhaustion_fails_cleanly);
    RUN_TEST(r, create_destroy_cycles_leak_nothing);
}
