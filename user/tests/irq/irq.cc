// Devices and interrupts (docs/syscalls.md, "Interrupts" and "Devices"),
// on QEMU's virt machine: the boot info lists the ns16550a UART (line 10)
// and the eight virtio-mmio slots (lines 1-8; one_socket()) with Frames for their
// registers, which read as the devices they are once mapped; the UART's
// transmitter-empty interrupt, which it raises as soon as it is enabled,
// reaches a notification through the line's IrqHandler and stays masked
// until it is acknowledged; a line has one holder, and comes back when
// its handler goes. The kernel's consistency check runs after each test.
#include "abi/boot.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/irq/suites.h"

namespace {

using abi::IpcInfo;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;
constexpr uint64_t CONTROL = abi::SLOT_ROOT_IRQ_CONTROL;

// QEMU virt (hw/riscv/virt.c).
constexpr uint64_t UART_PHYS = 0x1000'0000, UART_LINE = 10;
constexpr uint64_t VIRTIO_PHYS = 0x1000'1000, VIRTIO_STRIDE = 0x1000, VIRTIO_SLOTS = 8;
// virtio-mmio registers (virtio 1.x, 4.2.2): "virt", the version (1
// legacy, 2 modern), the device type (0: nothing attached).
constexpr uint64_t VIRTIO_MAGIC = 0x74726976;
// ns16550a registers (byte-wide): interrupt enable, line status.
constexpr uint64_t UART_IER = 1, UART_LSR = 5;
constexpr uint8_t IER_THRE = 0x02;  // interrupt when the transmit holding register is empty
constexpr uint8_t LSR_THRE = 0x20;

// Where the tests map device registers.
constexpr uint64_t UART_VA = 0x5000'0000, VIRTIO_VA = 0x5010'0000;

const abi::BootDevice* device(abi::DeviceKind kind, uint64_t phys) {
    const abi::BootInfo* b = rt::boot_info();
    for (uint32_t i = 0; i < b->nr_devices; i++)
        if (b->devices[i].kind == kind && b->devices[i].phys == phys) return &b->devices[i];
    return nullptr;
}

// With more than one socket (a NUMA machine here), QEMU wires the
// virtio-mmio slots to the second socket's PLIC, whose contexts are
// other harts': the boot hart cannot take their interrupts, and the
// kernel does not list them. On one socket it lists all eight.
bool one_socket() { return rt::boot_info()->nr_nodes == 1; }

// The UART's registers, mapped once.
volatile uint8_t* uart() {
    static bool mapped = false;
    const abi::BootDevice* d = device(abi::DeviceKind::Uart16550, UART_PHYS);
    if (!d) return nullptr;
    if (!mapped && !sys::map(0, d->slot, UART_VA, RW).ok()) return nullptr;
    mapped = true;
    return reinterpret_cast<volatile uint8_t*>(UART_VA + (d->phys & 0xfff));
}

// The UART asks for an interrupt: its transmitter-empty interrupt
// enabled anew. QEMU 7.2's PLIC takes a source's request when its level
// rises (a real gateway also forwards a level still high at completion),
// so each test that wants an interrupt makes the level rise.
void uart_asks(volatile uint8_t* u) {
    u[UART_IER] = 0;
    u[UART_IER] = IER_THRE;
}

// Yields a while: time for an interrupt to arrive if one is coming.
void settle() {
    for (int i = 0; i < 20; i++) {
        (void)sys::yield();
        spin_us(50);
    }
}

// A handler of the UART's line in our table, signalling `n` (a slot).
Result<CapSlot> uart_handler(unsigned n) {
    CapSlot h = TRY(CapSlot::alloc());
    TRY_STATUS(sys::irq_control_get(CONTROL, UART_LINE, 0, h.slot()));
    TRY_STATUS(sys::irq_set_notification(h.slot(), n));
    return h;
}

Result<CapSlot> new_notification() {
    CapSlot s = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(s.slot()));
    return s;
}

