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

// Where MemoryMintMap and MemoryMintFrames put what they mint: frame p of
// the Memory capability `mem` goes into slot window + (p - first pfn) of
// the caller, a frame table laid over the range with one slot per frame
// (the pager keeps its grants so: pager/grants.cc). The window must lie
// inside the space. Errors: InvalidCap (slot 0, or reaching
// abi::MAX_CAP_SLOTS).
Status window_ok(const Cap* mem, uint64_t window) {
    if (window == 0 || window >= abi::MAX_CAP_SLOTS || mem->memory_pages() > abi::MAX_CAP_SLOTS - window)
        return Error::InvalidCap;
    return {};
}

uint64_t window_slot(const Cap* mem, uint64_t window, uint64_t pfn) {
    return window + (pfn - mem->memory_first());
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

// Mints the frames pfns[0..count) of `mem` (read and checked) as order-0
// R+W Frame capabilities into their slots of the window, making the
// leaves those need; caps[i] is where pfns[i] went. All or nothing:
// errors Busy (a slot in use, or a frame named twice), OutOfSlots and
// NoMemory (room for the slots) leave no capability minted, while the
// leaves made stay, empty, as a space only grows.
Status mint_window(Thread* t, Cap* mem, const uint64_t* pfns, uint64_t count, uint64_t window, Cap** caps) {
    CapSpace& space = t->task->space;
    for (uint64_t i = 0; i < count; i++) {
        const uint64_t slot = window_slot(mem, window, pfns[i]);
        Cap* c = space.find(slot);
        Status s{};
        if (c->type == CAP_ABSENT) {  // no leaf there yet
            auto made = space.grow_to(t->task, slot);
            s = made.ok() ? Status{} : Status(made.error());
            c = made.ok() ? *made : nullptr;
        }
        if (s.ok() && !c->empty()) s = Error::Busy;
        if (!s.ok()) {
            for (uint64_t k = 0; k < i; k++) caps::remove(caps[k]);
            return s;
        }
        caps::install_frame(c, pfns[i], 0, abi::RIGHT_READ | abi::RIGHT_WRITE, mem);
        caps[i] = c;
    }
    return {};
}

}  // namespace

// One kernel call for a batch of order-0 frames the pager grants (its
// AllocBatch). Everything is checked first; a failure while mapping (a
// page mapped already, kernel pool exhausted) maps nothing, and the
// capabilities minted for it are removed.
SYSCALL_HANDLER(memory_mint_map) {
    uint64_t va = t->ctx.arg(2), array = t->ctx.arg(3), count = t->ctx.arg(4), window = t->ctx.arg(5);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    auto task = task_arg(t, t->ctx.arg(1));
    if (!task.ok()) return ret(t, task.error());
    if (count == 0 || count > abi::MINT_MAP_MAX) return ret(t, Error::InvalidArgument);
    if (Status s = vm::user_range(va, count * PAGE_SIZE, vm::PageAligned::Yes); !s.ok()) return ret(t, s);
    if (Status s = window_ok(*mem, window); !s.ok()) return ret(t, s);
    uint64_t pfns[abi::MINT_MAP_MAX];
    if (Status s = read_pfns(t, *mem, array, count, pfns); !s.ok()) return ret(t, s);
    Cap* minted[abi::MINT_MAP_MAX];
    if (Status s = mint_window(t, *mem, pfns, count, window, minted); !s.ok()) return ret(t, s);
    // A page mapped already (Busy) or no memory for a table: nothing was
    // mapped, and the capabilities just minted are removed.
    Status s = vm::map_fresh(*task, minted, pfns, count, VirtAddr(va), abi::RIGHT_READ | abi::RIGHT_WRITE);
    if (!s.ok()) {
        for (uint64_t i = 0; i < count; i++) caps::remove(minted[i]);
        return ret(t, s);
    }
    ret(t, Error::None);
}

// MemoryMintMap without the mapping: the pager mints frames ahead of the
// requests they will answer.
SYSCALL_HANDLER(memory_mint_frames) {
    uint64_t array = t->ctx.arg(1), count = t->ctx.arg(2), window = t->ctx.arg(3);
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, abi::RIGHT_WRITE);
    if (!mem.ok()) return ret(t, mem.error());
    if (count == 0 || count > abi::MINT_MAP_MAX) return ret(t, Error::InvalidArgument);
    if (Status s = window_ok(*mem, window); !s.ok()) return ret(t, s);
    uint64_t pfns[abi::MINT_MAP_MAX];
    if (Status s = read_pfns(t, *mem, array, count, pfns); !s.ok()) return ret(t, s);
    Cap* minted[abi::MINT_MAP_MAX];
    ret(t, mint_window(t, *mem, pfns, count, window, minted));
}

SYSCALL_HANDLER(memory_info) {
    auto mem = caps::lookup(t->task, t->ctx.arg(0), abi::CapType::Memory, 0);
    if (!mem.ok()) return ret(t, mem.error());
    ret(t, Error::None, (*mem)->memory_first(), (*mem)->memory_pages());
}

}  // namespace syscall
