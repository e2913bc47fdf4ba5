// `ipcscript`: a root task (init=ipcscript) that runs a fixed script of
// IPC operations against children of its own (a server, callers, tasks
// that fault and exit) and prints every result register of each: one
// line "ipc: <step> a7=<error> a6=<IpcResult> w=<a0..a5>" per operation,
// the server's own results included. Each step also checks the result
// docs/syscalls.md promises (Unity lines).
//
// The kernel's IPC fast paths (kernel/ipc.h, ipc.cc) serve
// some of these operations and decline the others; with ipc_fastpath=off
// on the command line the general paths serve all of them. The QEMU test
// user.ipcscript.fast_equals_general boots it both ways and requires the
// same "ipc:" lines. So that it cannot pass with the fast paths never
// taken, the script also measures (rdinstret, deterministic under QEMU
// -icount) round trips the fast paths serve and prints them as
// "ipc-cost: <name> <instructions>": the test requires each to be lower
// with the fast paths on.
#include "abi/syscall.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/fault.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "testrunner/testrunner.h"
#include "user/tests/common/root.h"

namespace {

using abi::IpcInfo;
using abi::Sys;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;

// --- The transcript -------------------------------------------------------

void print_regs(const char* who, const char* step, const sys::IpcRegs& x) {
    uprintf("ipc: %-6s %-30s a7=%u a6=%#lx w=%lx %lx %lx %lx %lx %lx\n", who, step, unsigned(x.error),
            x.info.raw, x.msg.w[0], x.msg.w[1], x.msg.w[2], x.msg.w[3], x.msg.w[4], x.msg.w[5]);
}

// What the server records of its own operations, in a page it shares with
// us; we print it after each of our steps, so that the transcript keeps
// the order in which things happened. A ring: we print entries long
// before MAX more are added.
struct ServerLog {
    static constexpr unsigned MAX = 32;
    struct Entry {
        uint64_t step;  // one of the ServerStep values
        sys::IpcRegs regs;
    };
    uint64_t count;
    Entry entries[MAX];

