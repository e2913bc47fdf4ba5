// MemoryMintFrame, MemoryDonate, MemoryInfo.
#include "kernel/obj/cap.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/rights.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

SYSCALL_HANDLER(memory_mint_frame) {
    uint64_t pfn = t->ctx.arg(1), order = t->ctx.arg(2), rights = t->ctx.arg(3), dst_slot = t->ctx.arg(4);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    if (order > abi::FRAME_ORDER_MAX) return ret(t, Error::InvalidArgument);
    if (!rights::mappable(rights, abi::RIGHTS_ALL)) return ret(t, Error::InvalidArgument);
    uint64_t pages = uint64_t(1) << order;
    if (pfn & (pages - 1)) return ret(t, Error::BadAlignment);
    uint64_t first = (*mem)->memory_first(), count = (*mem)->memory_pages();
    if (pfn < first || pfn + pages > first + count || pfn + pages < pfn) return ret(t, Error::OutOfRange);
    auto dst = caps::empty_slot(t->task, dst_slot);
    if (!dst.ok()) return ret(t, dst.error());
    caps::install_frame(*dst, pfn, order, uint8_t(rights), *mem);
    ret(t, Error::None);
}

SYSCALL_HANDLER(memory_donate) {
    uint64_t pfn = t->ctx.arg(1), pages = t->ctx.arg(2);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    Cap* m = *mem;
    uint64_t first = m->memory_first(), count = m->memory_pages();
    if (pages < 2 || pages > count) return ret(t, Error::InvalidArgument);
    if (pfn + pages < pfn) return ret(t, Error::OutOfRange);  // wraps: at neither end
    bool at_start = pfn == first, at_end = pfn + pages == first + count;
    if (!at_start && !at_end) return ret(t, Error::OutOfRange);
    if (caps::has_child_overlapping(m, pfn, pages)) return ret(t, Error::Busy);
    // Another Memory cap copied from this one (or this one's ancestors)
    // could still name the frames: only a cap with no copies may donate.
    if (m->parent) return ret(t, Error::NoRights);
    Status s = kpool::add_region(PhysRange{Pfn(pfn).to_phys(), pages * PAGE_SIZE},
                                 [](PhysAddr pa) { return arch::phys_to_virt(pa).as<void>(); });
    if (!s.ok()) return ret(t, s);
    m->set_memory(at_start ? first + pages : first, count - pages);
    ret(t, Error::None);
}

namespace {

// The destination run of MemoryMintMap and MemoryMintFrames: `count`
// slots of the caller from `first`, none in use. Errors: InvalidCap (slot
// 0, or past abi::MAX_CAP_SLOTS), Busy.
Status dst_run_ok(Thread* t, uint64_t first, uint64_t count) {
    if (first == 0 || first >= abi::MAX_CAP_SLOTS || count > abi::MAX_CAP_SLOTS - first)
        return Error::InvalidCap;
    bool busy = false;
    t->task->space.for_each_run(first, count, [&busy](const Cap* run, uint64_t, uint64_t n) {
        if (run->type == CAP_ABSENT) return;  // a leaf not made yet: empty
        for (const Cap *c = run, *end = run + n; c != end; c++) busy |= !c->empty();
    });
    return busy ? Error::Busy : Status{};
}

// Makes every leaf of the checked run that does not exist yet, the last
// step before the run is filled. Errors: OutOfSlots, NoMemory (the leaves
// made before stay, empty, as the space only grows).
Status dst_run_grow(Thread* t, uint64_t first, uint64_t count) {
    Task* task = t->task;
    for (uint64_t slot = first; slot < first + count; slot = (slot / CAP_LEAF_SLOTS + 1) * CAP_LEAF_SLOTS)
        if (!task->space.at(slot)) TRY(task->space.grow_to(task, slot));
    return {};
}

// Their pfn array: `count` words at `array` in the caller's memory, each a
// frame of the Memory capability `mem`. Errors: OutOfRange (a pfn outside
// it, or an array the caller cannot read, null included).
Status read_pfns(Thread* t, const Cap* mem, uint64_t array, uint64_t count, uint64_t* pfns) {
    if (!vm::copy_from_user(t->task, VirtAddr(array), pfns, count * sizeof(uint64_t)).ok())
        return Error::OutOfRange;
    const uint64_t first = mem->memory_first(), pages = mem->memory_pages();
    for (const uint64_t *p = pfns, *end = pfns + count; p != end; p++)
        if (*p - first >= pages) return Error::OutOfRange;
    return {};
}

// Mints pfns[0..count) as order-0 R+W Frame capabilities, children of
// `mem`, into the (checked and grown) run from `first`.
void mint_run(Thread* t, Cap* mem, const uint64_t* pfns, uint64_t count, uint64_t first) {
    t->task->space.for_each_run(first, count, [mem, pfns](Cap* run, uint64_t i, uint64_t n) {
        caps::install_frame_run(run, pfns + i, n, abi::RIGHT_READ | abi::RIGHT_WRITE, mem);
    });
}

}  // namespace

