// Null, DebugWrite, Exit, Yield, KernelInfo.
#include "kernel/fault.h"
#include "kernel/irq.h"
#include "kernel/lib/log.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/task.h"
#include "kernel/obj/verify.h"
#include "kernel/obj/vm.h"
#include "kernel/platform.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

// The bare cost of a system call, written out as a leaf.
TRAP_LEAF TrapExit null(Thread* t) {
    ret(t, Error::None);
    return sched::schedule();
}

SYSCALL_HANDLER(debug_write) {
    uint64_t va = t->ctx.arg(0), len = t->ctx.arg(1);
    if (len > abi::DEBUG_WRITE_MAX) return ret(t, Error::InvalidArgument);
    char buf[256];
    // Check the whole range before printing any of it.
    for (uint64_t off = 0; off < len; off += sizeof buf) {
        uint64_t n = len - off < sizeof buf ? len - off : sizeof buf;
        if (Status s = vm::copy_from_user(t->task, VirtAddr(va + off), buf, n); !s.ok()) return ret(t, s);
    }
    for (uint64_t off = 0; off < len; off += sizeof buf) {
        uint64_t n = len - off < sizeof buf ? len - off : sizeof buf;
        (void)vm::copy_from_user(t->task, VirtAddr(va + off), buf, n);
        platform::console_write(buf, n);
    }
    ret(t, Error::None);
}

SYSCALL_HANDLER(exit) {
    char why[48];
    const int status = int(t->ctx.arg(0));
    format_buf(why, sizeof why, "exited with status %d", status);
    tasks::kill(t->task, abi::TaskEnd::Exit, status, why);
}

SYSCALL_HANDLER(yield) {
    ret(t, Error::None);
    sched::yield_current();
}

SYSCALL_HANDLER(kernel_info) {
    switch (t->ctx.arg(0)) {
        case abi::KERNEL_INFO_POOL: {
            kpool::Stats s = kpool::stats();
            return ret(t, Error::None, s.free_bytes, s.total_bytes, platform::uptime_us());
        }
        case abi::KERNEL_INFO_KMEM:
            return ret(t, Error::None, t->task->kmem_used, t->task->kmem_limit, tasks::base_bytes(t->task));
        case abi::KERNEL_INFO_VERIFY: {
            verify::Finding f;
            if (verify::run(&f)) return ret(t, Error::None);
            klog::error("verify: %s: %s", verify::check_name(f.check), f.message);
            return ret(t, Error::Malformed, uint64_t(f.check));
        }
        case abi::KERNEL_INFO_IRQ:
            if (t->ctx.arg(1) >= irq::MAX_LINES) break;
            return ret(t, Error::None, irq::taken(uint32_t(t->ctx.arg(1))), irq::unheld());
        case abi::KERNEL_INFO_IDLE: {
            const sched::IdleStats s = sched::idle_stats();
            return ret(t, Error::None, s.instructions, s.periods);
        }
    }
    ret(t, Error::InvalidArgument);
}

}  // namespace syscall
