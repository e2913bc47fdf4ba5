#include "kernel/lib/ksyms.h"

// Layout written by tools/gen_ksyms.py:
//   u64 count; then count x { u64 addr; u32 size; u32 name_offset; }
//   sorted by addr; then NUL-terminated names.
extern "C" const uint64_t ksyms_table[];
extern "C" const char __text_start[], __text_end[];

namespace ksyms {

namespace {
struct Entry {
    uint64_t addr;
    uint32_t size;
    uint32_t name_offset;
};
const Entry* entries() { return reinterpret_cast<const Entry*>(&ksyms_table[1]); }
const char* names() { return reinterpret_cast<const char*>(entries() + count()); }
}  // namespace

size_t count() { return size_t(ksyms_table[0]); }

Symbol lookup(uintptr_t addr) {
    // Only code has symbols here; data addresses must not borrow a name.
    if (addr < reinterpret_cast<uintptr_t>(__text_start) || addr >= reinterpret_cast<uintptr_t>(__text_end))
        return Symbol{nullptr, 0, 0};
    size_t lo = 0, hi = count();
    while (lo < hi) {  // first entry with start > addr
        size_t mid = lo + (hi - lo) / 2;
        if (entries()[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return Symbol{nullptr, 0, 0};
    const Entry& e = entries()[lo - 1];
    if (e.size != 0 && addr >= e.addr + e.size) return Symbol{nullptr, 0, 0};
    return Symbol{names() + e.name_offset, uintptr_t(e.addr), uintptr_t(addr - e.addr)};
}

}  // namespace ksyms