void the_boot_info_lists_the_devices(unity::Runner& r) {
    const abi::BootInfo* b = rt::boot_info();
    EXPECT_EQ_U(b->has_irq_control, 1);
    ASSERT_VALUE(control, sys::cap_identify(CONTROL));
    EXPECT_EQ_U(control.type, abi::CapType::IrqControl);
    const abi::BootDevice* u = device(abi::DeviceKind::Uart16550, UART_PHYS);
    ASSERT_TRUE(u != nullptr);
    EXPECT_EQ_U(u->irq, UART_LINE);
    for (uint64_t i = 0; i < VIRTIO_SLOTS; i++) {
        const abi::BootDevice* v = device(abi::DeviceKind::VirtioMmio, VIRTIO_PHYS + i * VIRTIO_STRIDE);
        if (!v && !one_socket()) continue;
        ASSERT_TRUE(v != nullptr);
        EXPECT_EQ_U(v->irq, i + 1);
        EXPECT_EQ_U(v->size, VIRTIO_STRIDE);
        // Its Frame covers the registers: order 0, at their page.
        ASSERT_VALUE(f, sys::cap_identify(v->slot));
        EXPECT_EQ_U(f.type, abi::CapType::Frame);
        EXPECT_EQ_U(f.word, (v->phys >> 12) << 8);
        EXPECT_EQ_U(v->order, 0);
    }
    // Not RAM: no Memory capability the pager would serve covers them.
    for (uint32_t i = 0; i < b->nr_memory; i++) EXPECT_TRUE(b->memory[i].first_pfn > (UART_PHYS >> 12) + 16);
}

void device_registers_read_as_the_devices(unity::Runner& r) {
    for (uint64_t i = 0; i < VIRTIO_SLOTS; i++) {
        const abi::BootDevice* v = device(abi::DeviceKind::VirtioMmio, VIRTIO_PHYS + i * VIRTIO_STRIDE);
        if (!v && !one_socket()) continue;
        ASSERT_TRUE(v != nullptr);
        const uint64_t va = VIRTIO_VA + i * 0x1000;
        ASSERT_OK(sys::map(0, v->slot, va, R));
        auto* regs = reinterpret_cast<volatile uint32_t*>(va);
        EXPECT_EQ_U(regs[0], VIRTIO_MAGIC);
        EXPECT_TRUE(regs[1] == 1 || regs[1] == 2);
        EXPECT_EQ_U(regs[2], 0);  // no device in the slot
        ASSERT_OK(sys::unmap(v->slot));
    }
    volatile uint8_t* u = uart();
    ASSERT_TRUE(u != nullptr);
    EXPECT_TRUE((u[UART_LSR] & LSR_THRE) != 0);
    EXPECT_OK(sys::kernel_verify());
}

void an_interrupt_signals_and_waits_for_its_ack(unity::Runner& r) {
    volatile uint8_t* u = uart();
    ASSERT_TRUE(u != nullptr);
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(h, uart_handler(n.slot()));
    ASSERT_VALUE(id, sys::cap_identify(h.slot()));
    EXPECT_EQ_U(id.type, abi::CapType::IrqHandler);
    EXPECT_EQ_U(id.word, UART_LINE);
    ASSERT_VALUE(before, sys::irq_counts(UART_LINE));
    uart_asks(u);  // the transmitter is empty: it interrupts at once
    ASSERT_VALUE(bits, sys::wait(n.slot()));
    EXPECT_EQ_U(bits, uint64_t(1) << UART_LINE);  // an unbadged notification: bit line % 64
    ASSERT_VALUE(once, sys::irq_counts(UART_LINE));
    EXPECT_EQ_U(once.taken, before.taken + 1);
    // The device asks again, but the line is in service until we say so.
    uart_asks(u);
    settle();
    ASSERT_VALUE(none, sys::poll(n.slot()));
    EXPECT_EQ_U(none, 0);
    EXPECT_OK(sys::kernel_verify());
    // Acknowledged while that request stands: it comes in now.
    ASSERT_OK(sys::irq_ack(h.slot()));
    ASSERT_VALUE(again, sys::wait(n.slot()));
    EXPECT_EQ_U(again, uint64_t(1) << UART_LINE);
    // Quietened, then acknowledged: no more.
    u[UART_IER] = 0;
    ASSERT_OK(sys::irq_ack(h.slot()));
    ASSERT_OK(sys::irq_ack(h.slot()));  // nothing in service: no error, nothing happens
    settle();
    ASSERT_VALUE(quiet, sys::poll(n.slot()));
    EXPECT_EQ_U(quiet, 0);
    ASSERT_VALUE(after, sys::irq_counts(UART_LINE));
    EXPECT_EQ_U(after.taken, before.taken + 2);
    EXPECT_EQ_U(after.unheld, before.unheld);
    EXPECT_OK(sys::kernel_verify());
}

