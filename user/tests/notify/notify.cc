// Notifications (docs/syscalls.md, "Notifications"): Signal ORs bits into
// a word, Wait takes them (waiting until there are some), Poll takes them
// without waiting; badges limit the bits a copy may signal; a thread bound
// to a notification takes its bits in its Recv; the end of the last
// capability, or of a waiting task, leaves nothing behind. The kernel's
// consistency check runs after each test.
#include "abi/cap.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/notify/suites.h"

namespace {

using abi::IpcInfo;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;

// Slots in a child's table.
constexpr unsigned C_N = CHILD_FREE_SLOT, C_EP = CHILD_FREE_SLOT + 1, C_REPLY = CHILD_FREE_SLOT + 2;

// What children report (w0).
constexpr uint64_t WAITED = 0x3a17;    // w1 = Wait's error, w2 = its bits
constexpr uint64_t NOTIFIED = 0x4077;  // w1 = the bits its Recv took
constexpr uint64_t CREATED = 0xc4ea;   // w1 = how many, w2 = the error that stopped it, w3 = room
// The bit that tells the bound child below to stop.
constexpr uint64_t STOP = uint64_t(1) << 63;

Result<CapSlot> new_notification() {
    CapSlot s = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(s.slot()));
    return s;
}

Result<CapSlot> copy_of(const CapSlot& src, uint64_t rights, uint64_t badge = 0) {
    CapSlot s = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(src.slot(), 0, s.slot(), rights, badge));
    return s;
}

int child_wait_once(uint64_t) {
    auto bits = sys::wait(C_N);
    (void)report(WAITED, uint64_t(bits.error()), bits.ok() ? *bits : 0);
    return 0;
}

// A server bound to the notification in C_N: answers each Call on C_EP
// with w0 * 2 (through ReplyRecv, the fast path) and reports each signal
// its Recv takes; a signal with STOP ends it.
int child_bound_server(uint64_t) {
    if (!sys::thread_bind_notification(abi::SLOT_SELF_THREAD, C_N).ok()) return 1;
    auto rx = sys::recv(IpcInfo::make(C_EP, 0, 0, C_REPLY));
    while (rx.ok()) {
        if (rx->info.notified()) {
            (void)report(NOTIFIED, rx->msg.w[0], rx->info.raw & ~abi::IpcResult::NOTIFIED);
            if (rx->msg.w[0] & STOP) return 0;
            rx = sys::recv(IpcInfo::make(C_EP, 0, 0, C_REPLY));
            continue;
        }
        sys::Msg m;
        m.w[0] = rx->msg.w[0] * 2;
        rx = sys::reply_recv(IpcInfo::make(C_EP, 0, 0, C_REPLY, C_REPLY), m);
    }
    return 2;
}

// Creates notifications in its own slots until refused; reports how many
// pages its kernel memory limit had left for them before.
int child_create_until_refused(uint64_t) {
    auto kmem = sys::kmem_info();
    if (!kmem.ok() || !kmem->limit) return 1;
    const uint64_t room = (kmem->limit - kmem->used) / 4096;
    uint64_t made = 0;
    Error e = Error::None;
    for (unsigned slot = C_N; slot < abi::CAP_LEAF_SLOTS; slot++) {
        e = sys::notification_create(slot).error();
        if (e != Error::None) break;
        made++;
    }
    (void)report(CREATED, made, uint64_t(e), room);
    return 0;
}

void signal_then_poll_takes_the_bits(unity::Runner& r) {
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(id, sys::cap_identify(n.slot()));
    EXPECT_EQ_U(id.type, abi::CapType::Notification);
    EXPECT_EQ_U(id.rights, abi::RIGHTS_ALL);
    EXPECT_EQ_U(id.word, 0);  // no badge: any bit
    ASSERT_VALUE(none, sys::poll(n.slot()));
    EXPECT_EQ_U(none, 0);
    // Bits signalled before anyone takes them are one word: twice is once.
    ASSERT_OK(sys::signal(n.slot(), 1));
    ASSERT_OK(sys::signal(n.slot(), 4));
    ASSERT_OK(sys::signal(n.slot(), 4));
    ASSERT_VALUE(bits, sys::poll(n.slot()));
    EXPECT_EQ_U(bits, 5);
    ASSERT_VALUE(again, sys::poll(n.slot()));
    EXPECT_EQ_U(again, 0);
    // Wait with bits set takes them without waiting.
    ASSERT_OK(sys::signal(n.slot(), uint64_t(1) << 63));
    ASSERT_VALUE(waited, sys::wait(n.slot()));
    EXPECT_EQ_U(waited, uint64_t(1) << 63);
    EXPECT_OK(sys::kernel_verify());
}

