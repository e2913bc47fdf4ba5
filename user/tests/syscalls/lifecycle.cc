// How a task ends (docs/syscalls.md, "How a task ends"): every way gives
// back everything it held, and the endpoint its creator named hears of it.
// Each test here failed before the kernel ended tasks nobody holds and
// tasks whose creator ended, and before TaskKill refused slot 0.
#include "abi/boot.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/levels.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

// A task made and never started, whose Task and Thread capabilities are
// deleted (either first): nothing outside it holds it any more, so it
// ends, and its pool memory and our reservation for it come back.
void a_task_never_started_ends_when_its_capabilities_go(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    for (bool task_first : {true, false}) {
        for (uint64_t limit : {uint64_t(0), uint64_t(16) * PAGE_SIZE}) {
            ASSERT_VALUE(task, CapSlot::alloc());
            ASSERT_VALUE(thread, CapSlot::alloc());
            ASSERT_OK(sys::task_create(task.slot(), thread.slot(), limit));
            ASSERT_VALUE(made, levels());
            EXPECT_TRUE(made.pool_free < start.pool_free);
            if (task_first) {
                task.reset();
                EXPECT_TRUE(!thread_dead(thread.slot()));  // its Thread capability still holds it
                thread.reset();
            } else {
                thread.reset();
                task.reset();
            }
            EXPECT_LEVELS(start);
        }
    }
}

// A copy held elsewhere keeps a task: here a copy of its Task capability
// in another task's table. When that one ends, the copy goes and so does
// the task.
void a_copy_held_by_another_task_keeps_it(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    {
        ASSERT_VALUE(holder, CapSlot::alloc());
        ASSERT_VALUE(holder_thread, CapSlot::alloc());
        ASSERT_OK(sys::task_create(holder.slot(), holder_thread.slot()));
        ASSERT_VALUE(task, CapSlot::alloc());
        ASSERT_VALUE(thread, CapSlot::alloc());
        ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
        ASSERT_OK(sys::cap_copy(task.slot(), holder.slot(), abi::SLOT_FIRST_FREE, abi::RIGHTS_ALL));
        ASSERT_VALUE(probe, CapSlot::alloc());
        ASSERT_OK(sys::cap_copy(thread.slot(), 0, probe.slot(), abi::RIGHT_READ));
        task.reset();
        thread.reset();
        EXPECT_TRUE(!thread_dead(probe.slot()));  // our read-only copy of its Thread cap holds it too
        probe.reset();
        ASSERT_VALUE(alive, sys::cap_identify(holder.slot()));
        EXPECT_EQ_U(alive.type, abi::CapType::Task);
        ASSERT_OK(sys::task_kill(holder.slot()));  // the copy goes with the holder's table
    }
    EXPECT_LEVELS(start);
}

// Run by a child with a kernel memory limit: makes a task (never
// started) and gives its Task capability to the parent over the endpoint
// in CHILD_FREE_SLOT, then exits. Returns the step that failed.
constexpr unsigned GRAND_TASK = 20, GRAND_THREAD = 21;
int child_makes_a_task_and_exits(uint64_t) {
    if (!sys::task_create(GRAND_TASK, GRAND_THREAD, PAGE_SIZE).ok()) return 1;
    if (!sys::send(abi::IpcInfo::make(CHILD_FREE_SLOT, GRAND_TASK), sys::Msg{}).ok()) return 2;
    return 0;
}

// A task ends with the task that created it, even when others hold it;
// the task that created it, with a limit, comes back whole too.
void a_task_ends_with_its_creator(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    ASSERT_VALUE(h, hub());
    {
        ASSERT_VALUE(ep, CapSlot::alloc());
        ASSERT_OK(sys::endpoint_create(ep.slot()));
        ASSERT_VALUE(c, h->child(30));
        ASSERT_OK(c.give(ep.slot(), CHILD_FREE_SLOT, abi::RIGHT_WRITE | abi::RIGHT_GRANT));
        ASSERT_OK(c.start(child_makes_a_task_and_exits, 0));
        ASSERT_VALUE(grand, CapSlot::alloc());
        ASSERT_VALUE(got, sys::recv(abi::IpcInfo::make(ep.slot(), 0, grand.slot())));
        EXPECT_TRUE(got.info.cap_received());
        ASSERT_VALUE(status, h->wait_exit(30));
        EXPECT_EQ_U(status, 0);
        // Ours is the last capability to it, yet it ended with its creator.
        EXPECT_ERR(sys::task_kill(grand.slot()), Error::DeadObject);
    }
    EXPECT_LEVELS(start);
}

// A limited task killed while it holds a task it made that never ran:
// both come back.
int child_makes_a_task_and_waits(uint64_t) {
    if (!sys::task_create(GRAND_TASK, GRAND_THREAD, PAGE_SIZE).ok()) return 1;
    (void)report(1);
    for (;;) (void)sys::yield();
}

