// Fuzzes memblock with operation sequences decoded from the input and
// checks the list invariants after every step: sorted, non-empty,
// disjoint, same-node neighbours merged, totals consistent, and an
// allocation inside free memory.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bootmem/memblock.h"

namespace {

struct Reader {
    const uint8_t* p;
    size_t n;
    uint64_t take(unsigned bytes) {
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; i++) {
            v = (v << 8) | (n ? *p : 0);
            if (n) p++, n--;
        }
        return v;
    }
};

void check(const mm::MemblockType& t, bool merge_any) {
    uint64_t total = 0;
    for (size_t i = 0; i < t.count(); i++) {
        const mm::MemblockRegion& r = t[i];
        if (r.size == 0 || r.end() < r.base) abort();
        if (i) {
            const mm::MemblockRegion& prev = t[i - 1];
            if (r.base < prev.end()) abort();
            if (r.base == prev.end() && (merge_any || r.nid == prev.nid)) abort();
        }
        total += r.size;
    }
    if (total != t.total_size()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static mm::Memblock mb;
    mb = mm::Memblock{};
    Reader in{data, size};
    while (in.n) {
        unsigned op = unsigned(in.take(1));
        // Addresses in a 1 MiB window at 2 GiB, with 256-byte granules,
        // so operations collide often; sometimes near the top of the
        // address space to exercise wrap checks.
        uint64_t base = (op & 0x80) ? ~uint64_t(0) - in.take(2) : 0x80000000 + in.take(2) * 16;
        uint64_t len = in.take(2) * 16;
        PhysRange r{PhysAddr(base), len};
        switch (op % 6) {
            case 0:
                (void)mb.add(r, unsigned(in.take(1)) % (mm::MAX_NUMNODES + 1));
                break;
            case 1:
                (void)mb.remove(r);
                break;
            case 2:
                (void)mb.reserve(r);
                break;
            case 3:
                (void)mb.free(r);
                break;
            case 4: {
                uint64_t align = uint64_t(1) << (in.take(1) % 24);
                unsigned nid = unsigned(in.take(1)) % 10;
                if (nid == 9) nid = mm::NUMA_NO_NODE;
                Result<PhysAddr> a = mb.alloc(len ? len : 1, align, nid);
                if (a.ok()) {
                    if (a->raw() % align) abort();
                    if (!mb.is_region_memory(PhysRange{*a, len ? len : 1})) abort();
                    if (!mb.is_region_reserved(PhysRange{*a, len ? len : 1})) abort();
                }
                break;
            }
            case 5:
                mb.set_direction(op & 0x40 ? mm::AllocDirection::BottomUp : mm::AllocDirection::TopDown);
                mb.set_current_limit(PhysAddr(0x80000000 + in.take(3) * 16));
                break;
        }
        check(mb.memory(), false);
        check(mb.reserved(), true);
        if (mb.reserved_in_memory() > mb.reserved().total_size()) abort();
        uint64_t free_bytes = 0;
        mm::RangeDiffWalk w = mb.free_ranges();
        mm::MemRange fr;
        while (w.next(fr)) {
            if (mb.is_region_reserved(fr.range) || !mb.is_region_memory(fr.range)) abort();
            free_bytes += fr.range.size;
        }
        if (free_bytes + mb.reserved_in_memory() != mb.phys_mem_size()) abort();
    }
    return 0;
}
