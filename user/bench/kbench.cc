// kbench: what the kernel's basic operations cost, in instructions retired
// (rdinstret, which counts U-mode and S-mode alike), per operation:
//   - a null system call;
//   - an IPC round trip between two address spaces: Call from this task,
//     answered by a server task waiting in ReplyRecv;
//   - a page-fault round trip: a child touches an unmapped page, the kernel
//     sends the fault to this task, which answers FAULT_MAP with a frame
//     minted beforehand (no zeroing): the reply maps it and the child's
//     access completes;
//   - a notification round trip between two address spaces: a Signal
//     here to a child of a higher priority waiting in Wait, which runs at
//     once and waits again (and, no target, a ping-pong between equal
//     priorities: Signal and Wait here, Wait and Signal in a child);
// and, to tell the parts apart (no targets): the same fault round trip
// answered with a Map and then RESUME, an IPC call that fails its
// argument check, and a Map + Unmap of one page in our own space.
// Prints a table between "kbench: begin" and "kbench: end" and exits 0;
// figures are reported, never judged (the targets are printed alongside).
#include "abi/syscall.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/fault.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"

namespace {

using abi::IpcInfo;

constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

// Slots in the children's tables.
constexpr unsigned C_EP = abi::SLOT_FIRST_FREE, C_REPLY = abi::SLOT_FIRST_FREE + 1;

struct Figure {
    const char* name;
    uint64_t ops;
    uint64_t instructions;
    uint64_t target;
};

void print_figure(const Figure& f) {
    const uint64_t tenths = f.ops ? f.instructions * 10 / f.ops : 0;
    uprintf("%-34s %8lu %12lu.%lu", f.name, f.ops, tenths / 10, tenths % 10);
    if (f.target)
        uprintf("   <= %lu\n", f.target);
    else
        uprintf("   -\n");
}

// --- Null system call ---------------------------------------------------------

constexpr uint64_t NULL_CALLS = 20000;

Figure bench_null() {
    // The same loop with and without the ecall; the difference is the call.
    uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < NULL_CALLS; i++) (void)sys::raw(uint64_t(abi::Sys::Null));
    uint64_t t1 = read_instret();
    for (uint64_t i = 0; i < NULL_CALLS; i++) asm volatile("" : : : "memory");
    uint64_t t2 = read_instret();
    const uint64_t loop = t2 - t1;
    return {"null syscall", NULL_CALLS, (t1 - t0) - loop, 100};
}

// --- Parts: an IPC argument error, Map + Unmap ---------------------------------

constexpr uint64_t PART_OPS = 5000;

Figure bench_ipc_error() {
    const IpcInfo bad = IpcInfo::make(abi::IPC_SLOTS - 1);  // an empty slot
    sys::Msg m;
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < PART_OPS; i++) (void)sys::ipc_raw(uint64_t(abi::Sys::Call), bad.raw, m);
    const uint64_t t1 = read_instret();
    return {"IPC call, bad endpoint (error)", PART_OPS, t1 - t0, 0};
}

Result<Figure> bench_map_unmap() {
    Frame f = TRY(frames().alloc(Order(0), RW));
    const uint64_t va = 0x2f'0000'0000;
    TRY_STATUS(sys::map(0, f.slot(), va, RW));  // page tables built once
    TRY_STATUS(sys::unmap(f.slot()));
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < PART_OPS; i++) {
        (void)sys::map(0, f.slot(), va, RW);
        (void)sys::unmap(f.slot());
    }
    const uint64_t t1 = read_instret();
    return Figure{"Map + Unmap, one page", PART_OPS, t1 - t0, 0};
}

// --- IPC round trip --------------------------------------------------------------

constexpr uint64_t IPC_CALLS = 10000, IPC_WARMUP = 100;

// Answers every call on C_EP with its first word plus one, forever.
int ipc_server(uint64_t) {
    auto rx = sys::recv(IpcInfo::make(C_EP, 0, 0, C_REPLY));
    const IpcInfo again = IpcInfo::make(C_EP, 0, 0, C_REPLY, C_REPLY);
    while (rx.ok()) {
        sys::Msg m;
        m.w[0] = rx->msg.w[0] + 1;
        rx = sys::reply_recv(again, m);
    }
    return 1;
}

Result<Figure> bench_ipc() {
    CapSlot ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(ep.slot()));
    Child server = TRY(Child::create());
    TRY_STATUS(server.give(ep.slot(), C_EP, RW));
    TRY_STATUS(server.start(ipc_server, 0));
    const IpcInfo call = IpcInfo::make(ep.slot());
    sys::Msg m;
    for (uint64_t i = 0; i < IPC_WARMUP; i++) {
        m.w[0] = i;
        auto rx = sys::call(call, m);
        if (!rx.ok()) return rx.error();
        if (rx->msg.w[0] != i + 1) return Error::Malformed;
    }
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < IPC_CALLS; i++) {
        m.w[0] = i;
        (void)sys::call(call, m);
    }
    const uint64_t t1 = read_instret();
    return Figure{"IPC call + reply (two spaces)", IPC_CALLS, t1 - t0, 500};
}

