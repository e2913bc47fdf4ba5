// CapIdentify, CapCopy, CapMove, CapDelete, CapRevoke.
#include "kernel/obj/cap.h"
#include "kernel/obj/rights.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

Result<Task*> task_arg(Thread* t, uint64_t slot) {
    if (slot == 0) return t->task;
    Cap* c = TRY(caps::lookup(t->task, slot, abi::CapType::Task, abi::RIGHT_WRITE));
    auto* task = static_cast<Task*>(c->obj);
    if (!task->alive) return Error::DeadObject;
    return task;
}

namespace {

// Whether a copy of `src` may carry `badge` (not 0). An endpoint's badge
// names its senders: only an unbadged endpoint capability can be badged,
// once. A notification's badge is the set of bits Signal may set through
// it (0: any): a copy may only narrow it.
bool badge_ok(const Cap& src, uint64_t badge) {
    switch (src.type) {
        case abi::CapType::Endpoint:
            return src.badge() == 0 && badge <= abi::IpcResult::BADGE_MASK;
        case abi::CapType::Notification:
            return src.badge() == 0 || (badge & ~src.badge()) == 0;
        default:
            return false;
    }
}

}  // namespace

SYSCALL_HANDLER(cap_identify) {
    auto c = caps::lookup(t->task, t->ctx.arg(0));
    if (!c.ok()) return ret(t, c.error());
    Cap* cap = *c;
    uint64_t extra = 0;
    switch (cap->type) {
        case abi::CapType::Frame:
            extra = (cap->frame_pfn() << 8) | cap->frame_order();
            break;
        case abi::CapType::Memory:
            extra = cap->memory_first();
            break;
        case abi::CapType::Endpoint:
        case abi::CapType::Notification:
            extra = cap->badge();
            break;
        case abi::CapType::IrqHandler:
            extra = cap->irq_line();
            break;
        default:
            break;
    }
    ret(t, Error::None, uint64_t(cap->type), cap->rights, extra);
}

SYSCALL_HANDLER(cap_copy) {
    uint64_t src_slot = t->ctx.arg(0), dst_task_slot = t->ctx.arg(1), dst_slot = t->ctx.arg(2);
    uint64_t mask = t->ctx.arg(3), badge = t->ctx.arg(4);
    auto src = caps::lookup(t->task, src_slot);
    if (!src.ok()) return ret(t, src.error());
    if (!caps::copyable(**src)) return ret(t, Error::WrongType);
    if (!rights::within(mask, abi::RIGHTS_ALL)) return ret(t, Error::InvalidArgument);
    if (badge && !badge_ok(**src, badge)) return ret(t, Error::InvalidArgument);
    auto task = task_arg(t, dst_task_slot);
    if (!task.ok()) return ret(t, task.error());
    auto dst = caps::empty_slot(*task, dst_slot);
    if (!dst.ok()) return ret(t, dst.error());
    Cap value = **src;
    value.rights = uint8_t(value.rights & mask);
    if (badge) value.set_badge(badge);
    caps::install(*dst, value, *src);
    ret(t, Error::None);
}

SYSCALL_HANDLER(cap_move) {
    uint64_t src_slot = t->ctx.arg(0), dst_slot = t->ctx.arg(1);
    auto src = caps::lookup(t->task, src_slot);
    if (!src.ok()) return ret(t, src.error());
    if (src_slot == dst_slot) return ret(t, Error::InvalidArgument);
    auto dst = caps::empty_slot(t->task, dst_slot);
    if (!dst.ok()) return ret(t, dst.error());
    caps::move(*dst, *src);
    ret(t, Error::None);
}

SYSCALL_HANDLER(cap_delete) {
    auto c = caps::lookup(t->task, t->ctx.arg(0));
    if (!c.ok()) return ret(t, c.error());
    caps::remove(*c);
    // A task that deletes its own thread or task cap keeps running: the
    // objects live on through other references.
    if (t->state == ThreadState::Running) ret(t, Error::None);
}

SYSCALL_HANDLER(cap_revoke) {
    auto c = caps::lookup(t->task, t->ctx.arg(0));
    if (!c.ok()) return ret(t, c.error());
    caps::revoke(*c);
    if (t->state == ThreadState::Running) ret(t, Error::None);
}

}  // namespace syscall
