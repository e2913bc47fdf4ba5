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
#include "sv39.h"

namespace riscv::sv39 {

struct TableMemory {
    // A zeroed, 4 KiB-aligned frame for a new table, or Error::NoMemory.
    Result<PhysAddr> (*alloc)(void* ctx);
    // The table frame at `pa`, as something the code can write.
    Pte* (*access)(void* ctx, PhysAddr pa);
    void* ctx;
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

    // Calls fn(ctx, leaf) for every leaf in address order.
    void for_each_leaf(void (*fn)(void* ctx, const Leaf& leaf), void* ctx) const;

private:
    // The PTE slot for `va` at `level`, creating tables on the way.
    Result<Pte*> walk_create(VirtAddr va, unsigned level);
    bool range_free(VirtAddr va, uint64_t size) const;
    void visit(PhysAddr table, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&), void* ctx) const;

    PhysAddr root_;
    TableMemory mem_;
};

}  // namespace riscv::sv39