// --- Notification round trip ------------------------------------------------------

constexpr uint64_t SIGNAL_ROUNDS = 10000, SIGNAL_WARMUP = 100;
// Slots of the two notifications in the child's table.
constexpr unsigned C_PING = abi::SLOT_FIRST_FREE, C_PONG = abi::SLOT_FIRST_FREE + 1;

// Waits on C_PING and answers each signal on C_PONG, forever.
int pong_child(uint64_t) {
    for (;;) {
        if (!sys::wait(C_PING).ok()) return 1;
        if (!sys::signal(C_PONG, 1).ok()) return 2;
    }
}

// Waits on C_PING forever.
int waiting_child(uint64_t) {
    while (sys::wait(C_PING).ok()) {
    }
    return 1;
}

// A signal to a waiting thread of a higher priority in another task,
// which runs at once, and waits again: each Signal here is the round trip.
Result<Figure> bench_signal_wake() {
    CapSlot ping = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(ping.slot()));
    ChildOptions opt;
    opt.priority = abi::PRIORITY_DEFAULT + 1;
    Child child = TRY(Child::create(opt));
    TRY_STATUS(child.give(ping.slot(), C_PING, abi::RIGHT_READ));
    TRY_STATUS(child.start(waiting_child, 0));
    for (uint64_t i = 0; i < SIGNAL_WARMUP; i++) TRY_STATUS(sys::signal(ping.slot(), 1));
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < SIGNAL_ROUNDS; i++) (void)sys::signal(ping.slot(), 1);
    const uint64_t t1 = read_instret();
    if (TRY(sys::poll(ping.slot())) != 0) return Error::Malformed;  // it took every signal
    return Figure{"Signal -> waiter runs -> Wait again", SIGNAL_ROUNDS, t1 - t0, 300};
}

// Signal with nobody waiting, then Poll, each alone: the parts of the
// round trip below that schedule nothing.
Result<Figure> bench_signal_alone(bool poll) {
    CapSlot n = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(n.slot()));
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < PART_OPS; i++) {
        if (poll)
            (void)sys::poll(n.slot());
        else
            (void)sys::signal(n.slot(), 1);
    }
    const uint64_t t1 = read_instret();
    return Figure{poll ? "Poll" : "Signal, nobody waiting", PART_OPS, t1 - t0, 0};
}

// A round trip between two tasks through two notifications: Signal(ping)
// and Wait(pong) here, Wait(ping) and Signal(pong) in the child.
Result<Figure> bench_signal() {
    CapSlot ping = TRY(CapSlot::alloc());
    CapSlot pong = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(ping.slot()));
    TRY_STATUS(sys::notification_create(pong.slot()));
    Child child = TRY(Child::create());
    TRY_STATUS(child.give(ping.slot(), C_PING, abi::RIGHT_READ));
    TRY_STATUS(child.give(pong.slot(), C_PONG, abi::RIGHT_WRITE));
    TRY_STATUS(child.start(pong_child, 0));
    for (uint64_t i = 0; i < SIGNAL_WARMUP; i++) {
        TRY_STATUS(sys::signal(ping.slot(), 1));
        if (TRY(sys::wait(pong.slot())) != 1) return Error::Malformed;
    }
    const uint64_t t0 = read_instret();
    for (uint64_t i = 0; i < SIGNAL_ROUNDS; i++) {
        (void)sys::signal(ping.slot(), 1);
        (void)sys::wait(pong.slot());
    }
    const uint64_t t1 = read_instret();
    return Figure{"Signal + Wait ping-pong (two spaces)", SIGNAL_ROUNDS, t1 - t0, 0};
}

// --- Page-fault round trip -------------------------------------------------------

// The child touches FAULT_PAGES pages per batch; between batches the root
// unmaps them again (outside the measurement). The first batch also builds
// page tables and is not counted.
constexpr unsigned FAULT_PAGES = 64, FAULT_BATCHES = 21;
constexpr uint64_t FAULT_BASE = 0x4000'0000;
constexpr uint64_t MSG_BATCH_DONE = 0xba7c, MSG_RESULT = 0x4e5;

int fault_child(uint64_t) {
    uint64_t total = 0, count = 0;
    for (unsigned b = 0; b < FAULT_BATCHES; b++) {
        for (unsigned i = 0; i < FAULT_PAGES; i++) {
            auto* p = reinterpret_cast<volatile uint64_t*>(FAULT_BASE + uint64_t(i) * PAGE_SIZE);
            const uint64_t t0 = read_instret();
            *p = i;
            const uint64_t t1 = read_instret();
            if (b > 0) {
                total += t1 - t0;
                count++;
            }
        }
        sys::Msg m;
        m.w[0] = MSG_BATCH_DONE;
        (void)sys::call(IpcInfo::make(C_EP), m);
    }
    sys::Msg m;
    m.w[0] = MSG_RESULT;
    m.w[1] = total;
    m.w[2] = count;
    (void)sys::call(IpcInfo::make(C_EP), m);
    return 0;
}

