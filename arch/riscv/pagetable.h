// Operations on ranges of an Sv39 address space (priv spec 4.4): map
// with the largest leaves that fit, unmap, protect, read and clear A/D,
// list, free. Each goes through the walker (walk.h) for every address it
// touches.
//
// Pure, as the walker: the same code builds the kernel's tables at boot
// (frames from memblock, reached through the direct map), runs user
// address spaces, and runs in host tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/riscv/sv39.h"
#include "arch/riscv/walk.h"
#include "base/addr.h"
#include "base/result.h"

namespace riscv::sv39 {

// Which leaf sizes map() may use.
enum class LeafSizes : uint8_t { Only4K, UpTo2M, UpTo1G };

struct Leaf {
    VirtAddr va;
    PhysAddr pa;
    uint64_t size;
    Pte pte;
};

class PageTable {
public:
    PageTable(PhysAddr root, const TableMemory& mem) : walker_(root, mem) {}
    PhysAddr root() const { return walker_.root(); }

    // Maps [va, va+size) to [pa, pa+size) with `perms` (Pte::Read|...),
    // using the largest leaf that alignment allows at each step, and that
    // no table already there (left empty by earlier mappings) stands in
    // the way of: those stay, holding smaller leaves.
    // Errors (nothing is changed on the first three):
    //   BadAlignment    va, pa or size not 4 KiB aligned, or size 0
    //   InvalidArgument va range not canonical or wrapping, perms without R or X,
    //                   or W without R (reserved encoding)
    //   Busy            some page of the range is already mapped
    //   NoMemory        a table frame could not be had; no page of the range
    //                   is mapped (tables made on the way stay, empty)
    Status map(VirtAddr va, PhysAddr pa, uint64_t size, uint64_t perms, LeafSizes sizes = LeafSizes::UpTo1G);

    // The leaf mapping `va`, or Error::NotFound.
    Result<Leaf> lookup(VirtAddr va) const;

    // Removes every leaf inside [va, va+size) (4 KiB aligned). Leaves that
    // straddle the range's edges are an error (BadAlignment) and nothing is
    // removed. Returns the number of leaves removed (0 when none).
    Result<size_t> unmap(VirtAddr va, uint64_t size);

    // Replaces the permission bits of every leaf in [va, va+size).
    // Errors: NotFound if a page of the range is unmapped, InvalidArgument as map().
    Status protect(VirtAddr va, uint64_t size, uint64_t perms);

    // ORs together the accessed and dirty bits of the leaves in the range and
    // clears them. Errors: NotFound if a page of the range is unmapped.
    Status read_clear_ad(VirtAddr va, uint64_t size, bool* accessed, bool* dirty);

    // Frees every table below the root that maps part of [0, limit) with
    // free_table, leaving those root entries empty (for tearing down a user
    // address space; the shared kernel half is untouched).
    void free_tables_below(VirtAddr limit, void (*free_table)(void* ctx, PhysAddr), void* ctx);

    // Calls fn(ctx, leaf) for every leaf in address order.
    void for_each_leaf(void (*fn)(void* ctx, const Leaf& leaf), void* ctx) const;

private:
    bool range_free(VirtAddr va, uint64_t size) const;
    // Calls fn(slot) for each leaf of [va, va+size) in address order.
    // Errors: NotFound at the first page no leaf maps (the leaves before it
    // have been passed to fn).
    template <typename Fn>
    Status each_leaf(VirtAddr va, uint64_t size, Fn fn) const;
    void free_subtree(PhysAddr table, unsigned level, void (*free_table)(void*, PhysAddr), void* ctx);
    void visit(PhysAddr table, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&),
               void* ctx) const;

    Walker walker_;
};

}  // namespace riscv::sv39
