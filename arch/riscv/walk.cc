#include "arch/riscv/walk.h"

namespace riscv::sv39 {

Result<Pte*> Walker::make_tables(Slot stop, VirtAddr va, unsigned level) const {
    if (stop.pte->is_leaf()) return Error::Busy;
    if (!mem_.alloc) return Error::NoMemory;
    // stop.pte is invalid: the tables of levels stop.level - 1 down to
    // `level` are missing. All of them are had first, so that a failure
    // leaves the tree as it was.
    PhysAddr made[LEVELS - 1];
    const unsigned n = stop.level - level;
    for (unsigned i = 0; i < n; i++) {
        Result<PhysAddr> frame = mem_.alloc(mem_.ctx);
        if (!frame.ok()) {
            if (mem_.free)
                for (unsigned k = 0; k < i; k++) mem_.free(mem_.ctx, made[k]);
            return frame.error();
        }
        made[i] = *frame;
    }
    // made[i] is the table at level stop.level - 1 - i. The chain is linked
    // below its top first, so the tree only ever sees it whole.
    for (unsigned i = n - 1; i > 0; i--)
        mem_.table(made[i - 1])[vpn(va, stop.level - i)] = Pte::table(made[i]);
    *stop.pte = Pte::table(made[0]);
    return &mem_.table(made[n - 1])[vpn(va, level)];
}

}  // namespace riscv::sv39
