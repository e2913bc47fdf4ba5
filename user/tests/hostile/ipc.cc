// IPC with garbage: IpcInfo words with random fields, Reply capabilities
// used twice or in the wrong place, endpoints that vanish.

#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/hostile/suites.h"

namespace {

using abi::IpcInfo;

// Random IpcInfo words whose endpoint field (and, for Reply, reply_src
// field) names `bad`: an empty slot or a capability of the wrong type.
// Every other bit is random, including the unused top bits.
uint64_t garbage_info(Rng& rng, unsigned bad, bool reply) {
    uint64_t raw = rng.next();
    raw = (raw & ~IpcInfo::SLOT_MASK) | bad;
    constexpr unsigned SRC = 3 * IpcInfo::SLOT_BITS;  // reply_src's place
    if (reply) raw = (raw & ~(IpcInfo::SLOT_MASK << SRC)) | (uint64_t(bad) << SRC);
    return raw;
}

void garbage_info_words_are_refused(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    ASSERT_VALUE(empty, CapSlot::alloc());
    struct Case {
        abi::Sys call;
        bool reply;
    };
    const Case cases[] = {{abi::Sys::Send, false},
                          {abi::Sys::Recv, false},
                          {abi::Sys::Call, false},
                          {abi::Sys::Reply, true},
                          {abi::Sys::ReplyRecv, true}};
    Rng rng{0x1bc1bc1bc1bc1bcull};
    for (unsigned i = 0; i < 2000; i++) {
        const Case& c = cases[i % 5];
        const bool wrong_type = (i / 5) & 1;
        const unsigned bad = wrong_type ? f.slot() : empty.slot();
        const uint64_t info = garbage_info(rng, bad, c.reply);
        sys::Msg m;
        for (auto& w : m.w) w = rng.next();
        const Error e = sys::ipc_raw(uint64_t(c.call), info, m).error;
        const Error want = wrong_type ? Error::WrongType : Error::InvalidCap;
        if (!r.check(e == want, __FILE__, __LINE__, "Sys %lu with info %#lx: got '%s', expected '%s'",
                     uint64_t(c.call), info, error_name(e), error_name(want)))
            break;
    }
    // Endpoint fields name the first IPC_SLOTS slots; slot 0 is never an endpoint.
    EXPECT_ERR(sys::send(IpcInfo{~IpcInfo::SLOT_MASK}, sys::Msg{}), Error::InvalidCap);
    EXPECT_ERR(sys::recv(IpcInfo{0}), Error::InvalidCap);
}

int child_ask(uint64_t) { return ask(0x11).ok() ? 0 : 1; }

void reply_caps_cannot_be_reused_or_misused(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(70));
    ASSERT_OK(c.start(child_ask, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.reply.valid());
    const unsigned reply = ev.reply.slot();
    // Not an endpoint, not a thing to transfer, not copyable, not mappable.
    EXPECT_ERR(sys::send(IpcInfo::make(reply), sys::Msg{}), Error::WrongType);
    EXPECT_ERR(sys::recv(IpcInfo::make(reply)), Error::WrongType);
    ASSERT_VALUE(dst, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(reply, 0, dst.slot(), abi::RIGHTS_ALL), Error::WrongType);
    EXPECT_ERR(sys::map(0, reply, 0x5000'0000, abi::RIGHT_READ), Error::WrongType);
    // ReplyRecv whose receive side is bad must not spend the Reply cap.
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::reply_recv(IpcInfo::make(empty.slot(), 0, 0, 0, reply), sys::Msg{}), Error::InvalidCap);
    ASSERT_VALUE(info, sys::cap_identify(reply));
    EXPECT_EQ_U(info.type, abi::CapType::Reply);
    // Used once, then gone: Reply and ReplyRecv both refuse it.
    ASSERT_OK(sys::reply(IpcInfo::make(0, 0, 0, 0, reply), sys::Msg{}));
    EXPECT_ERR(sys::reply(IpcInfo::make(0, 0, 0, 0, reply), sys::Msg{}), Error::InvalidCap);
    EXPECT_ERR(sys::reply_recv(IpcInfo::make(h->ep(), 0, 0, 0, reply), sys::Msg{}), Error::InvalidCap);
    slots().free(ev.reply.release());
    ASSERT_VALUE(status, h->wait_exit(70));
    EXPECT_EQ_U(status, 0);
}

// A child blocked sending to an endpoint whose last capability goes away
// gets DeadObject, and a Send to a now-receiverless endpoint does not
// touch anything else.
int child_send_report_error(uint64_t) {
    Status s = sys::send(IpcInfo::make(CHILD_FREE_SLOT), sys::Msg{});
    (void)report(0xe, uint64_t(s.error()));
    return 0;
}

void endpoint_vanishing_under_a_sender(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, h->child(71));
    ASSERT_OK(c.give(ep.slot(), CHILD_FREE_SLOT, abi::RIGHT_WRITE));
    ASSERT_OK(c.start(child_send_report_error, 0));
    for (unsigned i = 0; i < 5; i++) (void)sys::yield();
    ASSERT_OK(sys::cap_revoke(ep.slot()));
    ASSERT_OK(sys::cap_delete(ep.slot()));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0xe);
    EXPECT_EQ_U(ev.msg.w[1], uint64_t(Error::DeadObject));
}

// Killing a task while it waits in a Call on our endpoint: its message
// must not arrive afterwards.
int child_call_ep(uint64_t) {
    (void)sys::call(IpcInfo::make(CHILD_FREE_SLOT), sys::Msg{});
    return 0;
}

void caller_killed_while_queued(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, h->child(72));
    ASSERT_OK(c.give(ep.slot(), CHILD_FREE_SLOT, abi::RIGHT_WRITE, 72));
    ASSERT_OK(c.start(child_call_ep, 0));
    for (unsigned i = 0; i < 5; i++) (void)sys::yield();
    ASSERT_OK(c.kill());
    EXPECT_TRUE(thread_dead(c.thread()));
    // The next caller's message is the first one we receive.
    ASSERT_VALUE(c2, h->child(73));
    ASSERT_OK(c2.give(ep.slot(), CHILD_FREE_SLOT, abi::RIGHT_WRITE, 73));
    ASSERT_OK(c2.start(child_call_ep, 0));
    ASSERT_VALUE(reply, CapSlot::alloc());
    ASSERT_VALUE(rx, sys::recv(IpcInfo::make(ep.slot(), 0, 0, reply.slot())));
    EXPECT_EQ_U(rx.info.badge(), 73);
    EXPECT_TRUE(rx.info.is_call());
    ASSERT_OK(sys::reply(IpcInfo::make(0, 0, 0, 0, reply.slot()), sys::Msg{}));
    slots().free(reply.release());
}

}  // namespace

void run_ipc_tests(unity::Runner& r) {
    RUN_TEST(r, garbage_info_words_are_refused);
    RUN_TEST(r, reply_caps_cannot_be_reused_or_misused);
    RUN_TEST(r, endpoint_vanishing_under_a_sender);
    RUN_TEST(r, caller_killed_while_queued);
}