    void add(uint64_t what, const sys::IpcRegs& regs) { entries[count++ % MAX] = {what, regs}; }
    const Entry& at(uint64_t i) const { return entries[i % MAX]; }
};
static_assert(sizeof(ServerLog) <= PAGE_SIZE);

enum ServerStep : uint64_t { S_RECEIVED = 1, S_CAP = 2, S_BAD_REPLY = 3, S_REPLY_CAP_LEFT = 4 };
const char* server_step_name(uint64_t s) {
    switch (s) {
        case S_RECEIVED:
            return "received";
        case S_CAP:
            return "identify received cap";
        case S_BAD_REPLY:
            return "bad ReplyRecv";
        case S_REPLY_CAP_LEFT:
            return "identify its Reply cap";
    }
    return "?";
}

ServerLog* g_log = nullptr;
uint64_t g_log_printed = 0;

void print_server_log() {
    for (; g_log_printed < g_log->count; g_log_printed++) {
        const ServerLog::Entry& e = g_log->at(g_log_printed);
        print_regs("server", server_step_name(e.step), e.regs);
    }
}

sys::Msg words(uint64_t w0, uint64_t w1 = 0, uint64_t w2 = 0) {
    sys::Msg m;
    m.w[0] = w0;
    m.w[1] = w1;
    m.w[2] = w2;
    for (unsigned i = 3; i < abi::MSG_WORDS; i++) m.w[i] = uint64_t(0x1000) * i + w0;
    return m;
}

// One IPC call of ours: printed with what the server did meanwhile, and
// checked against the error docs/syscalls.md gives.
sys::IpcRegs step(unity::Runner& r, const char* name, Sys nr, IpcInfo info, const sys::Msg& m, Error want) {
    const sys::IpcRegs x = sys::ipc_raw(uint64_t(nr), info.raw, m);
    print_server_log();
    print_regs("root", name, x);
    r.check(x.error == want, __FILE__, __LINE__, "%s: got '%s', expected '%s'", name, error_name(x.error),
            error_name(want));
    return x;
}

// An ordinary call's results, as a transcript line (a0..a3 as w).
void print_call(const char* name, const sys::Regs& out) {
    sys::IpcRegs x{sys::to_error(out.a0), abi::IpcResult{0}, {{out.a0, out.a1, out.a2, out.a3, 0, 0}}};
    print_regs("root", name, x);
}

// --- The server -------------------------------------------------------------

// Slots in the children's tables.
constexpr unsigned C_EP = abi::SLOT_FIRST_FREE;                // the server's endpoint (all rights)
constexpr unsigned C_EP_SEND = C_EP + 1;                       // a send-only copy of it
constexpr unsigned C_FRAME = C_EP + 2;                         // a frame the server gives away
constexpr unsigned C_OTHER_EP = C_EP + 3;                      // an endpoint the server gives away
constexpr unsigned C_OCCUPIED = C_EP + 4;                      // a slot that is never empty
constexpr unsigned C_EMPTY = C_EP + 5;                         // a slot that is always empty
constexpr unsigned C_RECV = C_EP + 6;                          // where capabilities land
constexpr unsigned C_REPLY = C_EP + 7;                         // where Reply capabilities land
constexpr unsigned C_REPORT = C_EP + 8;                        // children that report: the root's endpoint
constexpr uint64_t SERVER_LOG_VA = LOCAL_MAP_END - 0x10'0000;  // where the log is in the server

// What the server does with a call (w0); w1 is an argument.
enum Command : uint64_t {
    ECHO = 0x10,        // answer w0 + 1, w1..w5 + 1
    GIVE_FRAME = 0x11,  // answer with C_FRAME
    GIVE_EP = 0x12,     // answer with C_OTHER_EP
    BAD_REPLY = 0x13,   // try the bad ReplyRecv number w1 first, then answer if it still can
};

// The bad ReplyRecv attempts of BAD_REPLY, and what each returns. The
// first ones fail before the reply (the caller still waits); the last
// ones fail in the receive that follows the reply.
struct BadReply {
    IpcInfo info;
    Error error;
};
constexpr IpcInfo NORMAL = IpcInfo::make(C_EP, 0, C_RECV, C_REPLY, C_REPLY);
constexpr IpcInfo SWAPPED = IpcInfo::make(C_EP, 0, C_REPLY, C_RECV, C_REPLY);
constexpr BadReply BAD_REPLIES[] = {
    {IpcInfo::make(C_EMPTY, 0, C_RECV, C_REPLY, C_REPLY), Error::InvalidCap},
    {IpcInfo::make(C_FRAME, 0, C_RECV, C_REPLY, C_REPLY), Error::WrongType},
    {IpcInfo::make(C_EP_SEND, 0, C_RECV, C_REPLY, C_REPLY), Error::NoRights},
    {IpcInfo::make(C_EP, 0, C_RECV, C_REPLY, C_EMPTY), Error::InvalidCap},
    {IpcInfo::make(C_EP, 0, C_RECV, C_REPLY, C_FRAME), Error::WrongType},
    {IpcInfo::make(C_EP, C_EMPTY, C_RECV, C_REPLY, C_REPLY), Error::InvalidCap},
    {IpcInfo::make(C_EP, C_REPLY, C_RECV, C_REPLY, C_REPLY), Error::WrongType},
    // The reply goes out; the receive after it fails.
    {IpcInfo::make(C_EP, 0, C_RECV, C_RECV, C_REPLY), Error::InvalidArgument},
    {IpcInfo::make(C_EP, 0, C_OCCUPIED, C_REPLY, C_REPLY), Error::Busy},
    {IpcInfo::make(C_EP, 0, C_RECV, C_OCCUPIED, C_REPLY), Error::Busy},
    // The slot of the Reply cap being spent is free for what comes next:
    // here a capability, and the next Reply cap lands in C_RECV.
    {SWAPPED, Error::None},
};
constexpr unsigned NR_BAD_REPLIES = sizeof BAD_REPLIES / sizeof BAD_REPLIES[0];

void server_record(ServerLog* log, uint64_t what, const sys::IpcRegs& regs) { log->add(what, regs); }

void server_record_cap(ServerLog* log, uint64_t what, unsigned slot) {
    const sys::Regs id = sys::call(Sys::CapIdentify, slot);
    log->add(what, {sys::to_error(id.a0), abi::IpcResult{0}, {{id.a0, id.a1, id.a2, id.a3, 0, 0}}});
}

// Serves calls on C_EP forever, recording everything it receives and
// every result of its own in the log at `log_va`.
int server(uint64_t log_va) {
    auto* log = reinterpret_cast<ServerLog*>(log_va);
    IpcInfo next = IpcInfo::make(C_EP, 0, C_RECV, C_REPLY);
    sys::IpcRegs rx = sys::ipc_raw(uint64_t(Sys::Recv), next.raw, sys::Msg{});
    bool swapped = false;  // the last receive had SWAPPED's slots
    for (;;) {
        server_record(log, S_RECEIVED, rx);
        if (rx.error != Error::None) return 1;
        const unsigned got_cap = swapped ? C_REPLY : C_RECV;
        if (rx.info.cap_received()) server_record_cap(log, S_CAP, got_cap);
        // Whatever the root put in the receive slots while we waited goes.
        (void)sys::cap_delete(got_cap);
        if (swapped) (void)sys::cap_move(C_RECV, C_REPLY);
        swapped = false;
        if (!rx.info.is_call()) {
            (void)sys::cap_delete(C_REPLY);
            rx = sys::ipc_raw(uint64_t(Sys::Recv), IpcInfo::make(C_EP, 0, C_RECV, C_REPLY).raw, sys::Msg{});
            continue;
        }
        sys::Msg answer = rx.msg;
        for (unsigned i = 0; i < abi::MSG_WORDS; i++) answer.w[i] += 1;
        IpcInfo info = NORMAL;
        switch (rx.msg.w[0]) {
            case GIVE_FRAME:
                info = IpcInfo::make(C_EP, C_FRAME, C_RECV, C_REPLY, C_REPLY);
                break;
            case GIVE_EP:
                info = IpcInfo::make(C_EP, C_OTHER_EP, C_RECV, C_REPLY, C_REPLY);
                break;
            case BAD_REPLY: {
                const BadReply& bad = BAD_REPLIES[rx.msg.w[1] % NR_BAD_REPLIES];
                sys::IpcRegs out = sys::ipc_raw(uint64_t(Sys::ReplyRecv), bad.info.raw, answer);
                if (out.error == Error::None) {  // it replied and received the next call
                    swapped = bad.info.raw == SWAPPED.raw;
                    rx = out;
                    continue;
                }
                server_record(log, S_BAD_REPLY, out);
                server_record_cap(log, S_REPLY_CAP_LEFT, C_REPLY);
                if (!sys::cap_identify(C_REPLY).ok()) {  // the reply went out: receive only
                    rx = sys::ipc_raw(uint64_t(Sys::Recv), next.raw, sys::Msg{});
                    continue;
                }
                break;
            }
        }
        rx = sys::ipc_raw(uint64_t(Sys::ReplyRecv), info.raw, answer);
    }
}

// --- The root's side ----------------------------------------------------------

struct Fixture {
    CapSlot ep, ep_recv_only, ep_send_only, ep_no_grant, other_ep;
    Frame frame, gift;
    CapSlot empty, recv, occupied;
    SharedMemory log;
};

// The fixture of the running script and its server (locals of main: no
// global may have a destructor).
Fixture* g_fx = nullptr;
Child* g_server = nullptr;

Status setup(Fixture& f) {
    f.ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(f.ep.slot()));
    f.ep_recv_only = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(f.ep.slot(), 0, f.ep_recv_only.slot(), R));
    f.ep_send_only = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(f.ep.slot(), 0, f.ep_send_only.slot(), W));
    f.ep_no_grant = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(f.ep.slot(), 0, f.ep_no_grant.slot(), RW));
    f.other_ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(f.other_ep.slot()));
    f.frame = TRY(frames().alloc(Order(0), RW));
    f.gift = TRY(frames().alloc(Order(0), RW));
    f.empty = TRY(CapSlot::alloc());
    f.recv = TRY(CapSlot::alloc());
    f.occupied = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(f.frame.slot(), 0, f.occupied.slot(), R));
    f.log = TRY(SharedMemory::create());
    g_log = f.log.as<ServerLog>();
    return {};
}

