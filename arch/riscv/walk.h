// The Sv39 page-table walker (priv spec 4.3.2 "Virtual Address
// Translation Process", steps 2 to 4): from the root table towards a
// virtual address, one level at a time. Every operation on page tables
// goes through it: the table builder (pagetable.h), the kernel's own
// tables (paging.cc), user address spaces (user_paging.cc) and the
// lookups behind `hold` and the on-target tests.
//
// Pure: the caller says where table frames are and where new ones come
// from (TableMemory), so host tests run it over a fake physical memory.
// The walk is inline and unrolled: it is on the paths that map user
// pages; making missing tables is not (pagetable.cc).
#pragma once

#include <stdint.h>

#include "arch/riscv/sv39.h"
#include "base/addr.h"
#include "base/result.h"

namespace riscv::sv39 {

// How a walk reaches table frames, and gets and gives back new ones.
struct TableMemory {
    // The table frame at physical address pa is at virtual pa + offset
    // (the kernel's direct map).
    uintptr_t offset = 0;
    // A zeroed, 4 KiB-aligned frame for a new table, or Error::NoMemory.
    // nullptr: no table may be made.
    Result<PhysAddr> (*alloc)(void* ctx) = nullptr;
    // Takes back a frame alloc() gave when the walk that asked for it
    // could not finish. nullptr: such frames are kept (at boot, where
    // running out of memory is fatal).
    void (*free)(void* ctx, PhysAddr frame) = nullptr;
    void* ctx = nullptr;

    Pte* table(PhysAddr pa) const { return reinterpret_cast<Pte*>(pa.raw() + offset); }
};

// An entry a walk reached, and the level of the table it is in
// (0: the last level, whose leaves map 4 KiB; ROOT_LEVEL: the root).
struct Slot {
    Pte* pte;
    unsigned level;
};

// Walks of the tables below one root. Bits 63:39 of a virtual address are
// not looked at: callers check that addresses are canonical (or user).
class Walker {
public:
    Walker(PhysAddr root, const TableMemory& mem) : root_(root), mem_(mem) {}
    PhysAddr root() const { return root_; }
    const TableMemory& memory() const { return mem_; }

    // Follows the tables from the root towards `va` and stops at va's
    // entry in the table at `level` (< LEVELS), or above it at the first
    // entry that is not a table: an invalid one (nothing maps va) or a
    // leaf (a page of level_size(slot.level) maps it). Cannot fail.
    Slot descend(VirtAddr va, unsigned level) const {
        Pte* table = mem_.table(root_);
        // LEVELS - 1 steps at most: straight-line code, as a walk written
        // out by hand would be.
#pragma GCC unroll 2
        for (unsigned l = ROOT_LEVEL; l > level; l--) {
            Pte* e = &table[vpn(va, l)];
            if (!e->is_table()) return Slot{e, l};
            table = mem_.table(e->phys());
        }
        return Slot{&table[vpn(va, level)], level};
    }

    // The leaf that maps `va`, of whatever size. Errors: NotFound.
    Result<Slot> leaf(VirtAddr va) const {
        const Slot s = descend(va, 0);
        if (!s.pte->is_leaf()) return Error::NotFound;
        return s;
    }

    // va's entry in the table at `level`, valid or not, when every table
    // above that one exists.
    // Errors: InvalidArgument  no such level
    //         NotFound         a table above `level` is missing
    //         Busy             a leaf above `level` maps va
    Result<Pte*> entry(VirtAddr va, unsigned level) const {
        if (level >= LEVELS) return Error::InvalidArgument;
        const Slot s = descend(va, level);
        if (s.level == level) return s.pte;
        return s.pte->valid() ? Error::Busy : Error::NotFound;
    }

    // The same, making the missing tables with the TableMemory's alloc().
    // Errors: InvalidArgument, Busy  as entry()
    //         NoMemory  a table frame could not be had (or alloc is
    //                   nullptr); the frames this call got are given back
    //                   and no entry has changed
    Result<Pte*> make_entry(VirtAddr va, unsigned level) const {
        if (level >= LEVELS) return Error::InvalidArgument;
        const Slot s = descend(va, level);
        if (s.level == level) [[likely]]
            return s.pte;
        return make_tables(s, va, level);
    }

private:
    // make_entry() where the walk stopped at `stop`, above `level`.
    Result<Pte*> make_tables(Slot stop, VirtAddr va, unsigned level) const;

    PhysAddr root_;
    TableMemory mem_;
};

}  // namespace riscv::sv39
