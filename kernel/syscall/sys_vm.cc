// Map, Unmap, Protect, ReadClearAD.
#include "kernel/obj/cap.h"
#include "kernel/obj/rights.h"
#include "kernel/obj/vm.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

SYSCALL_HANDLER(map) {
    uint64_t va = t->ctx.arg(2), rights = t->ctx.arg(3);
    auto task = task_arg(t, t->ctx.arg(0));
    if (!task.ok()) return ret(t, task.error());
    auto frame = caps::lookup(t->task, t->ctx.arg(1), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    // Whole, before it is narrowed (map_frame checks what a mapping may have).
    if (!rights::within(rights, abi::RIGHTS_ALL)) return ret(t, Error::InvalidArgument);
    ret(t, vm::map_frame(*task, *frame, VirtAddr(va), uint8_t(rights)));
}

SYSCALL_HANDLER(unmap) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    if (!(*frame)->mapped_in) return ret(t, Error::NotFound);
    vm::unmap_frame(*frame);
    ret(t, Error::None);
}

SYSCALL_HANDLER(protect) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    uint64_t rights = t->ctx.arg(1);
    if (!rights::within(rights, abi::RIGHTS_ALL)) return ret(t, Error::InvalidArgument);
    ret(t, vm::protect_frame(*frame, uint8_t(rights)));
}

SYSCALL_HANDLER(read_clear_ad) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    bool a = false, d = false;
    Status s = vm::read_clear_ad(*frame, &a, &d);
    if (!s.ok()) return ret(t, s);
    ret(t, Error::None, a, d);
}

}  // namespace syscall
