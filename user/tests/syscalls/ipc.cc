// EndpointCreate, Send, Recv, Call, Reply, ReplyRecv: words, badges, one
// transferred capability, rights, and the DeadObject cases.

#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/regs.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

using abi::IpcInfo;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;
constexpr uint64_t MAGIC = 0x1dc0'ffee'0000'0042ull;
constexpr uint64_t SERVER_MAP_VA = 0x6000'0000;

// Slots in a child's table used by the children below.
constexpr unsigned C_EP = CHILD_FREE_SLOT, C_REPLY = CHILD_FREE_SLOT + 1, C_RECV = CHILD_FREE_SLOT + 2;
constexpr unsigned C_GIFT = CHILD_FREE_SLOT + 3;

sys::Msg words(uint64_t w0, uint64_t w1 = 0) {
    sys::Msg m;
    m.w[0] = w0;
    m.w[1] = w1;
    return m;
}

int child_send_six_words(uint64_t) {
    sys::Msg m;
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) m.w[i] = 0x100 + i;
    (void)report(m);
    return 0;
}

// Answers each call on C_EP with: w0 * 2, the badge, the IpcResult flags,
// and for a received Frame its type and word after writing MAGIC into it.
// A call with w0 == 0 is answered and ends the server.
sys::Msg serve_one(const sys::Received& rx) {
    sys::Msg m = words(rx.msg.w[0] * 2, rx.info.badge());
    m.w[2] = rx.info.raw & ~abi::IpcResult::BADGE_MASK;
    for (unsigned i = 1; i < 6; i++) m.w[5] += rx.msg.w[i];
    if (rx.info.cap_received()) {
        auto info = sys::cap_identify(C_RECV);
        m.w[3] = info.ok() ? uint64_t(info->type) : 0x100 + uint64_t(info.error());
        m.w[4] = info.ok() ? info->word : 0;
        if (sys::map(0, C_RECV, SERVER_MAP_VA, RW).ok())
            *reinterpret_cast<volatile uint64_t*>(SERVER_MAP_VA) = MAGIC;
        (void)sys::cap_delete(C_RECV);  // unmaps, and frees the slot for the next one
    }
    return m;
}

int child_server(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP, 0, C_RECV, C_REPLY));
    while (rx.ok()) {
        sys::Msg m = serve_one(*rx);
        if (rx->msg.w[0] == 0) {
            (void)sys::reply(IpcInfo::make(0, 0, 0, 0, C_REPLY), m);
            return 0;
        }
        rx = sys::reply_recv(IpcInfo::make(C_EP, 0, C_RECV, C_REPLY, C_REPLY), m);
    }
    (void)report(0xbad, uint64_t(rx.error()));
    return 1;
}

// Receives one message on C_EP without a reply slot, then reports w0.
int child_recv_no_reply_slot(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP));
    (void)report(rx.ok() ? rx->msg.w[0] : 0xbad, uint64_t(rx.error()), rx.ok() ? rx->info.raw : 0);
    return 0;
}

// Receives on C_EP and reports the Error it got.
int child_recv_report_error(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP));
    (void)report(0xe, uint64_t(rx.error()));
    return 0;
}

// Sends to C_EP, sets the flag at `flag_va`, then tells the hub.
int child_send_then_flag(uint64_t flag_va) {
    Status s = sys::send(IpcInfo::make(C_EP), words(77));
    *reinterpret_cast<volatile uint64_t*>(flag_va) = 1;
    (void)report(0x5e, uint64_t(s.error()));
    return 0;
}

// Answers one call on C_EP with the capability in C_GIFT.
int child_reply_with_cap(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP, 0, 0, C_REPLY));
    if (!rx.ok()) return 1;
    Status s = sys::reply(IpcInfo::make(0, C_GIFT, 0, 0, C_REPLY), words(0x91f7));
    return s.ok() ? 0 : 2;
}

// Where the reply below names an address in the caller (which must stay
// unmapped: that reply is not to a fault).
constexpr uint64_t NOT_A_FAULT_VA = 0x2d00000000;

// Answers one call with the words of a FAULT_MAP verdict and the frame in
// C_GIFT, through ReplyRecv (its fast path), then waits on.
int child_reply_like_fault_map(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP, 0, 0, C_REPLY));
    if (!rx.ok()) return 1;
    sys::Msg m;
    m.w[0] = abi::FAULT_MAP;
    m.w[1] = NOT_A_FAULT_VA;
    m.w[2] = abi::RIGHT_READ;
    (void)sys::reply_recv(IpcInfo::make(C_EP, C_GIFT, 0, C_REPLY, C_REPLY), m);
    return 2;
}

