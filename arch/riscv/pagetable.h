// Building and walking Sv39 page tables (priv spec 4.3.2, 4.4).
//
// Pure: the caller says how to get a new zeroed table frame and how to
// reach a table frame by its physical address, so the same code builds the
// kernel's tables at boot (frames from memblock, reached through the direct
// map) and runs in host tests (frames from the host heap).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "arch/riscv/sv39.h"

namespace riscv::sv39 {

struct TableMemory {
    // A zeroed, 4 KiB-aligned frame for a new table, or Error::NoMemory.
    Result<PhysAddr> (*alloc)(void* ctx);
    // The table frame at `pa`, as something the code can write. When
    // `access` is nullptr, frames are reached at pa + `offset` (a direct
    // map), without a call per level.
    Pte* (*access)(void* ctx, PhysAddr pa);
    void* ctx;
    uintptr_t offset = 0;

    Pte* table(PhysAddr pa) const {
        return access ? access(ctx, pa) : reinterpret_cast<Pte*>(pa.raw() + offset);
    }
};

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
    PageTable(PhysAddr root, TableMemory mem) : root_(root), mem_(mem) {}
    PhysAddr root() const { return root_; }

    // Maps [va, va+size) to [pa, pa+size) with `perms` (Pte::Read|...),
    // using the largest leaf that alignment allows at each step.
    // Errors (nothing is changed on the first three):
    //   BadAlignment    va, pa or size not 4 KiB aligned, or size 0
    //   InvalidArgument va range not canonical or wrapping, perms without R or X,
    //                   or W without R (reserved encoding)
    //   Busy            some page of the range is already mapped
    //   NoMemory        a table frame could not be allocated (the part mapped
    //                   so far stays mapped; callers at boot treat it as fatal)
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
    // The PTE slot for `va` at `level`, creating tables on the way.
    Result<Pte*> walk_create(VirtAddr va, unsigned level);
    bool range_free(VirtAddr va, uint64_t size) const;
    // The PTE slot of the leaf mapping `va` (nullptr if none) and its level.
    Pte* find_leaf(VirtAddr va, unsigned* level) const;
    void free_subtree(PhysAddr table, unsigned level, void (*free_table)(void*, PhysAddr), void* ctx);
    void visit(PhysAddr table, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&),
               void* ctx) const;

    PhysAddr root_;
    TableMemory mem_;
};

}  // namespace riscv::sv39