void wait_sleeps_until_a_signal(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(c, h->child(40));
    ASSERT_OK(c.give(n.slot(), C_N, R));
    ASSERT_OK(c.start(child_wait_once, 0));
    ASSERT_OK(sys::yield());  // it runs and waits
    EXPECT_OK(sys::kernel_verify());
    ASSERT_VALUE(before, sys::poll(n.slot()));
    EXPECT_EQ_U(before, 0);
    ASSERT_OK(sys::signal(n.slot(), 0x30));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.id, 40);
    EXPECT_EQ_U(ev.msg.w[0], WAITED);
    EXPECT_EQ_U(ev.msg.w[1], uint64_t(Error::None));
    EXPECT_EQ_U(ev.msg.w[2], 0x30);
    ASSERT_VALUE(after, sys::poll(n.slot()));
    EXPECT_EQ_U(after, 0);  // the waiter took them
    ASSERT_VALUE(status, h->wait_exit(40));
    EXPECT_EQ_U(status, 0);
    EXPECT_OK(sys::kernel_verify());
}

void bad_arguments_are_refused(unity::Runner& r) {
    ASSERT_VALUE(n, new_notification());
    EXPECT_ERR(sys::signal(n.slot(), 0), Error::InvalidArgument);
    EXPECT_ERR(sys::notification_create(n.slot()), Error::Busy);
    EXPECT_ERR(sys::notification_create(0), Error::InvalidCap);
    EXPECT_ERR(sys::notification_create(abi::MAX_CAP_SLOTS), Error::InvalidCap);
    // Write signals, Read waits and polls.
    ASSERT_VALUE(wo, copy_of(n, W));
    ASSERT_VALUE(ro, copy_of(n, R));
    EXPECT_ERR(sys::wait(wo.slot()), Error::NoRights);
    EXPECT_ERR(sys::poll(wo.slot()), Error::NoRights);
    EXPECT_ERR(sys::signal(ro.slot(), 1), Error::NoRights);
    EXPECT_ERR(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, wo.slot()), Error::NoRights);
    ASSERT_OK(sys::signal(wo.slot(), 2));
    ASSERT_VALUE(bits, sys::poll(ro.slot()));
    EXPECT_EQ_U(bits, 2);
    // Other types, empty slots, slots past the space.
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    EXPECT_ERR(sys::signal(ep.slot(), 1), Error::WrongType);
    EXPECT_ERR(sys::wait(ep.slot()), Error::WrongType);
    EXPECT_ERR(sys::poll(abi::SLOT_SELF_TASK), Error::WrongType);
    EXPECT_ERR(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, ep.slot()), Error::WrongType);
    EXPECT_ERR(sys::thread_bind_notification(n.slot(), n.slot()), Error::WrongType);
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::signal(empty.slot(), 1), Error::InvalidCap);
    EXPECT_ERR(sys::wait(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::poll(abi::MAX_CAP_SLOTS + 5), Error::InvalidCap);
    EXPECT_ERR(sys::signal(~uint64_t(0), 1), Error::InvalidCap);
    // A notification capability is not an endpoint.
    EXPECT_ERR(sys::send(IpcInfo::make(n.slot()), sys::Msg{}), Error::WrongType);
    EXPECT_OK(sys::kernel_verify());
}