void a_badge_chooses_the_bits_and_a_late_notification_gets_them(unity::Runner& r) {
    volatile uint8_t* u = uart();
    ASSERT_TRUE(u != nullptr);
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(badged, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(n.slot(), 0, badged.slot(), W, 0x30));
    ASSERT_VALUE(h, CapSlot::alloc());
    ASSERT_OK(sys::irq_control_get(CONTROL, UART_LINE, 0, h.slot()));
    // It interrupts before anything is named to signal: nothing is lost.
    uart_asks(u);
    settle();
    ASSERT_OK(sys::irq_set_notification(h.slot(), badged.slot()));
    ASSERT_VALUE(bits, sys::poll(n.slot()));
    EXPECT_EQ_U(bits, 0x30);
    u[UART_IER] = 0;
    ASSERT_OK(sys::irq_ack(h.slot()));
    EXPECT_OK(sys::kernel_verify());
}

void bad_requests_are_refused(unity::Runner& r) {
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(h, uart_handler(n.slot()));
    ASSERT_VALUE(other, CapSlot::alloc());
    EXPECT_ERR(sys::irq_control_get(CONTROL, UART_LINE, 0, other.slot()), Error::Busy);  // one holder
    EXPECT_ERR(sys::irq_control_get(CONTROL, 0, 0, other.slot()), Error::InvalidArgument);
    EXPECT_ERR(sys::irq_control_get(CONTROL, 10000, 0, other.slot()), Error::InvalidArgument);
    EXPECT_ERR(sys::irq_control_get(CONTROL, ~uint64_t(0), 0, other.slot()), Error::InvalidArgument);
    EXPECT_ERR(sys::irq_control_get(n.slot(), 5, 0, other.slot()), Error::WrongType);
    EXPECT_ERR(sys::irq_control_get(other.slot(), 5, 0, other.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::irq_control_get(CONTROL, 5, 0, h.slot()), Error::Busy);  // the slot is used
    EXPECT_ERR(sys::irq_control_get(CONTROL, 5, abi::SLOT_SELF_THREAD, other.slot()), Error::WrongType);
    ASSERT_VALUE(readonly, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(CONTROL, 0, readonly.slot(), R));
    EXPECT_ERR(sys::irq_control_get(readonly.slot(), 5, 0, other.slot()), Error::NoRights);
    // Line 5 was never taken by those refusals.
    ASSERT_OK(sys::irq_control_get(CONTROL, 5, 0, other.slot()));
    ASSERT_OK(sys::cap_delete(other.slot()));
    // A handler is never copied, nor sent.
    ASSERT_VALUE(copy, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(h.slot(), 0, copy.slot(), abi::RIGHTS_ALL), Error::WrongType);
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    EXPECT_ERR(sys::send(IpcInfo::make(ep.slot(), h.slot()), sys::Msg{}), Error::WrongType);
    // What it signals must be a notification we may signal.
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(n.slot(), 0, ro.slot(), R));
    EXPECT_ERR(sys::irq_set_notification(h.slot(), ro.slot()), Error::NoRights);
    EXPECT_ERR(sys::irq_set_notification(h.slot(), ep.slot()), Error::WrongType);
    EXPECT_ERR(sys::irq_set_notification(n.slot(), n.slot()), Error::WrongType);
    EXPECT_ERR(sys::irq_ack(n.slot()), Error::WrongType);
    EXPECT_ERR(sys::irq_ack(copy.slot()), Error::InvalidCap);
    ASSERT_OK(sys::irq_set_notification(h.slot(), 0));  // names nothing now
    EXPECT_ERR(sys::irq_counts(1 << 20), Error::InvalidArgument);
    EXPECT_OK(sys::kernel_verify());
}

