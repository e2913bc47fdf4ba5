// Map, Unmap, Protect, ReadClearAD.
#include "kernel/obj/cap.h"
#include "kernel/obj/vm.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

void map(Thread* t) {
    uint64_t va = t->ctx.arg(2), rights = t->ctx.arg(3);
    auto task = task_arg(t, t->ctx.arg(0));
    if (!task.ok()) return ret(t, task.error());
    auto frame = caps::lookup(t->task, t->ctx.arg(1), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    if (rights > abi::RIGHTS_ALL) return ret(t, Error::InvalidArgument);
    ret(t, vm::map_frame(*task, *frame, VirtAddr(va), uint8_t(rights)));
}

void unmap(Thread* t) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    if (!(*frame)->mapped_in) return ret(t, Error::NotFound);
    vm::unmap_frame(*frame);
    ret(t, Error::None);
}

void protect(Thread* t) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    uint64_t rights = t->ctx.arg(1);
    if (rights > abi::RIGHTS_ALL) return ret(t, Error::InvalidArgument);
    ret(t, vm::protect_frame(*frame, uint8_t(rights)));
}

void read_clear_ad(Thread* t) {
    auto frame = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Frame, 0);
    if (!frame.ok()) return ret(t, frame.error());
    bool a = false, d = false;
    Status s = vm::read_clear_ad(*frame, &a, &d);
    if (!s.ok()) return ret(t, s);
    ret(t, Error::None, a, d);
}

// The syscall table's entries for these handlers (syscall.h, run).
template TrapExit run<map>(Thread*);
template TrapExit run<protect>(Thread*);
template TrapExit run<read_clear_ad>(Thread*);
template TrapExit run<unmap>(Thread*);

}  // namespace syscall
