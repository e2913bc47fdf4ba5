#include "runtime/frames.h"

#include <utility>

#include "runtime/syscall.h"

namespace {
constinit FrameAllocator g_frames;
}

FrameAllocator& frames() { return g_frames; }

void FrameAllocator::init(const abi::BootInfo& boot) {
    nr_ranges_ = 0;
    uint32_t n = boot.nr_memory < abi::BOOT_MAX_MEMORY ? boot.nr_memory : abi::BOOT_MAX_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        const abi::BootMemory& m = boot.memory[i];
        if (m.pages == 0) continue;
        ranges_[nr_ranges_++] = Range{m.slot, m.node, m.first_pfn, m.first_pfn + m.pages, m.first_pfn};
    }
}

Result<Frame> FrameAllocator::alloc(Order order, uint64_t rights, int node) {
    if (order.raw() > abi::FRAME_ORDER_MAX) return Error::InvalidArgument;
    const uint64_t pages = order.pages();
    for (unsigned i = 0; i < nr_ranges_; i++) {
        Range& r = ranges_[i];
        if (node >= 0 && r.node != uint32_t(node)) continue;
        uint64_t pfn = align_up(r.next_pfn, pages);
        if (pfn < r.next_pfn || pfn + pages > r.end_pfn) continue;
        CapSlot cap = TRY(CapSlot::alloc());
        Status s = sys::memory_mint_frame(r.slot, pfn, order.raw(), rights, cap.slot());
        if (!s.ok()) {
            slots().free(cap.release());  // nothing was minted into it
            return s.error();
        }
        r.next_pfn = pfn + pages;
        return Frame{std::move(cap), Pfn(pfn), order};
    }
    return Error::NoMemory;
}

Result<Pfn> FrameAllocator::take_tail(unsigned index, uint64_t pages) {
    if (index >= nr_ranges_) return Error::OutOfRange;
    Range& r = ranges_[index];
    if (r.end_pfn - r.next_pfn < pages) return Error::NoMemory;
    r.end_pfn -= pages;
    return Pfn(r.end_pfn);
}