// One kernel call for a batch of order-0 frames the pager grants (its
// AllocBatch). Everything is checked first; a failure while mapping (a
// page mapped already, kernel pool exhausted) maps nothing, and the
// capabilities minted for it are removed.
SYSCALL_HANDLER(memory_mint_map) {
    uint64_t va = t->ctx.arg(2), array = t->ctx.arg(3), count = t->ctx.arg(4), first = t->ctx.arg(5);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    auto task = task_arg(t, t->ctx.arg(1));
    if (!task.ok()) return ret(t, task.error());
    if (count == 0 || count > abi::MINT_MAP_MAX) return ret(t, Error::InvalidArgument);
    if (Status s = vm::user_range(va, count * PAGE_SIZE, vm::PageAligned::Yes); !s.ok()) return ret(t, s);
    if (Status s = dst_run_ok(t, first, count); !s.ok()) return ret(t, s);
    uint64_t pfns[abi::MINT_MAP_MAX];
    if (Status s = read_pfns(t, *mem, array, count, pfns); !s.ok()) return ret(t, s);
    if (Status s = dst_run_grow(t, first, count); !s.ok()) return ret(t, s);
    mint_run(t, *mem, pfns, count, first);
    // A page mapped already (Busy) or no memory for a table: nothing was
    // mapped, and the capabilities just minted are removed.
    const CapSpace& space = t->task->space;
    Status s =
        vm::map_fresh_run(*task, space, first, pfns, count, VirtAddr(va), abi::RIGHT_READ | abi::RIGHT_WRITE);
    if (!s.ok()) {
        for (uint64_t i = 0; i < count; i++) caps::remove(space.at(first + i));
        return ret(t, s);
    }
    ret(t, Error::None);
}

// MemoryMintMap without the mapping: the pager mints frames ahead of the
// requests they will answer. All checked, and the run's leaves made,
// first; nothing can fail after.
SYSCALL_HANDLER(memory_mint_frames) {
    uint64_t array = t->ctx.arg(1), count = t->ctx.arg(2), first = t->ctx.arg(3);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    if (count == 0 || count > abi::MINT_MAP_MAX) return ret(t, Error::InvalidArgument);
    if (Status s = dst_run_ok(t, first, count); !s.ok()) return ret(t, s);
    uint64_t pfns[abi::MINT_MAP_MAX];
    if (Status s = read_pfns(t, *mem, array, count, pfns); !s.ok()) return ret(t, s);
    if (Status s = dst_run_grow(t, first, count); !s.ok()) return ret(t, s);
    mint_run(t, *mem, pfns, count, first);
    ret(t, Error::None);
}

SYSCALL_HANDLER(memory_info) {
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, 0);
    if (!mem.ok()) return ret(t, mem.error());
    ret(t, Error::None, (*mem)->memory_first(), (*mem)->memory_pages());
}

}  // namespace syscall