int child_waits(uint64_t) {
    (void)report(1);
    for (;;) (void)sys::yield();
}

void a_line_comes_back_when_its_holder_goes(unity::Runner& r) {
    volatile uint8_t* u = uart();
    ASSERT_TRUE(u != nullptr);
    ASSERT_VALUE(n, new_notification());
    ASSERT_VALUE(before, sys::irq_counts(UART_LINE));
    {
        // In service when its handler is deleted: completed and masked.
        ASSERT_VALUE(h, uart_handler(n.slot()));
        uart_asks(u);
        ASSERT_VALUE(bits, sys::wait(n.slot()));
        EXPECT_EQ_U(bits, uint64_t(1) << UART_LINE);
        EXPECT_OK(sys::kernel_verify());
    }
    settle();
    ASSERT_VALUE(none, sys::poll(n.slot()));
    EXPECT_EQ_U(none, 0);
    // Taken again, the line works as before.
    {
        ASSERT_VALUE(h, uart_handler(n.slot()));
        uart_asks(u);
        ASSERT_VALUE(bits, sys::wait(n.slot()));
        EXPECT_EQ_U(bits, uint64_t(1) << UART_LINE);
        u[UART_IER] = 0;
        ASSERT_OK(sys::irq_ack(h.slot()));
    }
    // The line's count goes on from holder to holder.
    ASSERT_VALUE(after, sys::irq_counts(UART_LINE));
    EXPECT_TRUE(after.taken >= before.taken + 2);
    // Made straight into a child's table; the line is free again when it is killed.
    ASSERT_VALUE(hb, hub());
    ASSERT_VALUE(c, hb->child(60));
    ASSERT_OK(sys::irq_control_get(CONTROL, UART_LINE, c.task(), CHILD_FREE_SLOT));
    ASSERT_OK(c.start(child_waits, 0));
    ASSERT_VALUE(ev, hb->wait());
    EXPECT_EQ_U(ev.msg.w[0], 1);
    ASSERT_VALUE(busy, CapSlot::alloc());
    EXPECT_ERR(sys::irq_control_get(CONTROL, UART_LINE, 0, busy.slot()), Error::Busy);
    ASSERT_OK(c.kill());
    ASSERT_VALUE(status, hb->wait_exit(60));
    EXPECT_EQ_U(status, uint64_t(-1));
    ASSERT_OK(sys::irq_control_get(CONTROL, UART_LINE, 0, busy.slot()));
    EXPECT_OK(sys::kernel_verify());
}

}  // namespace

void run_irq_tests(unity::Runner& r) {
    RUN_TEST(r, the_boot_info_lists_the_devices);
    RUN_TEST(r, device_registers_read_as_the_devices);
    RUN_TEST(r, an_interrupt_signals_and_waits_for_its_ack);
    RUN_TEST(r, a_badge_chooses_the_bits_and_a_late_notification_gets_them);
    RUN_TEST(r, bad_requests_are_refused);
    RUN_TEST(r, a_line_comes_back_when_its_holder_goes);
}
