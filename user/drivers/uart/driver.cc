// The console driver (driver.h).
#include "user/drivers/uart/driver.h"

#include "abi/console.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

namespace uart {

namespace {

using abi::IpcInfo;

constexpr uint64_t REGS_VA = 0x6000'0000, PAGE = 4096;
// ns16550a registers (byte-wide): receive buffer / transmit holding,
// interrupt enable, line status.
constexpr uint64_t RBR = 0, THR = 0, IER = 1, LSR = 5;
constexpr uint8_t IER_RX = 0x01;                     // interrupt when a byte arrives
constexpr uint8_t LSR_DATA = 0x01, LSR_THRE = 0x20;  // a byte waits; the transmitter takes one
// Where a request's Reply lands, where the waiting reader's is kept, and
// the notification its interrupts signal.
constexpr unsigned RX_REPLY = abi::CON_SLOT_FREE, READER = abi::CON_SLOT_FREE + 1;
constexpr unsigned NOTIFY = abi::CON_SLOT_FREE + 2;
constexpr uint64_t LINE_MAX = 256;

struct State {
    volatile uint8_t* regs;
    bool reader;  // a ReadLine waits in READER
    // Input: the line being typed, and lines complete but not yet read.
    char input[1024];
    uint64_t head, tail;  // complete lines are input[head..tail) as bytes ending in '\n'
    uint64_t typed;       // bytes of the line being typed, after tail
    uint64_t dropped;
};
constinit State g{};

void put(char ch) {
    while (!(g.regs[LSR] & LSR_THRE)) {
    }
    g.regs[THR] = uint8_t(ch);
}

// The bytes of words w2..w5, `n` of them.
void write_bytes(const sys::Msg& m, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) put(char(m.w[2 + i / 8] >> (8 * (i % 8))));
}

uint64_t size() { return sizeof g.input; }

bool line_ready() {
    for (uint64_t i = g.head; i != g.tail; i++)
        if (g.input[i % size()] == '\n') return true;
    return false;
}

// Takes up to CONSOLE_MSG_BYTES of the first complete line into `m`.
void take_line(sys::Msg& m) {
    uint64_t n = 0;
    while (g.head != g.tail) {
        const char ch = g.input[g.head % size()];
        if (ch == '\n') {
            g.head++;
            break;
        }
        if (n == abi::CONSOLE_MSG_BYTES) break;  // the rest comes with the next ReadLine
        m.w[2 + n / 8] |= uint64_t(uint8_t(ch)) << (8 * (n % 8));
        n++;
        g.head++;
    }
    m.w[0] = uint64_t(Error::None);
    m.w[1] = n;
}

void answer_reader() {
    if (!g.reader || !line_ready()) return;
    sys::Msg m;
    take_line(m);
    g.reader = false;
    (void)sys::reply(IpcInfo::make(0, 0, 0, 0, READER), m);
}

// A byte typed: echoed, and gathered into the line; a line ends at CR or LF.
void typed(uint8_t b) {
    if (b == '\r' || b == '\n') {
        put('\r');
        put('\n');
        g.input[(g.tail + g.typed) % size()] = '\n';
        g.tail += g.typed + 1;
        g.typed = 0;
        return;
    }
    if (g.tail + g.typed + 1 - g.head >= size() || g.typed >= LINE_MAX) {
        g.dropped++;  // no room: the byte is lost, and counted
        return;
    }
    put(char(b));
    g.input[(g.tail + g.typed) % size()] = char(b);
    g.typed++;
}

void interrupt() {
    while (g.regs[LSR] & LSR_DATA) typed(g.regs[RBR]);
    (void)sys::irq_ack(abi::CON_SLOT_IRQ);
    answer_reader();
}

void serve(const sys::Received& rx) {
    sys::Msg m;
    switch (abi::ConsoleOp(rx.msg.w[0])) {
        case abi::ConsoleOp::Write:
            if (rx.msg.w[1] > abi::CONSOLE_MSG_BYTES) {
                m.w[0] = uint64_t(Error::InvalidArgument);
            } else {
                write_bytes(rx.msg, rx.msg.w[1]);
                m.w[0] = uint64_t(Error::None);
            }
            break;
        case abi::ConsoleOp::ReadLine:
            if (g.reader) {
                m.w[0] = uint64_t(Error::Busy);
                break;
            }
            if (sys::cap_move(RX_REPLY, READER).ok()) g.reader = true;
            answer_reader();
            return;
        default:
            m.w[0] = uint64_t(Error::InvalidArgument);
    }
    (void)sys::reply(IpcInfo::make(0, 0, 0, 0, RX_REPLY), m);
}

Status init(uint64_t regs_offset) {
    if (regs_offset + LSR >= PAGE) return Error::InvalidArgument;
    TRY_STATUS(sys::map(0, abi::CON_SLOT_REGS, REGS_VA, abi::RIGHT_READ | abi::RIGHT_WRITE));
    g.regs = reinterpret_cast<volatile uint8_t*>(REGS_VA + regs_offset);
    TRY_STATUS(sys::notification_create(NOTIFY));
    TRY_STATUS(sys::irq_set_notification(abi::CON_SLOT_IRQ, NOTIFY));
    TRY_STATUS(sys::thread_bind_notification(abi::SLOT_SELF_THREAD, NOTIFY));
    while (g.regs[LSR] & LSR_DATA) (void)g.regs[RBR];  // what came before us is not ours
    g.regs[IER] = IER_RX;
    return {};
}

}  // namespace

int driver_main(uint64_t regs_offset) {
    if (Status s = init(regs_offset); !s.ok()) {
        uprintf("console: no usable UART: %s\n", error_name(s.error()));
        return 1;
    }
    uprintf("console: ready\n");
    for (;;) {
        auto rx = sys::recv(IpcInfo::make(abi::CON_SLOT_SERVE, 0, 0, RX_REPLY));
        if (!rx.ok()) return rx.error() == Error::DeadObject ? 0 : 1;
        if (rx->info.notified())
            interrupt();
        else if (rx->info.is_call())
            serve(*rx);
    }
}

}  // namespace uart