void badges_limit_the_bits_a_copy_signals(unity::Runner& r) {
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(b, copy_of(n, W, 0x6));
    ASSERT_VALUE(id, sys::cap_identify(b.slot()));
    EXPECT_EQ_U(id.word, 0x6);
    ASSERT_OK(sys::signal(b.slot(), 0x2));
    ASSERT_OK(sys::signal(b.slot(), 0x6));
    EXPECT_ERR(sys::signal(b.slot(), 0x1), Error::NoRights);
    EXPECT_ERR(sys::signal(b.slot(), 0x9), Error::NoRights);
    ASSERT_VALUE(bits, sys::poll(n.slot()));
    EXPECT_EQ_U(bits, 0x6);  // the refused signals set nothing
    // A copy of a badged copy narrows it, never widens it; 0 keeps it.
    ASSERT_VALUE(wider, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(b.slot(), 0, wider.slot(), W, 0x8), Error::InvalidArgument);
    EXPECT_ERR(sys::cap_copy(b.slot(), 0, wider.slot(), W, 0xe), Error::InvalidArgument);
    ASSERT_VALUE(narrower, copy_of(b, W, 0x4));
    ASSERT_VALUE(nid, sys::cap_identify(narrower.slot()));
    EXPECT_EQ_U(nid.word, 0x4);
    EXPECT_ERR(sys::signal(narrower.slot(), 0x2), Error::NoRights);
    ASSERT_VALUE(same, copy_of(b, W));
    ASSERT_VALUE(sid, sys::cap_identify(same.slot()));
    EXPECT_EQ_U(sid.word, 0x6);
    // An endpoint keeps its own rule: badged once only.
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(bep, copy_of(ep, W, 0x6));
    ASSERT_VALUE(rebadged, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(bep.slot(), 0, rebadged.slot(), W, 0x4), Error::InvalidArgument);
    EXPECT_OK(sys::kernel_verify());
}

void a_bound_thread_takes_signals_in_its_recv(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, h->child(41));
    ASSERT_OK(c.give(n.slot(), C_N, R));
    ASSERT_OK(c.give(ep.slot(), C_EP, RW));
    ASSERT_OK(c.start(child_bound_server, 0));
    sys::Msg m;
    m.w[0] = 21;
    ASSERT_VALUE(rx, sys::call(IpcInfo::make(ep.slot()), m));
    EXPECT_EQ_U(rx.msg.w[0], 42);
    // It waits in ReplyRecv now: a signal ends its receive.
    ASSERT_OK(sys::signal(n.slot(), 0x3));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], NOTIFIED);
    EXPECT_EQ_U(ev.msg.w[1], 0x3);
    EXPECT_EQ_U(ev.msg.w[2], 0);  // no badge, no other flag
    // Requests go on being served.
    m.w[0] = 1000;
    ASSERT_VALUE(rx2, sys::call(IpcInfo::make(ep.slot()), m));
    EXPECT_EQ_U(rx2.msg.w[0], 2000);
    // Two signals: the first ends its wait; the second comes while it is
    // not waiting, and its next Recv takes it without waiting.
    ASSERT_OK(sys::signal(n.slot(), 0x10));
    ASSERT_OK(sys::signal(n.slot(), 0x20));
    ASSERT_VALUE(first, h->wait());
    ASSERT_VALUE(second, h->wait());
    EXPECT_EQ_U(first.msg.w[1] | second.msg.w[1], 0x30);
    EXPECT_OK(sys::kernel_verify());
    ASSERT_OK(sys::signal(n.slot(), STOP));
    ASSERT_VALUE(last, h->wait());
    EXPECT_EQ_U(last.msg.w[1], STOP);
    ASSERT_VALUE(status, h->wait_exit(41));
    EXPECT_EQ_U(status, 0);
    // Its binding went with it: the notification can be bound again.
    ASSERT_OK(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, n.slot()));
    ASSERT_OK(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, 0));
    EXPECT_OK(sys::kernel_verify());
}

void binding_is_one_to_one(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(n2, new_notification());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_OK(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, n.slot()));
    EXPECT_ERR(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, n2.slot()), Error::Busy);
    EXPECT_ERR(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, n.slot()), Error::Busy);
    ASSERT_VALUE(c, h->child(42));  // not started: its thread can be bound
    EXPECT_ERR(sys::thread_bind_notification(c.thread(), n.slot()), Error::Busy);
    ASSERT_OK(sys::thread_bind_notification(c.thread(), n2.slot()));
    // Our own Recv takes bits already set, without waiting.
    ASSERT_OK(sys::signal(n.slot(), 0x40));
    ASSERT_VALUE(rx, sys::recv(IpcInfo::make(ep.slot())));
    EXPECT_TRUE(rx.info.notified());
    EXPECT_EQ_U(rx.msg.w[0], 0x40);
    EXPECT_EQ_U(rx.info.badge(), 0);
    for (unsigned i = 1; i < abi::MSG_WORDS; i++) EXPECT_EQ_U(rx.msg.w[i], 0);
    // Unbound, the bits stay for Poll; unbinding twice is no error.
    ASSERT_OK(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, 0));
    ASSERT_OK(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, 0));
    ASSERT_OK(sys::signal(n.slot(), 0x80));
    ASSERT_VALUE(left, sys::poll(n.slot()));
    EXPECT_EQ_U(left, 0x80);
    // The last capability to n2 goes: its thread is unbound with it.
    n2.reset();
    ASSERT_VALUE(n3, new_notification());
    EXPECT_OK(sys::thread_bind_notification(c.thread(), n3.slot()));
    EXPECT_OK(sys::kernel_verify());
}

