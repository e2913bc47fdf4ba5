// The out-of-line half of the Sv39 walker (walk.h: making missing tables)
// and the page-table builder's range operations on it (pagetable.h).
#include "arch/riscv/pagetable.h"

#include "arch/riscv/walk.h"

namespace riscv::sv39 {

// ---- the walker: making the tables a walk finds missing ------------------

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

// ---- the range operations --------------------------------------------------

namespace {

constexpr uint64_t sign_extend(uint64_t va) {
    return (va & (uint64_t(1) << 38)) ? (va | ~((uint64_t(1) << 39) - 1)) : va;
}

unsigned max_level(LeafSizes s) {
    switch (s) {
        case LeafSizes::Only4K:
            return 0;
        case LeafSizes::UpTo2M:
            return 1;
        case LeafSizes::UpTo1G:
            return 2;
    }
    return 0;
}

// The bytes from va to the end of what a table entry at `level` covers.
uint64_t rest_of(VirtAddr va, unsigned level) {
    const uint64_t span = level_size(level);
    return span - (va.raw() & (span - 1));
}

}  // namespace

template <typename Fn>
Status PageTable::each_leaf(VirtAddr va, uint64_t size, Fn fn) const {
    for (uint64_t off = 0; off < size;) {
        const VirtAddr cur = va + off;
        const Slot leaf = TRY(walker_.leaf(cur));
        fn(leaf);
        off += rest_of(cur, leaf.level);
    }
    return {};
}

bool PageTable::range_free(VirtAddr va, uint64_t size) const {
    // Step by the size of whatever is (or is not) there, so a large hole is
    // checked in one step.
    for (uint64_t off = 0; off < size;) {
        const VirtAddr cur = va + off;
        const Slot s = walker_.descend(cur, 0);
        if (s.pte->is_leaf()) return false;
        off += rest_of(cur, s.level);
    }
    return true;
}

Status PageTable::map(VirtAddr va, PhysAddr pa, uint64_t size, uint64_t perms, LeafSizes sizes) {
    if (size == 0 || !is_aligned(va.raw() | pa.raw() | size, PAGE_SIZE)) return Error::BadAlignment;
    uint64_t last = va.raw() + size - 1;
    if (last < va.raw() || !is_canonical(va) || !is_canonical(VirtAddr(last)) ||
        (sign_extend(va.raw()) >> 38) != (sign_extend(last) >> 38))
        return Error::InvalidArgument;
    if ((perms & (Pte::Read | Pte::Exec)) == 0 || ((perms & Pte::Write) && !(perms & Pte::Read)))
        return Error::InvalidArgument;
    if (size == PAGE_SIZE) {
        // One 4 KiB leaf (the common case): a single walk.
        Pte* slot = TRY(walker_.make_entry(va, 0));
        if (slot->valid()) return Error::Busy;
        *slot = Pte::leaf(pa, perms);
        return {};
    }
    if (!range_free(va, size)) return Error::Busy;

    // The level of the largest leaf that fits at `off` where no table is:
    // a table that earlier, smaller mappings left (empty: range_free saw
    // no leaf) stays and takes smaller leaves. A leaf written over its
    // entry would lose it, and every table below it, for good.
    const auto table_at = [&](uint64_t off, unsigned level) {
        const Slot s = walker_.descend(va + off, level);
        return s.level == level && s.pte->is_table();
    };
    const auto leaf_level = [&](uint64_t off) {
        unsigned level = max_level(sizes);
        while (level > 0 && !(is_aligned((va + off).raw() | (pa + off).raw(), level_size(level)) &&
                              size - off >= level_size(level) && !table_at(off, level)))
            level--;
        return level;
    };
    // First the tables every leaf needs, then the leaves, so that running
    // out of table frames leaves no page of the range mapped.
    for (uint64_t off = 0; off < size;) {
        const unsigned level = leaf_level(off);
        const Result<Pte*> slot = walker_.make_entry(va + off, level);
        if (!slot.ok()) return slot.error();
        off += level_size(level);
    }
    for (uint64_t off = 0; off < size;) {
        const unsigned level = leaf_level(off);
        *walker_.descend(va + off, level).pte = Pte::leaf(pa + off, perms);
        off += level_size(level);
    }
    return {};
}

Result<Leaf> PageTable::lookup(VirtAddr va) const {
    if (!is_canonical(va)) return Error::NotFound;
    const Slot leaf = TRY(walker_.leaf(va));
    const uint64_t size = level_size(leaf.level);
    return Leaf{VirtAddr(align_down(va.raw(), size)), leaf.pte->phys(), size, *leaf.pte};
}

Result<size_t> PageTable::unmap(VirtAddr va, uint64_t size) {
    if (size == 0 || !is_aligned(va.raw() | size, PAGE_SIZE)) return Error::BadAlignment;
    // First pass: every leaf met must lie inside the range. The leaves
    // found are remembered, so small ranges are walked once.
    constexpr size_t REMEMBER = 16;
    Pte* found[REMEMBER];
    size_t n = 0;
    for (uint64_t off = 0; off < size;) {
        const VirtAddr cur = va + off;
        const Slot s = walker_.descend(cur, 0);
        if (s.pte->is_leaf()) {
            if (!is_aligned(cur.raw(), level_size(s.level)) || size - off < level_size(s.level))
                return Error::BadAlignment;
            if (n < REMEMBER) found[n] = s.pte;
            n++;
        }
        off += rest_of(cur, s.level);
    }
    if (n <= REMEMBER) {
        for (size_t i = 0; i < n; i++) *found[i] = Pte{};
        return n;
    }
    for (uint64_t off = 0; off < size;) {
        const VirtAddr cur = va + off;
        const Slot s = walker_.descend(cur, 0);
        if (s.pte->is_leaf()) *s.pte = Pte{};
        off += rest_of(cur, s.level);
    }
    return n;
}

Status PageTable::protect(VirtAddr va, uint64_t size, uint64_t perms) {
    if (size == 0 || !is_aligned(va.raw() | size, PAGE_SIZE)) return Error::BadAlignment;
    if ((perms & (Pte::Read | Pte::Exec)) == 0 || ((perms & Pte::Write) && !(perms & Pte::Read)))
        return Error::InvalidArgument;
    // Every page must be mapped before any leaf changes.
    TRY_STATUS(each_leaf(va, size, [](Slot) {}));
    constexpr uint64_t PERM_MASK = Pte::Read | Pte::Write | Pte::Exec | Pte::User | Pte::Global;
    return each_leaf(va, size,
                     [&](Slot leaf) { leaf.pte->raw = (leaf.pte->raw & ~PERM_MASK) | (perms & PERM_MASK); });
}

Status PageTable::read_clear_ad(VirtAddr va, uint64_t size, bool* accessed, bool* dirty) {
    *accessed = *dirty = false;
    TRY_STATUS(each_leaf(va, size, [](Slot) {}));
    return each_leaf(va, size, [&](Slot leaf) {
        *accessed = *accessed || leaf.pte->accessed();
        *dirty = *dirty || leaf.pte->dirty();
        leaf.pte->raw &= ~(Pte::A::mask | Pte::D::mask);
    });
}

void PageTable::free_subtree(PhysAddr table_pa, unsigned level, void (*free_table)(void*, PhysAddr),
                             void* ctx) {
    Pte* table = walker_.memory().table(table_pa);
    if (level > 0) {
        for (unsigned i = 0; i < PTES_PER_TABLE; i++)
            if (table[i].is_table()) free_subtree(table[i].phys(), level - 1, free_table, ctx);
    }
    free_table(ctx, table_pa);
}

void PageTable::free_tables_below(VirtAddr limit, void (*free_table)(void* ctx, PhysAddr), void* ctx) {
    Pte* root = walker_.memory().table(walker_.root());
    unsigned end = unsigned((limit.raw() + level_size(ROOT_LEVEL) - 1) / level_size(ROOT_LEVEL));
    for (unsigned i = 0; i < end && i < PTES_PER_TABLE / 2; i++) {
        if (root[i].is_table()) free_subtree(root[i].phys(), ROOT_LEVEL - 1, free_table, ctx);
        root[i] = Pte{};
    }
}

void PageTable::visit(PhysAddr table_pa, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&),
                      void* ctx) const {
    const Pte* table = walker_.memory().table(table_pa);
    for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
        const Pte& e = table[i];
        if (!e.valid()) continue;
        uint64_t va = va_base + uint64_t(i) * level_size(level);
        if (e.is_leaf())
            fn(ctx, Leaf{VirtAddr(sign_extend(va)), e.phys(), level_size(level), e});
        else if (level > 0)
            visit(e.phys(), level - 1, va, fn, ctx);
    }
}

void PageTable::for_each_leaf(void (*fn)(void* ctx, const Leaf& leaf), void* ctx) const {
    visit(walker_.root(), ROOT_LEVEL, 0, fn, ctx);
}

}  // namespace riscv::sv39