// Calls the hub with w0 = 0xca11 and reports what the call returned.
int child_ask_then_report(uint64_t) {
    auto rx = ask(0xca11);
    (void)report(0xa, uint64_t(rx.error()), rx.ok() ? rx->msg.w[0] : 0);
    return 0;
}

// A started server child with a send/receive copy of `ep` in C_EP.
Result<Child> start_server(Hub* h, unsigned id, unsigned ep, ChildFn fn) {
    Child c = TRY(h->child(id));
    TRY_STATUS(c.give(ep, C_EP, RW));
    TRY_STATUS(c.start(fn, 0));
    return c;
}

void send_recv_carries_words_and_badge(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(20));
    ASSERT_OK(c.start(child_send_six_words, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(!ev.fault);
    EXPECT_EQ_U(ev.badge, 20);
    EXPECT_TRUE(!ev.reply.valid());  // a Send, not a Call
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) EXPECT_EQ_U(ev.msg.w[i], 0x100 + i);
}

void call_reply_recv_round_trips(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(badged, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, badged.slot(), W, 0x77));
    ASSERT_VALUE(c, start_server(h, 21, ep.slot(), child_server));
    const uint64_t values[] = {21, 1000, 0x123456789};
    for (uint64_t v : values) {
        sys::Msg m = words(v);
        for (unsigned i = 1; i < abi::MSG_WORDS; i++) m.w[i] = v + i;
        ASSERT_VALUE(rx, sys::call(IpcInfo::make(badged.slot()), m));
        EXPECT_EQ_U(rx.msg.w[0], v * 2);
        EXPECT_EQ_U(rx.msg.w[1], 0x77);                     // the server saw our badge
        EXPECT_EQ_U(rx.msg.w[2], abi::IpcResult::IS_CALL);  // and a Reply cap, no capability
        EXPECT_EQ_U(rx.msg.w[5], 5 * v + 15);               // all six words travelled
    }
    ASSERT_VALUE(last, sys::call(IpcInfo::make(badged.slot()), words(0)));
    EXPECT_EQ_U(last.msg.w[0], 0);
    ASSERT_VALUE(status, h->wait_exit(21));
    EXPECT_EQ_U(status, 0);
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

void call_transfers_a_capability(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, start_server(h, 22, ep.slot(), child_server));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(rx, sys::call(IpcInfo::make(ep.slot(), f.slot()), words(5)));
    EXPECT_EQ_U(rx.msg.w[2], abi::IpcResult::IS_CALL | abi::IpcResult::CAP_RECEIVED);
    EXPECT_EQ_U(rx.msg.w[3], abi::CapType::Frame);
    EXPECT_EQ_U(rx.msg.w[4], f.pfn.raw() << 8);
    // The server wrote through its copy; ours is still here.
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0), R));
    EXPECT_EQ_U(m.as<uint64_t>()[0], MAGIC);
    // Without Grant on the endpoint cap nothing is sent at all.
    ASSERT_VALUE(nogrant, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, nogrant.slot(), RW));
    EXPECT_ERR(sys::call(IpcInfo::make(nogrant.slot(), f.slot()), words(6)), Error::NoRights);
    // A capability that is not there.
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::call(IpcInfo::make(ep.slot(), empty.slot()), words(6)), Error::InvalidCap);
    ASSERT_VALUE(fin, sys::call(IpcInfo::make(ep.slot()), words(0)));
    EXPECT_EQ_U(fin.msg.w[2], abi::IpcResult::IS_CALL);  // the failed calls delivered nothing
}

// A Reply may carry a capability too; it lands where the caller said.
void reply_transfers_a_capability(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(c, h->child(28));
    ASSERT_OK(c.give(ep.slot(), C_EP, RW));
    ASSERT_OK(c.give(f.slot(), C_GIFT, R));
    ASSERT_OK(c.start(child_reply_with_cap, 0));
    ASSERT_VALUE(got, CapSlot::alloc());
    ASSERT_VALUE(rx, sys::call(IpcInfo::make(ep.slot(), 0, got.slot()), words(1)));
    EXPECT_EQ_U(rx.msg.w[0], 0x91f7);
    EXPECT_TRUE(rx.info.cap_received());
    ASSERT_VALUE(info, sys::cap_identify(got.slot()));
    EXPECT_EQ_U(info.type, abi::CapType::Frame);
    EXPECT_EQ_U(info.rights, R);
    EXPECT_EQ_U(info.word, f.pfn.raw() << 8);
    ASSERT_VALUE(status, h->wait_exit(28));
    EXPECT_EQ_U(status, 0);
}