Result<Child> start_server(Fixture& f) {
    Child s = TRY(Child::create());
    TRY_STATUS(s.give(f.ep.slot(), C_EP, abi::RIGHTS_ALL));
    TRY_STATUS(s.give(f.ep.slot(), C_EP_SEND, W));
    TRY_STATUS(s.give(f.gift.slot(), C_FRAME, R));
    TRY_STATUS(s.give(f.other_ep.slot(), C_OTHER_EP, W));
    TRY_STATUS(s.give(f.gift.slot(), C_OCCUPIED, R));
    TRY_STATUS(s.map(f.log.frame.slot(), VirtAddr(SERVER_LOG_VA), RW));
    TRY_STATUS(s.start(server, SERVER_LOG_VA));
    return s;
}

IpcInfo reply_info(unsigned src) { return IpcInfo::make(0, 0, 0, 0, src); }

void calls_and_their_errors(unity::Runner& r) {
    Fixture& f = *g_fx;
    const unsigned ep = f.ep.slot(), empty = f.empty.slot(), frame = f.frame.slot();
    step(r, "call", Sys::Call, IpcInfo::make(ep), words(ECHO, 1), Error::None);
    step(r, "call again", Sys::Call, IpcInfo::make(ep), words(ECHO, 2), Error::None);
    step(r, "call slot 0", Sys::Call, IpcInfo::make(0), words(ECHO), Error::InvalidCap);
    step(r, "call an empty slot", Sys::Call, IpcInfo::make(empty), words(ECHO), Error::InvalidCap);
    step(r, "call a frame", Sys::Call, IpcInfo::make(frame), words(ECHO), Error::WrongType);
    step(r, "call without Write", Sys::Call, IpcInfo::make(f.ep_recv_only.slot()), words(ECHO),
         Error::NoRights);
    step(r, "call with a cap, no Grant", Sys::Call, IpcInfo::make(f.ep_no_grant.slot(), frame), words(ECHO),
         Error::NoRights);
    step(r, "call with an empty cap", Sys::Call, IpcInfo::make(ep, empty), words(ECHO), Error::InvalidCap);
    step(r, "send", Sys::Send, IpcInfo::make(ep), words(0x5e), Error::None);
    step(r, "send without Write", Sys::Send, IpcInfo::make(f.ep_recv_only.slot()), words(0x5e),
         Error::NoRights);
    step(r, "recv without Read", Sys::Recv, IpcInfo::make(f.ep_send_only.slot()), sys::Msg{},
         Error::NoRights);
    step(r, "recv into a used slot", Sys::Recv, IpcInfo::make(ep, 0, f.occupied.slot()), sys::Msg{},
         Error::Busy);
    step(r, "recv, one slot for both", Sys::Recv, IpcInfo::make(ep, 0, f.recv.slot(), f.recv.slot()),
         sys::Msg{}, Error::InvalidArgument);
    step(r, "reply with an empty slot", Sys::Reply, reply_info(empty), words(1), Error::InvalidCap);
    step(r, "reply with a frame", Sys::Reply, reply_info(frame), words(1), Error::WrongType);
    step(r, "replyrecv with an empty slot", Sys::ReplyRecv, IpcInfo::make(ep, 0, 0, 0, empty), words(1),
         Error::InvalidCap);
}

