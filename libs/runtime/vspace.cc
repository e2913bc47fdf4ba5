#include "runtime/vspace.h"

#include <utility>

#include "runtime/syscall.h"

namespace {

// Next candidate address in the LocalMap window; never reused.
constinit uint64_t g_next_local = LOCAL_MAP_BASE;

// How many occupied candidates to step over before giving up: the window
// only collides with what the kernel placed (stack, BootInfo, mem_map).
constexpr unsigned MAP_ATTEMPTS = 64;

}  // namespace

Result<LocalMap> LocalMap::map(unsigned frame_slot, Order order, uint64_t rights) {
    CapSlot copy = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(frame_slot, 0, copy.slot(), abi::RIGHTS_ALL));
    const uint64_t bytes = order.bytes();
    for (unsigned attempt = 0; attempt < MAP_ATTEMPTS; attempt++) {
        uint64_t va = align_up(g_next_local, bytes);
        if (va < g_next_local || va + bytes > LOCAL_MAP_END) return Error::NoMemory;
        g_next_local = va + bytes;
        Status s = sys::map(0, copy.slot(), va, rights);
        if (s.error() == Error::Busy) continue;  // someone else's page is there
        if (!s.ok()) return s.error();
        LocalMap m;
        m.copy_ = std::move(copy);
        m.addr_ = VirtAddr(va);
        m.bytes_ = bytes;
        return m;
    }
    return Error::NoMemory;
}

Result<SharedMemory> SharedMemory::create(Order order) {
    Frame frame = TRY(frames().alloc(order));
    LocalMap local = TRY(LocalMap::map(frame.slot(), order));
    zero_bytes(local.as<void>(), local.bytes());
    return SharedMemory{std::move(frame), std::move(local)};
}

void zero_bytes(void* dst, uint64_t n) {
    auto* d = static_cast<uint64_t*>(dst);
    for (uint64_t i = 0; i < n / 8; i++) d[i] = 0;
}

void copy_bytes(void* dst, const void* src, uint64_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    if (((reinterpret_cast<uintptr_t>(d) | reinterpret_cast<uintptr_t>(s) | n) & 7) == 0) {
        auto* dw = reinterpret_cast<uint64_t*>(d);
        auto* sw = reinterpret_cast<const uint64_t*>(s);
        for (uint64_t i = 0; i < n / 8; i++) dw[i] = sw[i];
        return;
    }
    for (uint64_t i = 0; i < n; i++) d[i] = s[i];
}
