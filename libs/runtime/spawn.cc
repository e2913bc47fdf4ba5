#include "runtime/spawn.h"

#include <utility>

#include "runtime/console.h"
#include "runtime/runtime.h"
#include "runtime/syscall.h"

extern "C" char _thread_start[];                 // crt0.S
extern "C" char __image_start[], __image_end[];  // user.ld

Child::~Child() {
    if (task_.valid()) (void)kill();
    // CapSlot members delete their capabilities (and with them the mappings).
}

Result<Child> Child::create(const ChildOptions& opt) {
    const abi::BootInfo* boot = rt::boot_info();
    if (!boot) return Error::Unsupported;
    if (opt.priority > abi::PRIORITY_MAX || opt.stack_order.raw() > abi::FRAME_ORDER_MAX)
        return Error::InvalidArgument;
    // What the child inherits from our data includes unprinted console text.
    console_flush();

    Child c;
    c.priority_ = opt.priority;
    c.task_ = TRY(CapSlot::alloc());
    c.thread_ = TRY(CapSlot::alloc());
    {
        // The task keeps its own copy of the end endpoint; ours only carries the badge.
        CapSlot badged;
        unsigned end_ep = opt.end_ep;
        if (end_ep && opt.end_badge) {
            badged = TRY(CapSlot::alloc());
            TRY_STATUS(sys::cap_copy(opt.end_ep, 0, badged.slot(), abi::RIGHTS_ALL, opt.end_badge));
            end_ep = badged.slot();
        }
        TRY_STATUS(sys::task_create(c.task_.slot(), c.thread_.slot(), opt.kmem_limit, end_ep));
    }
    // BootInfo::image also lists the root's stack: only the program's own
    // pages go to the child.
    const uint64_t lo = reinterpret_cast<uint64_t>(__image_start),
                   hi = reinterpret_cast<uint64_t>(__image_end);
    for (uint32_t i = 0; i < boot->nr_image_pages; i++) {
        const abi::BootImagePage& page = boot->image[i];
        if (page.vaddr >= lo && page.vaddr < hi) TRY_STATUS(c.map_image_page(page));
    }

    c.stack_ = TRY(frames().alloc(opt.stack_order));
    const uint64_t stack_base = CHILD_STACK_TOP - opt.stack_order.bytes();
    TRY_STATUS(sys::map(c.task_.slot(), c.stack_.slot(), stack_base, abi::RIGHT_READ | abi::RIGHT_WRITE));
    TRY_STATUS(c.setup_fault(opt));
    return c;
}

// Text and rodata pages are shared through a copy of our cap; a writable
// page gets a private frame holding a copy of our page.
Status Child::map_image_page(const abi::BootImagePage& page) {
    if (!(page.rights & abi::RIGHT_WRITE)) {
        CapSlot copy = TRY(CapSlot::alloc());
        TRY_STATUS(sys::cap_copy(page.slot, 0, copy.slot(), abi::RIGHTS_ALL));
        TRY_STATUS(sys::map(task_.slot(), copy.slot(), page.vaddr, page.rights));
        return add_frame(std::move(copy));
    }
    Frame data = TRY(frames().alloc(Order(0)));
    {
        LocalMap window = TRY(LocalMap::map(data.slot(), Order(0)));
        copy_bytes(window.as<void>(), reinterpret_cast<const void*>(page.vaddr), PAGE_SIZE);
    }
    TRY_STATUS(sys::map(task_.slot(), data.slot(), page.vaddr, page.rights));
    return add_frame(std::move(data.cap));
}

Status Child::setup_fault(const ChildOptions& opt) {
    if (opt.fault_ep == 0) return ok_status();
    if (opt.fault_badge == 0) return sys::thread_set_fault(thread_.slot(), opt.fault_ep);
    // The thread keeps its own copy; ours is only needed to carry the badge.
    CapSlot badged = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(opt.fault_ep, 0, badged.slot(), abi::RIGHTS_ALL, opt.fault_badge));
    return sys::thread_set_fault(thread_.slot(), badged.slot());
}

Status Child::add_frame(CapSlot cap) {
    if (nr_frames_ == MAX_FRAMES) return Error::OverQuota;
    frames_[nr_frames_++] = std::move(cap);
    return ok_status();
}

Status Child::start(ChildFn fn, uint64_t arg) {
    if (started_) return Error::Busy;
    // _thread_start pops the function from the top of the stack.
    {
        LocalMap window = TRY(LocalMap::map(stack_.slot(), stack_.order));
        auto* top = reinterpret_cast<uint64_t*>(window.addr().raw() + window.bytes());
        top[-2] = reinterpret_cast<uint64_t>(fn);
        top[-1] = 0;
    }
    console_flush();
    TRY_STATUS(sys::thread_start(thread_.slot(), reinterpret_cast<uint64_t>(_thread_start),
                                 CHILD_STACK_TOP - 16, arg, priority_));
    started_ = true;
    return ok_status();
}

Status Child::give(unsigned src, unsigned child_slot, uint64_t rights, uint64_t badge) {
    return sys::cap_copy(src, task_.slot(), child_slot, rights, badge);
}

Status Child::map(unsigned frame_slot, VirtAddr va, uint64_t rights) {
    if (nr_frames_ == MAX_FRAMES) return Error::OverQuota;
    CapSlot copy = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(frame_slot, 0, copy.slot(), abi::RIGHTS_ALL));
    TRY_STATUS(sys::map(task_.slot(), copy.slot(), va, rights));
    return add_frame(std::move(copy));
}

Status Child::kill() { return sys::task_kill(task_.slot()); }

Result<Child> spawn(ChildFn fn, uint64_t arg, const ChildOptions& opt) {
    Child c = TRY(Child::create(opt));
    TRY_STATUS(c.start(fn, arg));
    return c;
}
