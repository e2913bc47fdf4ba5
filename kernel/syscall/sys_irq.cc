// IrqControlGet, IrqSetNotification, IrqAck.
#include "kernel/irq.h"
#include "kernel/obj/cap.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

namespace {

// The line an IrqHandler capability in `slot` holds. Errors: InvalidCap,
// WrongType.
Result<uint32_t> handler_line(Thread* t, uint64_t slot) {
    Cap* c = TRY(caps::lookup(t->task, slot, abi::CapType::IrqHandler, 0));
    return uint32_t(c->irq_line());
}

}  // namespace

SYSCALL_HANDLER(irq_control_get) {
    auto control = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::IrqControl, abi::RIGHT_WRITE);
    if (!control.ok()) return ret(t, control.error());
    const uint64_t line = t->ctx.arg(1);
    if (Status s = irq::can_take(line); !s.ok()) return ret(t, s);
    auto task = task_arg(t, t->ctx.arg(2));
    if (!task.ok()) return ret(t, task.error());
    auto dst = caps::empty_slot(*task, t->ctx.arg(3));
    if (!dst.ok()) return ret(t, dst.error());
    irq::take(uint32_t(line));
    Cap c{};
    c.type = abi::CapType::IrqHandler;
    c.rights = abi::RIGHTS_ALL;
    c.set_irq_line(line);
    caps::install(*dst, c, nullptr);
    ret(t, Error::None);
}

SYSCALL_HANDLER(irq_set_notification) {
    auto line = handler_line(t, t->ctx.arg(0));
    if (!line.ok()) return ret(t, line.error());
    Notification* n = nullptr;
    uint64_t bits = 0;
    if (const uint64_t slot = t->ctx.arg(1)) {
        auto c = caps::lookup(t->task, slot, abi::CapType::Notification, abi::RIGHT_WRITE);
        if (!c.ok()) return ret(t, c.error());
        n = static_cast<Notification*>((*c)->obj);
        bits = (*c)->badge() ? (*c)->badge() : uint64_t(1) << (*line % 64);
    }
    ret(t, Error::None);
    irq::set_notification(*line, n, bits);
}

SYSCALL_HANDLER(irq_ack) {
    auto line = handler_line(t, t->ctx.arg(0));
    if (!line.ok()) return ret(t, line.error());
    irq::ack(*line);
    ret(t, Error::None);
}

}  // namespace syscall