// FAULT_MAP means something only in the answer to a fault: the same words
// answering an ordinary Call are a message like any other, the frame
// travels as a capability, and nothing is mapped.
void fault_map_words_answering_a_call_are_a_message(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(c, h->child(34));
    ASSERT_OK(c.give(ep.slot(), C_EP, RW));
    ASSERT_OK(c.give(f.slot(), C_GIFT, R));
    ASSERT_OK(c.start(child_reply_like_fault_map, 0));
    ASSERT_VALUE(got, CapSlot::alloc());
    ASSERT_VALUE(rx, sys::call(IpcInfo::make(ep.slot(), 0, got.slot()), words(1)));
    EXPECT_EQ_U(rx.msg.w[0], abi::FAULT_MAP);
    EXPECT_EQ_U(rx.msg.w[1], NOT_A_FAULT_VA);
    EXPECT_TRUE(rx.info.cap_received());
    ASSERT_VALUE(info, sys::cap_identify(got.slot()));
    EXPECT_EQ_U(info.type, abi::CapType::Frame);
    // Nothing was mapped at the address the words name: a frame of ours
    // maps there.
    ASSERT_VALUE(probe, frames().alloc(Order(0), RW));
    EXPECT_OK(sys::map(0, probe.slot(), NOT_A_FAULT_VA, RW));
    EXPECT_OK(sys::unmap(probe.slot()));
    ASSERT_OK(c.kill());
}

void ipc_rights_and_types(unity::Runner& r) {
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(recv_only, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, recv_only.slot(), R));
    ASSERT_VALUE(send_only, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, send_only.slot(), W));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::send(IpcInfo::make(recv_only.slot()), words(1)), Error::NoRights);
    EXPECT_ERR(sys::call(IpcInfo::make(recv_only.slot()), words(1)), Error::NoRights);
    EXPECT_ERR(sys::recv(IpcInfo::make(send_only.slot())), Error::NoRights);
    EXPECT_ERR(sys::send(IpcInfo::make(f.slot()), words(1)), Error::WrongType);
    EXPECT_ERR(sys::recv(IpcInfo::make(f.slot())), Error::WrongType);
    EXPECT_ERR(sys::send(IpcInfo::make(empty.slot()), words(1)), Error::InvalidCap);
    EXPECT_ERR(sys::recv(IpcInfo::make(0)), Error::InvalidCap);
    EXPECT_ERR(sys::reply(IpcInfo::make(0, 0, 0, 0, f.slot()), words(1)), Error::WrongType);
    EXPECT_ERR(sys::reply(IpcInfo::make(0, 0, 0, 0, empty.slot()), words(1)), Error::InvalidCap);
    EXPECT_ERR(sys::reply_recv(IpcInfo::make(ep.slot(), 0, 0, 0, empty.slot()), words(1)), Error::InvalidCap);
}

void send_blocks_until_received(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(flag, SharedMemory::create());
    ASSERT_VALUE(c, h->child(23));
    ASSERT_OK(c.give(ep.slot(), C_EP, W));
    ASSERT_OK(c.map(flag));
    ASSERT_OK(c.start(child_send_then_flag, flag.addr().raw()));
    for (unsigned i = 0; i < 10; i++) (void)sys::yield();
    spin_us(20000);
    EXPECT_EQ_U(flag.as<volatile uint64_t>()[0], 0);  // still blocked in Send
    ASSERT_VALUE(rx, sys::recv(IpcInfo::make(ep.slot())));
    EXPECT_EQ_U(rx.msg.w[0], 77);
    EXPECT_TRUE(!rx.info.is_call());
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0x5e);
    EXPECT_EQ_U(ev.msg.w[1], 0);
    EXPECT_EQ_U(flag.as<volatile uint64_t>()[0], 1);
}

void call_without_reply_slot_fails(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, start_server(h, 24, ep.slot(), child_recv_no_reply_slot));
    EXPECT_ERR(sys::call(IpcInfo::make(ep.slot()), words(31)), Error::DeadObject);
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 31);  // the message itself was delivered
    EXPECT_EQ_U(ev.msg.w[1], 0);
    EXPECT_EQ_U(ev.msg.w[2] & abi::IpcResult::IS_CALL, 0);
}

