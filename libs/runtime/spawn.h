// Child tasks that run a function of the calling program's own image.
//
// Only the root task can make them: it holds a Frame capability for every
// page of its image (abi::BootInfo::image, from SLOT_ROOT_IMAGE; the pages
// between __image_start and __image_end of user.ld) and the Memory
// capabilities to mint stacks and data pages from. A child gets
//   - text and rodata: copies of the root's image Frame caps, mapped at the
//     same addresses with the same rights (the pages are shared);
//   - data and bss: fresh frames holding a copy of the root's data as it is
//     when Child::create runs (so globals work, but are private to the
//     child; use SharedMemory to share);
//   - a stack of 2^stack_order pages ending at CHILD_STACK_TOP;
//   - in its capability table only its own Task and Thread caps (slots 1
//     and 2) and whatever Child::give puts there.
// Every capability behind these mappings stays in the root's table, owned
// by the Child object, until it is destroyed.
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "abi/syscall.h"
#include "base/addr.h"
#include "base/result.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/vspace.h"

// The function a child runs; its return value is the child's exit status.
using ChildFn = int (*)(uint64_t arg);

struct ChildOptions {
    unsigned fault_ep = 0;     // Endpoint (our slot) that receives the child's faults; 0 = none
    uint64_t fault_badge = 0;  // badge the fault handler sees; 0 = the endpoint cap's own
    unsigned end_ep = 0;       // Endpoint (our slot) that receives the child's end notice; 0 = none
    uint64_t end_badge = 0;    // badge it arrives with; 0 = the endpoint cap's own
    unsigned priority = abi::PRIORITY_DEFAULT;
    Order stack_order = Order(2);
    uint64_t kmem_limit = 0;  // TaskCreate's: the child's kernel memory limit (0: none)
};

class Child {
public:
    Child() = default;
    Child(Child&&) = default;
    Child& operator=(Child&&) = delete;
    ~Child();

    // Builds the task as described above without starting its thread.
    // Unsupported: the caller is not the root task; OverQuota: no free
    // slots; NoMemory; otherwise the Error of the first failing syscall
    // (TaskCreate, CapCopy, MemoryMintFrame, Map, ThreadSetFault).
    static Result<Child> create(const ChildOptions& opt = {});

    // Starts the thread at fn(arg) with the options' priority.
    // Busy: started before; otherwise the Error of ThreadStart.
    Status start(ChildFn fn, uint64_t arg);

    // Copies our capability `src` into the child's table at `child_slot`
    // with rights & `rights` and (endpoints) `badge`. Errors of CapCopy.
    Status give(unsigned src, unsigned child_slot, uint64_t rights = abi::RIGHTS_ALL, uint64_t badge = 0);

    // Maps a copy of the Frame in `frame_slot` into the child at `va`.
    // OverQuota: this Child tracks too many frames already; otherwise the
    // Error of CapCopy or Map.
    Status map(unsigned frame_slot, VirtAddr va, uint64_t rights);
    // Shares `m` with the child at the address it has in our space.
    Status map(const SharedMemory& m, uint64_t rights = abi::RIGHT_READ | abi::RIGHT_WRITE) {
        return map(m.frame.slot(), m.addr(), rights);
    }

    // Ends the task (Sys::TaskKill). The capabilities stay until the Child
    // is destroyed; Map and friends into it then answer DeadObject.
    Status kill();

    unsigned task() const { return task_.slot(); }
    unsigned thread() const { return thread_.slot(); }
    bool started() const { return started_; }

private:
    static constexpr unsigned MAX_FRAMES = abi::ROOT_IMAGE_MAX_PAGES + 8;

    Status add_frame(CapSlot cap);
    Status map_image_page(const abi::BootImagePage& page);
    Status setup_fault(const ChildOptions& opt);

    CapSlot task_, thread_;
    Frame stack_;
    CapSlot frames_[MAX_FRAMES];
    unsigned nr_frames_ = 0;
    unsigned priority_ = abi::PRIORITY_DEFAULT;
    bool started_ = false;
};

// Child::create(opt), then start(fn, arg): a running child with nothing in
// its table but its own Task and Thread caps. Errors of both.
Result<Child> spawn(ChildFn fn, uint64_t arg, const ChildOptions& opt = {});