void the_last_capability_going_wakes_waiters(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(c, h->child(43));
    ASSERT_OK(c.give(n.slot(), C_N, R));
    ASSERT_OK(c.start(child_wait_once, 0));
    ASSERT_OK(sys::yield());
    // Its own copy goes first (a child of ours), then ours, the last.
    ASSERT_OK(sys::cap_revoke(n.slot()));
    EXPECT_OK(sys::kernel_verify());
    ASSERT_OK(sys::cap_delete(n.slot()));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], WAITED);
    EXPECT_EQ_U(ev.msg.w[1], uint64_t(Error::DeadObject));
    ASSERT_VALUE(status, h->wait_exit(43));
    EXPECT_EQ_U(status, 0);
    EXPECT_OK(sys::kernel_verify());
}

void a_task_killed_while_waiting_leaves_nothing(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(c, h->child(44));
    ASSERT_OK(c.give(n.slot(), C_N, R));
    ASSERT_OK(c.start(child_wait_once, 0));
    ASSERT_OK(sys::yield());
    ASSERT_OK(c.kill());
    EXPECT_OK(sys::kernel_verify());
    ASSERT_VALUE(status, h->wait_exit(44));
    EXPECT_EQ_U(status, uint64_t(-1));
    // Nobody takes a signal now: it stays.
    ASSERT_OK(sys::signal(n.slot(), 0x5));
    ASSERT_VALUE(bits, sys::poll(n.slot()));
    EXPECT_EQ_U(bits, 0x5);
    EXPECT_OK(sys::kernel_verify());
}

void notifications_are_charged_to_their_creator(unity::Runner& r) {
    ASSERT_VALUE(before, sys::kmem_info());
    {
        ASSERT_VALUE(a, new_notification());
        ASSERT_VALUE(b, new_notification());
        ASSERT_VALUE(during, sys::kmem_info());
        EXPECT_TRUE(during.used > before.used);
    }
    ASSERT_VALUE(after, sys::kmem_info());
    EXPECT_EQ_U(after.used, before.used);
    // A task with a limit makes notifications until it reaches it: then
    // OverQuota, and nothing of another's is taken.
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(base, sys::kmem_info());
    {
        ChildOptions opt;
        opt.fault_ep = h->ep();
        opt.fault_badge = FAULT_BADGE | 45;
        opt.end_ep = h->ep();
        opt.end_badge = FAULT_BADGE | 45;
        opt.kmem_limit = uint64_t(16) * 4096;  // its tables, then a page for each notification
        ASSERT_VALUE(c, Child::create(opt));
        ASSERT_OK(c.give(h->ep(), CHILD_REPORT_SLOT, W, 45));
        ASSERT_OK(c.start(child_create_until_refused, 0));
        ASSERT_VALUE(ev, h->wait());
        EXPECT_EQ_U(ev.msg.w[0], CREATED);
        EXPECT_TRUE(ev.msg.w[1] >= 4);
        EXPECT_EQ_U(ev.msg.w[1], ev.msg.w[3]);  // every page it had left, one each
        EXPECT_EQ_U(ev.msg.w[2], uint64_t(Error::OverQuota));
        ASSERT_VALUE(status, h->wait_exit(45));
        EXPECT_EQ_U(status, 0);
    }  // the Child goes, and its reservation comes back
    ASSERT_VALUE(end, sys::kmem_info());
    EXPECT_EQ_U(end.used, base.used);
    EXPECT_OK(sys::kernel_verify());
}

}  // namespace

void run_notify_tests(unity::Runner& r) {
    RUN_TEST(r, signal_then_poll_takes_the_bits);
    RUN_TEST(r, wait_sleeps_until_a_signal);
    RUN_TEST(r, bad_arguments_are_refused);
    RUN_TEST(r, badges_limit_the_bits_a_copy_signals);
    RUN_TEST(r, a_bound_thread_takes_signals_in_its_recv);
    RUN_TEST(r, binding_is_one_to_one);
    RUN_TEST(r, the_last_capability_going_wakes_waiters);
    RUN_TEST(r, a_task_killed_while_waiting_leaves_nothing);
    RUN_TEST(r, notifications_are_charged_to_their_creator);
}