void a_killed_task_gives_back_the_tasks_it_made(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    ASSERT_VALUE(h, hub());
    {
        ChildOptions opt;
        opt.kmem_limit = uint64_t(256) * 1024;
        opt.end_ep = h->ep();
        opt.end_badge = FAULT_BADGE | 31;
        ASSERT_VALUE(c, Child::create(opt));
        ASSERT_OK(c.give(h->ep(), CHILD_REPORT_SLOT, abi::RIGHT_WRITE, 31));
        ASSERT_OK(c.start(child_makes_a_task_and_waits, 0));
        ASSERT_VALUE(ev, h->wait());
        EXPECT_EQ_U(ev.msg.w[0], 1);
        ASSERT_OK(c.kill());
        ASSERT_VALUE(end, h->wait_any());
        ASSERT_TRUE(end.end);
        EXPECT_EQ_U(end.e.how, abi::TaskEnd::Killed);
        EXPECT_EQ_U(end.id, 31);
    }
    EXPECT_LEVELS(start);
}

// TaskCreate's end endpoint (a3) must be an Endpoint capability with the
// right to send; a refused one makes nothing.
void task_create_refuses_a_bad_end_endpoint(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    ASSERT_VALUE(empty, CapSlot::alloc());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(receive_only, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, receive_only.slot(), abi::RIGHT_READ));
    EXPECT_ERR(sys::task_create(task.slot(), thread.slot(), 0, empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::task_create(task.slot(), thread.slot(), 0, abi::MAX_CAP_SLOTS + 7), Error::InvalidCap);
    EXPECT_ERR(sys::task_create(task.slot(), thread.slot(), 0, abi::SLOT_SELF_TASK), Error::WrongType);
    EXPECT_ERR(sys::task_create(task.slot(), thread.slot(), 0, receive_only.slot()), Error::NoRights);
    EXPECT_ERR(sys::cap_identify(task.slot()), Error::InvalidCap);  // nothing made
    receive_only.reset();
    ep.reset();
    EXPECT_LEVELS(start);
}

// TaskKill names a Task capability; slot 0 is none (a task ends itself
// with Exit, or through the Task capability to itself it holds).
void task_kill_of_slot_0_is_refused(unity::Runner& r) {
    EXPECT_ERR(sys::task_kill(0), Error::InvalidCap);
    ASSERT_VALUE(me, sys::cap_identify(abi::SLOT_SELF_TASK));  // still here
    EXPECT_EQ_U(me.type, abi::CapType::Task);
}

// A limit larger than the kernel pool is refused (it could never be
// used, and reserving it would wrap a creator's account).
void task_create_refuses_a_limit_past_the_pool(unity::Runner& r) {
    ASSERT_VALUE(start, levels());
    ASSERT_VALUE(k, sys::kernel_info());
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    for (uint64_t limit : {uint64_t(1) << 63, k.pool_total + 1}) {
        EXPECT_ERR(sys::task_create(task.slot(), thread.slot(), limit), Error::InvalidArgument);
        EXPECT_ERR(sys::cap_identify(task.slot()), Error::InvalidCap);
    }
    EXPECT_LEVELS(start);
}

// Its end notice comes to the endpoint its creator named, however it ends,
// and the task cannot take it away: here it first sets its own fault
// endpoint to nothing, then faults.
int child_drops_its_fault_endpoint_then_faults(uint64_t) {
    if (!sys::thread_set_fault(abi::SLOT_SELF_THREAD, 0).ok()) return 1;
    return int(*reinterpret_cast<volatile uint64_t*>(abi::USER_BASE));  // nothing mapped there
}

int child_kills_itself(uint64_t) {
    (void)sys::task_kill(abi::SLOT_SELF_TASK);
    return 5;  // never reached
}

void the_end_notice_comes_however_a_task_ends(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    struct Case {
        ChildFn fn;
        abi::TaskEnd how;
    } const cases[] = {
        {child_drops_its_fault_endpoint_then_faults, abi::TaskEnd::Fault},
        {child_kills_itself, abi::TaskEnd::Killed},
    };
    unsigned id = 40;
    for (const Case& k : cases) {
        ASSERT_VALUE(c, h->child(id));
        ASSERT_OK(c.start(k.fn, 0));
        ASSERT_VALUE(ev, h->wait_any());
        ASSERT_TRUE(ev.end);
        EXPECT_EQ_U(ev.e.how, k.how);
        EXPECT_EQ_U(ev.e.status, uint64_t(-1));
        EXPECT_EQ_U(ev.id, id);
        id++;
    }
}

}  // namespace

void run_lifecycle_tests(unity::Runner& r) {
    RUN_TEST(r, a_task_never_started_ends_when_its_capabilities_go);
    RUN_TEST(r, a_copy_held_by_another_task_keeps_it);
    RUN_TEST(r, a_task_ends_with_its_creator);
    RUN_TEST(r, a_killed_task_gives_back_the_tasks_it_made);
    RUN_TEST(r, task_kill_of_slot_0_is_refused);
    RUN_TEST(r, task_create_refuses_a_limit_past_the_pool);
    RUN_TEST(r, task_create_refuses_a_bad_end_endpoint);
    RUN_TEST(r, the_end_notice_comes_however_a_task_ends);
}