void capabilities_travel(unity::Runner& r) {
    Fixture& f = *g_fx;
    const unsigned ep = f.ep.slot(), recv = f.recv.slot();
    step(r, "call with a frame", Sys::Call, IpcInfo::make(ep, f.frame.slot()), words(ECHO, 3), Error::None);
    step(r, "call for a frame", Sys::Call, IpcInfo::make(ep, 0, recv), words(GIVE_FRAME), Error::None);
    print_call("identify the frame", sys::call(Sys::CapIdentify, recv));
    EXPECT_OK(sys::cap_delete(recv));
    step(r, "call for a frame, slot used", Sys::Call, IpcInfo::make(ep, 0, f.occupied.slot()),
         words(GIVE_FRAME), Error::None);
    step(r, "call for a frame, no slot", Sys::Call, IpcInfo::make(ep), words(GIVE_FRAME), Error::None);
    step(r, "call for an endpoint", Sys::Call, IpcInfo::make(ep, 0, recv), words(GIVE_EP), Error::None);
    print_call("identify the endpoint", sys::call(Sys::CapIdentify, recv));
    EXPECT_OK(sys::cap_delete(recv));
    // A receive slot in a leaf of our capability space not made yet: the
    // answer makes it (the fast ReplyRecv leaves that to the general path).
    constexpr unsigned FAR_RECV = abi::IPC_SLOTS - 24;  // in a leaf nothing made, below IPC_SLOTS
    print_call("identify a slot with no leaf", sys::call(Sys::CapIdentify, FAR_RECV));
    step(r, "call for a frame, slot with no leaf", Sys::Call, IpcInfo::make(ep, 0, FAR_RECV),
         words(GIVE_FRAME), Error::None);
    print_call("identify the frame there", sys::call(Sys::CapIdentify, FAR_RECV));
    EXPECT_OK(sys::cap_delete(FAR_RECV));
    // The server's receive slots, filled while it waits: what we send does
    // not land, and without a free reply slot our call fails (the server
    // gets the message all the same).
    EXPECT_OK(g_server->give(f.frame.slot(), C_RECV, R));
    step(r, "call with a frame, slot filled", Sys::Call, IpcInfo::make(ep, f.frame.slot()), words(ECHO, 4),
         Error::None);
    EXPECT_OK(g_server->give(f.frame.slot(), C_REPLY, R));
    step(r, "call, reply slot filled", Sys::Call, IpcInfo::make(ep), words(ECHO, 5), Error::DeadObject);
    step(r, "call after that", Sys::Call, IpcInfo::make(ep), words(ECHO, 6), Error::None);
}