void reply_capability_works_once(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(25));
    ASSERT_OK(c.start(child_ask_then_report, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.reply.valid());
    EXPECT_EQ_U(ev.msg.w[0], 0xca11);
    const unsigned reply_slot = ev.reply.slot();
    ASSERT_VALUE(rinfo, sys::cap_identify(reply_slot));
    EXPECT_EQ_U(rinfo.type, abi::CapType::Reply);
    // Reply caps cannot be copied, nor sent along.
    ASSERT_VALUE(copy, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(reply_slot, 0, copy.slot(), abi::RIGHTS_ALL), Error::WrongType);
    ASSERT_OK(sys::reply(IpcInfo::make(0, 0, 0, 0, reply_slot), words(0xa115)));
    // Consumed: the slot is empty now.
    EXPECT_ERR(sys::reply(IpcInfo::make(0, 0, 0, 0, reply_slot), words(0xa116)), Error::InvalidCap);
    slots().free(ev.reply.release());
    ASSERT_VALUE(rep, h->wait());
    EXPECT_EQ_U(rep.msg.w[0], 0xa);
    EXPECT_EQ_U(rep.msg.w[1], 0);
    EXPECT_EQ_U(rep.msg.w[2], 0xa115);
}

void reply_to_departed_caller_fails(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(26));
    ASSERT_OK(c.start(child_ask_then_report, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.reply.valid());
    ASSERT_OK(c.kill());
    EXPECT_ERR(h->answer(ev, words(1)), Error::DeadObject);
}

void recv_on_deleted_endpoint_fails(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, start_server(h, 27, ep.slot(), child_recv_report_error));
    for (unsigned i = 0; i < 5; i++) (void)sys::yield();  // let it block in Recv
    // Revoke the child's copy, then delete the last capability.
    ASSERT_OK(sys::cap_revoke(ep.slot()));
    ASSERT_OK(sys::cap_delete(ep.slot()));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0xe);
    EXPECT_EQ_U(ev.msg.w[1], uint64_t(Error::DeadObject));
}

// IPC calls change a0..a7 and t0..t6 at most (t0..t6 come back as zeros),
// whether they fail or block and succeed.
void registers_preserved_by_ipc(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, start_server(h, 29, ep.slot(), child_server));
    const uint32_t ipc_regs = (0xffu << REG_A0) | T_REGS;  // a0..a7, t0..t6
    uint64_t regs[64];
    const uint64_t failing[7] = {1, 2, 3, 4, 5, 6, IpcInfo::make(0).raw};
    uint32_t changed = changed_registers(uint64_t(abi::Sys::Send), failing, 0x1c0, regs);
    EXPECT_EQ_U(changed & ~ipc_regs, 0);
    EXPECT_EQ_U(regs[32 + REG_A7], uint64_t(Error::InvalidCap));
    EXPECT_TRUE(t_regs_zero(regs));
    const uint64_t call[7] = {50, 1, 2, 3, 4, 5, IpcInfo::make(ep.slot()).raw};
    changed = changed_registers(uint64_t(abi::Sys::Call), call, 0x1c1, regs);
    EXPECT_EQ_U(changed & ~ipc_regs, 0);
    EXPECT_EQ_U(regs[32 + REG_A7], 0);
    EXPECT_EQ_U(regs[32 + REG_A0], 100);  // the server's answer
    EXPECT_TRUE(t_regs_zero(regs));
    ASSERT_VALUE(fin, sys::call(IpcInfo::make(ep.slot()), words(0)));
    EXPECT_EQ_U(fin.msg.w[0], 0);
    ASSERT_VALUE(status, h->wait_exit(29));
    EXPECT_EQ_U(status, 0);
}

}  // namespace

void run_ipc_tests(unity::Runner& r) {
    RUN_TEST(r, send_recv_carries_words_and_badge);
    RUN_TEST(r, call_reply_recv_round_trips);
    RUN_TEST(r, call_transfers_a_capability);
    RUN_TEST(r, reply_transfers_a_capability);
    RUN_TEST(r, fault_map_words_answering_a_call_are_a_message);
    RUN_TEST(r, ipc_rights_and_types);
    RUN_TEST(r, send_blocks_until_received);
    RUN_TEST(r, call_without_reply_slot_fails);
    RUN_TEST(r, reply_capability_works_once);
    RUN_TEST(r, reply_to_departed_caller_fails);
    RUN_TEST(r, recv_on_deleted_endpoint_fails);
    RUN_TEST(r, registers_preserved_by_ipc);
}
