// The UART driver (user/drivers/uart) as its clients see it: what they
// write reaches the terminal; lines typed at the terminal (by the QEMU
// test, each after this program says it is ready for it) reach the one
// reader, a long one in pieces, a second reader meanwhile refused; and
// when the driver is killed the kernel's own log goes on, and the driver
// starts again. Each input is announced with "console-test: ready for
// input X", which tests/qemu/user.cmake waits for before typing.
#include "abi/console.h"

#include "runtime/console.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/drivers/uart/driver.h"
#include "user/tests/common/driver_task.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/console/suites.h"

namespace {

using abi::ConsoleOp;
using abi::IpcInfo;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;
constexpr unsigned DRIVER_ID = 70, READER_ID = 71;

constinit DriverTask g_driver;

const abi::BootDevice* uart_device() {
    const abi::BootInfo* b = rt::boot_info();
    for (uint32_t i = 0; i < b->nr_devices; i++)
        if (b->devices[i].kind == abi::DeviceKind::Uart16550) return &b->devices[i];
    return nullptr;
}

Status start_driver() {
    const abi::BootDevice* d = uart_device();
    if (!d) return Error::NotFound;
    return g_driver.start(DRIVER_ID, [d](const ChildOptions& opt, unsigned ep) -> Result<Child> {
        Child c = TRY(Child::create(opt));
        TRY_STATUS(c.give(d->slot, abi::CON_SLOT_REGS, RW));
        TRY_STATUS(sys::irq_control_get(abi::SLOT_ROOT_IRQ_CONTROL, d->irq, c.task(), abi::CON_SLOT_IRQ));
        TRY_STATUS(c.give(ep, abi::CON_SLOT_SERVE, R));
        TRY_STATUS(c.start(uart::driver_main, d->phys & 0xfff));
        return c;
    });
}

// Write: `text`, at most CONSOLE_MSG_BYTES of it, through endpoint `ep`.
Error write(unsigned ep, const char* text) {
    sys::Msg m;
    m.w[0] = uint64_t(ConsoleOp::Write);
    uint64_t n = 0;
    for (; text[n] && n < abi::CONSOLE_MSG_BYTES; n++)
        m.w[2 + n / 8] |= uint64_t(uint8_t(text[n])) << (8 * (n % 8));
    m.w[1] = n;
    auto rx = sys::call(IpcInfo::make(ep), m);
    return rx.ok() ? sys::to_error(rx->msg.w[0]) : rx.error();
}

struct Line {
    Error error;
    uint64_t n;
    char text[abi::CONSOLE_MSG_BYTES + 1];
};
Line read_line(unsigned ep) {
    sys::Msg m;
    m.w[0] = uint64_t(ConsoleOp::ReadLine);
    auto rx = sys::call(IpcInfo::make(ep), m);
    Line l{rx.ok() ? sys::to_error(rx->msg.w[0]) : rx.error(), 0, {}};
    if (!rx.ok() || l.error != Error::None) return l;
    l.n = rx->msg.w[1] <= abi::CONSOLE_MSG_BYTES ? rx->msg.w[1] : 0;
    for (uint64_t i = 0; i < l.n; i++) l.text[i] = char(rx->msg.w[2 + i / 8] >> (8 * (i % 8)));
    return l;
}

bool same(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

void ready_for(char input) {
    uprintf("console-test: ready for input %c\n", input);
    console_flush();
}

void writes_reach_the_terminal(unity::Runner& r) {
    ASSERT_OK(start_driver());
    EXPECT_EQ_U(write(g_driver.ep(), "console-check: through the UART\n"), Error::None);
    EXPECT_EQ_U(write(g_driver.ep(), ""), Error::None);
    sys::Msg m;
    m.w[0] = uint64_t(ConsoleOp::Write);
    m.w[1] = abi::CONSOLE_MSG_BYTES + 1;
    auto rx = sys::call(IpcInfo::make(g_driver.ep()), m);
    ASSERT_TRUE(rx.ok());
    EXPECT_EQ_U(sys::to_error(rx->msg.w[0]), Error::InvalidArgument);
    m.w[0] = 99;
    auto bad = sys::call(IpcInfo::make(g_driver.ep()), m);
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ_U(sys::to_error(bad->msg.w[0]), Error::InvalidArgument);
}

void a_typed_line_reaches_its_reader(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ready_for('A');
    const Line l = read_line(g_driver.ep());
    ASSERT_OK(Status(l.error));
    EXPECT_TRUE(same(l.text, "hello tern"));
}

int child_reader(uint64_t) {
    const Line l = read_line(CHILD_FREE_SLOT);
    (void)report(0x11, uint64_t(l.error), l.n, same(l.text, "second line") ? 1 : 0);
    return 0;
}

void one_reader_at_a_time(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(READER_ID));
    ASSERT_OK(c.give(g_driver.ep(), CHILD_FREE_SLOT, W));
    ASSERT_OK(c.start(child_reader, 0));
    for (int i = 0; i < 10; i++) (void)sys::yield();  // it waits for a line
    EXPECT_EQ_U(read_line(g_driver.ep()).error, Error::Busy);
    ready_for('B');
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0x11);
    EXPECT_EQ_U(ev.msg.w[1], uint64_t(Error::None));
    EXPECT_EQ_U(ev.msg.w[3], 1);  // it got "second line"
    ASSERT_VALUE(status, h->wait_exit(READER_ID));
    EXPECT_EQ_U(status, 0);
}

void a_long_line_comes_in_pieces(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ready_for('C');
    const Line first = read_line(g_driver.ep());
    ASSERT_OK(Status(first.error));
    EXPECT_EQ_U(first.n, abi::CONSOLE_MSG_BYTES);
    const Line rest = read_line(g_driver.ep());
    ASSERT_OK(Status(rest.error));
    EXPECT_EQ_U(rest.n, 40 - abi::CONSOLE_MSG_BYTES);
    for (uint64_t i = 0; i < first.n; i++) EXPECT_EQ_U(first.text[i], 'x');
    for (uint64_t i = 0; i < rest.n; i++) EXPECT_EQ_U(rest.text[i], 'x');
}

void the_kernel_log_outlives_the_driver(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ASSERT_VALUE(h, hub());
    ASSERT_OK(g_driver.kill());
    ASSERT_VALUE(status, h->wait_exit(DRIVER_ID));
    EXPECT_EQ_U(status, uint64_t(-1));
    uprintf("console-check: the kernel's log after the driver\n");  // DebugWrite: the kernel's own path
    ASSERT_OK(start_driver());
    EXPECT_EQ_U(write(g_driver.ep(), "console-check: started again\n"), Error::None);
    EXPECT_OK(sys::kernel_verify());
}

}  // namespace

void run_console_tests(unity::Runner& r) {
    RUN_TEST(r, writes_reach_the_terminal);
    RUN_TEST(r, a_typed_line_reaches_its_reader);
    RUN_TEST(r, one_reader_at_a_time);
    RUN_TEST(r, a_long_line_comes_in_pieces);
    RUN_TEST(r, the_kernel_log_outlives_the_driver);
}