void bad_replies(unity::Runner& r) {
    Fixture& f = *g_fx;
    for (unsigned i = 0; i < NR_BAD_REPLIES; i++) {
        const uint64_t logged = g_log->count;
        const sys::IpcRegs x = step(r, "call, the server errs", Sys::Call, IpcInfo::make(f.ep.slot()),
                                    words(BAD_REPLY, i), Error::None);
        r.check(x.msg.w[0] == BAD_REPLY + 1, __FILE__, __LINE__, "bad reply %u: answered %#lx", i,
                x.msg.w[0]);
        // What the server's attempt returned is in its log (printed above).
        bool found = BAD_REPLIES[i].error == Error::None;
        for (uint64_t e = logged; e < g_log->count; e++) {
            if (g_log->at(e).step == S_BAD_REPLY) found = g_log->at(e).regs.error == BAD_REPLIES[i].error;
        }
        r.check(found, __FILE__, __LINE__, "bad reply %u: the server did not get '%s'", i,
                error_name(BAD_REPLIES[i].error));
    }
    step(r, "call after them", Sys::Call, IpcInfo::make(f.ep.slot()), words(ECHO, 7), Error::None);
}

// --- Callers that go away -------------------------------------------------

// Calls C_REPORT with w0 = `arg`.
int caller(uint64_t arg) {
    (void)sys::ipc_raw(uint64_t(Sys::Call), IpcInfo::make(C_REPORT).raw, words(arg));
    return 0;
}

Result<Child> start_caller(unsigned ep, uint64_t id) {
    Child c = TRY(Child::create());
    TRY_STATUS(c.give(ep, C_REPORT, W, id));
    TRY_STATUS(c.start(caller, id));
    return c;
}

void replies_to_callers_that_are_gone(unity::Runner& r) {
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(reply, CapSlot::alloc());
    const IpcInfo recv = IpcInfo::make(ep.slot(), 0, 0, reply.slot());
    {
        ASSERT_VALUE(c1, start_caller(ep.slot(), 0xc1));
        step(r, "recv a call", Sys::Recv, recv, sys::Msg{}, Error::None);
        ASSERT_OK(c1.kill());
        step(r, "reply to a caller gone", Sys::Reply, reply_info(reply.slot()), words(1), Error::DeadObject);
        step(r, "reply again", Sys::Reply, reply_info(reply.slot()), words(1), Error::InvalidCap);
    }
    ASSERT_VALUE(c2, start_caller(ep.slot(), 0xc2));
    step(r, "recv another call", Sys::Recv, recv, sys::Msg{}, Error::None);
    ASSERT_OK(c2.kill());
    // The receive goes on, and the next caller's message arrives.
    ASSERT_VALUE(c3, start_caller(ep.slot(), 0xc3));
    step(r, "replyrecv to a caller gone", Sys::ReplyRecv,
         IpcInfo::make(ep.slot(), 0, 0, reply.slot(), reply.slot()), words(2), Error::None);
    step(r, "reply to the next", Sys::Reply, reply_info(reply.slot()), words(3), Error::None);
}