struct FaultBench {
    Frame frames[FAULT_PAGES];
    CapSlot ep, reply;
};

// How the root answers a fault.
enum class FaultAnswer {
    MapReply,      // FAULT_MAP with the frame: the reply maps it
    MapThenResume  // Map, then FAULT_RESUME
};

// Serves the child's faults and batch messages until it reports.
Result<Figure> serve_faults(FaultBench& fb, const Child& child, FaultAnswer how) {
    const IpcInfo first = IpcInfo::make(fb.ep.slot(), 0, 0, fb.reply.slot());
    const IpcInfo next = IpcInfo::make(fb.ep.slot(), 0, 0, fb.reply.slot(), fb.reply.slot());
    auto rx = sys::recv(first);
    for (;;) {
        if (!rx.ok()) return rx.error();
        sys::Msg answer;
        IpcInfo info = next;
        if (is_fault_message(rx->msg)) {
            const FaultMessage f = decode_fault(rx->msg);
            const uint64_t index = (f.addr - FAULT_BASE) / PAGE_SIZE;
            if (f.kind != abi::FaultKind::PageFault || index >= FAULT_PAGES) return Error::Malformed;
            const unsigned frame = fb.frames[index].slot();
            if (how == FaultAnswer::MapReply) {
                answer.w[0] = abi::FAULT_MAP;
                answer.w[1] = FAULT_BASE + index * PAGE_SIZE;
                answer.w[2] = RW;
                info = IpcInfo::make(fb.ep.slot(), frame, 0, fb.reply.slot(), fb.reply.slot());
            } else {
                (void)sys::map(child.task(), frame, FAULT_BASE + index * PAGE_SIZE, RW);
                answer.w[0] = abi::FAULT_RESUME;
            }
        } else if (rx->msg.w[0] == MSG_BATCH_DONE) {
            for (auto& fr : fb.frames) (void)sys::unmap(fr.slot());
        } else if (rx->msg.w[0] == MSG_RESULT) {
            (void)sys::reply(IpcInfo::make(0, 0, 0, 0, fb.reply.slot()), answer);
            if (how == FaultAnswer::MapReply)
                return Figure{"page fault -> map -> resume", rx->msg.w[2], rx->msg.w[1], 700};
            return Figure{"  same, Map then RESUME reply", rx->msg.w[2], rx->msg.w[1], 0};
        }
        rx = sys::reply_recv(info, answer);
    }
}

Result<Figure> bench_fault(FaultAnswer how) {
    FaultBench fb;
    for (auto& f : fb.frames) f = TRY(frames().alloc(Order(0), RW));
    fb.ep = TRY(CapSlot::alloc());
    fb.reply = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(fb.ep.slot()));
    ChildOptions opt;
    opt.fault_ep = fb.ep.slot();
    Child child = TRY(Child::create(opt));
    TRY_STATUS(child.give(fb.ep.slot(), C_EP, abi::RIGHT_WRITE));
    TRY_STATUS(child.start(fault_child, 0));
    return serve_faults(fb, child, how);
}

}  // namespace

extern "C" int main(uint64_t arg) {
    if (Status s = rt::init_root(arg); !s.ok()) {
        uprintf("kbench: bad boot info: %s\n", error_name(s.error()));
        return 1;
    }
    Figure figures[10];
    figures[0] = bench_null();
    auto ipc = bench_ipc();
    auto fault = bench_fault(FaultAnswer::MapReply);
    auto fault_map = bench_fault(FaultAnswer::MapThenResume);
    figures[4] = bench_ipc_error();
    auto map = bench_map_unmap();
    auto signal = bench_signal();
    auto wake = bench_signal_wake();
    auto signal_alone = bench_signal_alone(false);
    auto poll = bench_signal_alone(true);
    if (!ipc.ok() || !fault.ok() || !fault_map.ok() || !map.ok() || !signal.ok() || !signal_alone.ok() ||
        !poll.ok() || !wake.ok()) {
        uprintf(
            "kbench: a benchmark failed: ipc '%s', fault '%s', fault with Map '%s', map '%s', signal '%s'\n",
            error_name(ipc.error()), error_name(fault.error()), error_name(fault_map.error()),
            error_name(map.error()), error_name(signal.error()));
        return 1;
    }
    figures[1] = *ipc;
    figures[2] = *fault;
    figures[3] = *fault_map;
    figures[5] = *map;
    figures[6] = *wake;
    figures[9] = *signal;
    figures[7] = *signal_alone;
    figures[8] = *poll;
    uprintf("kbench: begin\n");
    uprintf("%-34s %8s %14s   %s\n", "operation", "ops", "instructions/op", "target");
    for (const Figure& f : figures) print_figure(f);
    uprintf("kbench: end\n");
    return 0;
}