// --- Faults -----------------------------------------------------------------

constexpr uint64_t FAULT_BADGE = 0xfa, REPORT_BADGE = 0x7e;
constexpr uint64_t FAULT_VA = 0x5000'0000;    // nothing is mapped there until we say so
constexpr uint64_t BLOCKED_VA = 0x6000'0000;  // a page mapped from the start
constexpr unsigned FIRST_MEASURED = 8, MEASURED_FAULTS = 16;
constexpr unsigned LAST_PAGE = FIRST_MEASURED + MEASURED_FAULTS;

// In a page the faulting child shares with us: the instructions its
// measured stores took (each a fault answered with FAULT_MAP).
struct FaultCosts {
    uint64_t instructions, count;
};

// Stores to page i of FAULT_VA for i = 0, 1, ... and, except for pages
// FIRST_MEASURED .. LAST_PAGE - 1, reports each value it reads back (Call
// to C_REPORT, w0 = the value, w1 = i). It counts the instructions of the
// stores to those pages but the first (whose fault we answer after
// printing the step before).
int faulter(uint64_t costs_va) {
    auto* costs = reinterpret_cast<FaultCosts*>(costs_va);
    for (uint64_t i = 0;; i++) {
        auto* p = reinterpret_cast<volatile uint64_t*>(FAULT_VA + i * PAGE_SIZE);
        const uint64_t t0 = read_instret();
        *p = 0x600d0000 + i;
        const uint64_t t1 = read_instret();
        const bool silent = i >= FIRST_MEASURED && i < LAST_PAGE;
        if (silent && i > FIRST_MEASURED) {
            costs->instructions += t1 - t0;
            costs->count++;
        } else if (!silent) {
            (void)sys::ipc_raw(uint64_t(Sys::Call), IpcInfo::make(C_REPORT).raw, words(*p, i));
        }
    }
}

// Exits with status 7; the endpoint its creator named hears of it.
int exiter(uint64_t) { return 7; }

struct FaultFixture {
    CapSlot ep, reply, empty;
    SharedMemory costs;
    Frame frames[LAST_PAGE + 1];
    Frame read_only, mapped, blocker;
};

Status setup_faults(FaultFixture& ff) {
    ff.ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(ff.ep.slot()));
    ff.reply = TRY(CapSlot::alloc());
    ff.empty = TRY(CapSlot::alloc());
    ff.costs = TRY(SharedMemory::create());
    for (Frame& fr : ff.frames) fr = TRY(frames().alloc(Order(0), RW));
    ff.read_only = TRY(frames().alloc(Order(0), R));
    ff.mapped = TRY(frames().alloc(Order(0), RW));
    TRY_STATUS(sys::map(0, ff.mapped.slot(), LOCAL_MAP_END - 0x20'0000, RW));
    ff.blocker = TRY(frames().alloc(Order(0), RW));
    return {};
}

Result<Child> start_faulter(FaultFixture& ff) {
    ChildOptions opt;
    opt.fault_ep = ff.ep.slot();
    opt.fault_badge = FAULT_BADGE;
    Child c = TRY(Child::create(opt));
    TRY_STATUS(c.give(ff.ep.slot(), C_REPORT, W, REPORT_BADGE));
    TRY_STATUS(c.map(ff.costs));
    TRY_STATUS(sys::map(c.task(), ff.blocker.slot(), BLOCKED_VA, RW));
    TRY_STATUS(c.start(faulter, ff.costs.addr().raw()));
    return c;
}

FaultFixture* g_ff = nullptr;
Child* g_faulter = nullptr;

IpcInfo serve_faults(unsigned send_cap = 0) {
    return IpcInfo::make(g_ff->ep.slot(), send_cap, 0, g_ff->reply.slot(), g_ff->reply.slot());
}

void answer_map(unity::Runner& r, const char* name, unsigned frame, uint64_t va, uint64_t rights,
                Error want) {
    step(r, name, Sys::ReplyRecv, serve_faults(frame), words(abi::FAULT_MAP, va, rights), want);
}

uint64_t page(unsigned i) { return FAULT_VA + uint64_t(i) * PAGE_SIZE; }

void faults_and_their_answers(unity::Runner& r) {
    FaultFixture& ff = *g_ff;
    const unsigned fr0 = ff.frames[0].slot();
    step(r, "recv its first fault", Sys::Recv, IpcInfo::make(ff.ep.slot(), 0, 0, ff.reply.slot()), sys::Msg{},
         Error::None);
    // FAULT_MAP replies that cannot map: the error comes back to us, the
    // fault stays pending and the Reply cap still works.
    answer_map(r, "map without a frame", 0, page(0), RW, Error::InvalidArgument);
    answer_map(r, "map an endpoint", ff.ep.slot(), page(0), RW, Error::WrongType);
    answer_map(r, "map an empty slot", ff.empty.slot(), page(0), RW, Error::InvalidCap);
    answer_map(r, "map the Reply cap", ff.reply.slot(), page(0), RW, Error::WrongType);
    answer_map(r, "map with rights 0x13", fr0, page(0), 0x13, Error::InvalidArgument);
    answer_map(r, "map write-only", fr0, page(0), W, Error::InvalidArgument);
    answer_map(r, "map beyond the cap's rights", ff.read_only.slot(), page(0), RW, Error::InvalidArgument);
    answer_map(r, "map misaligned", fr0, page(0) + 8, RW, Error::BadAlignment);
    answer_map(r, "map outside user space", fr0, abi::USER_END, RW, Error::InvalidArgument);
    answer_map(r, "map a mapped frame", ff.mapped.slot(), page(0), RW, Error::Busy);
    answer_map(r, "map over a mapped page", fr0, BLOCKED_VA, RW, Error::Busy);
    answer_map(r, "map", fr0, page(0), RW, Error::None);  // its report arrives
    // RESUME after a Map.
    step(r, "answer its report", Sys::ReplyRecv, serve_faults(), words(1), Error::None);
    EXPECT_OK(sys::map(g_faulter->task(), ff.frames[1].slot(), page(1), RW));
    step(r, "resume", Sys::ReplyRecv, serve_faults(), words(abi::FAULT_RESUME), Error::None);
    // RESUME with a capability (it is ignored) and nothing mapped: the same
    // fault again.
    step(r, "answer its report", Sys::ReplyRecv, serve_faults(), words(2), Error::None);
    step(r, "resume, unmapped, with a cap", Sys::ReplyRecv, serve_faults(ff.frames[2].slot()),
         words(abi::FAULT_RESUME), Error::None);
    answer_map(r, "map", ff.frames[2].slot(), page(2), RW, Error::None);
    for (unsigned i = 3; i < FIRST_MEASURED; i++) {
        step(r, "answer its report", Sys::ReplyRecv, serve_faults(), words(i), Error::None);
        answer_map(r, "map", ff.frames[i].slot(), page(i), RW, Error::None);
    }
    step(r, "answer its report", Sys::ReplyRecv, serve_faults(), words(FIRST_MEASURED), Error::None);
    // The measured faults, each answered FAULT_MAP, then a last one it
    // reports. Printed afterwards, so that the child counts only the fault.
    sys::IpcRegs measured[LAST_PAGE + 1 - FIRST_MEASURED];
    for (unsigned i = FIRST_MEASURED; i <= LAST_PAGE; i++) {
        measured[i - FIRST_MEASURED] =
            sys::ipc_raw(uint64_t(Sys::ReplyRecv), serve_faults(ff.frames[i].slot()).raw,
                         words(abi::FAULT_MAP, page(i), RW));
    }
    for (const sys::IpcRegs& x : measured) {
        print_regs("root", "map, measured", x);
        r.check(x.error == Error::None, __FILE__, __LINE__, "map, measured: %s", error_name(x.error));
    }
    // Its next fault ends it.
    step(r, "answer its report", Sys::ReplyRecv, serve_faults(), words(LAST_PAGE), Error::None);
    step(r, "kill", Sys::Reply, reply_info(ff.reply.slot()), words(abi::FAULT_KILL), Error::None);
    const FaultCosts* c = ff.costs.as<FaultCosts>();
    r.check(c->count == MEASURED_FAULTS - 1, __FILE__, __LINE__, "%lu measured faults", c->count);
    uprintf("ipc-cost: fault_map %lu\n", c->count ? c->instructions / c->count : 0);
}

void exit_sends_its_end_notice(unity::Runner& r) {
    FaultFixture& ff = *g_ff;
    ChildOptions opt;
    opt.fault_ep = ff.ep.slot();
    opt.fault_badge = FAULT_BADGE + 1;
    opt.end_ep = ff.ep.slot();
    opt.end_badge = FAULT_BADGE + 1;
    ASSERT_VALUE(c, Child::create(opt));
    ASSERT_OK(c.start(exiter, 0));
    // Not waiting yet: the notice waits for us in the endpoint's queue.
    for (unsigned i = 0; i < 4; i++) (void)sys::yield();
    step(r, "recv its end notice", Sys::Recv, IpcInfo::make(ff.ep.slot(), 0, 0, ff.reply.slot()), sys::Msg{},
         Error::None);
    // A Send: there is nothing to answer.
    step(r, "no reply to give", Sys::Reply, reply_info(ff.reply.slot()), words(abi::FAULT_RESUME),
         Error::InvalidCap);
}

// Round trips the fast paths serve, measured around our own ecall.
void measured_round_trips(unity::Runner& r) {
    Fixture& f = *g_fx;
    constexpr unsigned N = 16;
    uint64_t call = 0, grant = 0;
    for (unsigned i = 0; i < N; i++) {
        const uint64_t t0 = read_instret();
        const sys::IpcRegs x =
            sys::ipc_raw(uint64_t(Sys::Call), IpcInfo::make(f.ep.slot()).raw, words(ECHO, i));
        call += read_instret() - t0;
        print_server_log();
        print_regs("root", "call, measured", x);
        r.check(x.error == Error::None, __FILE__, __LINE__, "call: %s", error_name(x.error));
    }
    for (unsigned i = 0; i < N; i++) {
        const uint64_t t0 = read_instret();
        const sys::IpcRegs x = sys::ipc_raw(
            uint64_t(Sys::Call), IpcInfo::make(f.ep.slot(), 0, f.recv.slot()).raw, words(GIVE_FRAME, i));
        grant += read_instret() - t0;
        print_server_log();
        print_regs("root", "call for a frame, measured", x);
        r.check(x.info.cap_received(), __FILE__, __LINE__, "no frame came");
        (void)sys::cap_delete(f.recv.slot());
    }
    uprintf("ipc-cost: call %lu\n", call / N);
    uprintf("ipc-cost: grant %lu\n", grant / N);
}

}  // namespace

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!init_root_test(r, arg)) return 1;
    Fixture f;
    Status ready = setup(f);
    auto server = ready.ok() ? start_server(f) : Result<Child>(ready.error());
    if (!server.ok()) {
        r.fail(__FILE__, __LINE__, "setup", error_name(server.error()));
        r.finish();
        return 1;
    }
    g_fx = &f;
    g_server = &server.value();
    RUN_TEST(r, calls_and_their_errors);
    RUN_TEST(r, capabilities_travel);
    RUN_TEST(r, bad_replies);
    RUN_TEST(r, replies_to_callers_that_are_gone);
    FaultFixture ff;
    Status fault_ready = setup_faults(ff);
    auto faulter = fault_ready.ok() ? start_faulter(ff) : Result<Child>(fault_ready.error());
    if (!faulter.ok()) {
        r.fail(__FILE__, __LINE__, "setup_faults", error_name(faulter.error()));
    } else {
        g_ff = &ff;
        g_faulter = &faulter.value();
        RUN_TEST(r, faults_and_their_answers);
        RUN_TEST(r, exit_sends_its_end_notice);
    }
    RUN_TEST(r, measured_round_trips);
    print_server_log();
    return r.finish() ? 1 : 0;
}
