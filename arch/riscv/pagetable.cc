#include "arch/riscv/pagetable.h"

namespace riscv::sv39 {

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

}  // namespace

Result<Pte*> PageTable::walk_create(VirtAddr va, unsigned level) {
    Pte* table = mem_.table(root_);
    for (unsigned l = LEVELS - 1; l > level; l--) {
        Pte& e = table[vpn(va, l)];
        if (e.is_leaf()) return Error::Busy;
        if (!e.valid()) {
            PhysAddr next = TRY(mem_.alloc(mem_.ctx));
            e = Pte::table(next);
        }
        table = mem_.table(e.phys());
    }
    return &table[vpn(va, level)];
}

bool PageTable::range_free(VirtAddr va, uint64_t size) const {
    // Step by the size of whatever is (or is not) there, so a large hole is
    // checked in one step.
    uint64_t off = 0;
    while (off < size) {
        VirtAddr cur = va + off;
        const Pte* table = mem_.table(root_);
        uint64_t step = level_size(0);
        for (int l = LEVELS - 1; l >= 0; l--) {
            const Pte& e = table[vpn(cur, unsigned(l))];
            if (!e.valid()) {
                step = level_size(unsigned(l)) - (cur.raw() & (level_size(unsigned(l)) - 1));
                break;
            }
            if (e.is_leaf()) return false;
            table = mem_.table(e.phys());
        }
        off += step;
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
        // One 4 KiB leaf (the common case): a single walk. Tables created on
        // the way stay even if the slot turns out to be taken; they map nothing.
        Pte* slot = TRY(walk_create(va, 0));
        if (slot->valid()) return Error::Busy;
        *slot = Pte::leaf(pa, perms);
        return {};
    }
    if (!range_free(va, size)) return Error::Busy;

    uint64_t off = 0;
    while (off < size) {
        VirtAddr v = va + off;
        PhysAddr p = pa + off;
        unsigned level = max_level(sizes);
        while (level > 0 &&
               !(is_aligned(v.raw() | p.raw(), level_size(level)) && size - off >= level_size(level)))
            level--;
        Pte* slot = TRY(walk_create(v, level));
        *slot = Pte::leaf(p, perms);
        off += level_size(level);
    }
    return {};
}

Result<Leaf> PageTable::lookup(VirtAddr va) const {
    if (!is_canonical(va)) return Error::NotFound;
    const Pte* table = mem_.table(root_);
    for (int l = LEVELS - 1; l >= 0; l--) {
        const Pte& e = table[vpn(va, unsigned(l))];
        if (!e.valid()) return Error::NotFound;
        if (e.is_leaf()) {
            uint64_t sz = level_size(unsigned(l));
            return Leaf{VirtAddr(align_down(va.raw(), sz)), e.phys(), sz, e};
        }
        table = mem_.table(e.phys());
    }
    return Error::NotFound;
}

Pte* PageTable::find_leaf(VirtAddr va, unsigned* level) const {
    Pte* table = mem_.table(root_);
    for (int l = LEVELS - 1; l >= 0; l--) {
        Pte& e = table[vpn(va, unsigned(l))];
        if (!e.valid()) return nullptr;
        if (e.is_leaf()) {
            *level = unsigned(l);
            return &e;
        }
        table = mem_.table(e.phys());
    }
    return nullptr;
}

Result<size_t> PageTable::unmap(VirtAddr va, uint64_t size) {
    if (size == 0 || !is_aligned(va.raw() | size, PAGE_SIZE)) return Error::BadAlignment;
    // First pass: every leaf met must lie inside the range. The leaves
    // found are remembered, so small ranges are walked once.
    constexpr size_t REMEMBER = 16;
    Pte* found[REMEMBER];
    size_t n = 0;
    for (uint64_t off = 0; off < size;) {
        unsigned level = 0;
        VirtAddr cur = va + off;
        Pte* e = find_leaf(cur, &level);
        if (!e) {
            off += PAGE_SIZE;
            continue;
        }
        uint64_t ls = level_size(level);
        if (!is_aligned(cur.raw(), ls) || size - off < ls) return Error::BadAlignment;
        if (n < REMEMBER) found[n] = e;
        n++;
        off += ls;
    }
    if (n <= REMEMBER) {
        for (size_t i = 0; i < n; i++) *found[i] = Pte{};
        return n;
    }
    for (uint64_t off = 0; off < size;) {
        unsigned level = 0;
        Pte* e = find_leaf(va + off, &level);
        if (!e) {
            off += PAGE_SIZE;
            continue;
        }
        *e = Pte{};
        off += level_size(level);
    }
    return n;
}

Status PageTable::protect(VirtAddr va, uint64_t size, uint64_t perms) {
    if (size == 0 || !is_aligned(va.raw() | size, PAGE_SIZE)) return Error::BadAlignment;
    if ((perms & (Pte::Read | Pte::Exec)) == 0 || ((perms & Pte::Write) && !(perms & Pte::Read)))
        return Error::InvalidArgument;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        unsigned level = 0;
        if (!find_leaf(va + off, &level)) return Error::NotFound;
    }
    constexpr uint64_t PERM_MASK = Pte::Read | Pte::Write | Pte::Exec | Pte::User | Pte::Global;
    for (uint64_t off = 0; off < size;) {
        unsigned level = 0;
        Pte* e = find_leaf(va + off, &level);
        e->raw = (e->raw & ~PERM_MASK) | (perms & PERM_MASK);
        off += level_size(level) - ((va.raw() + off) & (level_size(level) - 1));
    }
    return {};
}

Status PageTable::read_clear_ad(VirtAddr va, uint64_t size, bool* accessed, bool* dirty) {
    *accessed = *dirty = false;
    for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
        unsigned level = 0;
        if (!find_leaf(va + off, &level)) return Error::NotFound;
    }
    for (uint64_t off = 0; off < size;) {
        unsigned level = 0;
        Pte* e = find_leaf(va + off, &level);
        *accessed = *accessed || e->accessed();
        *dirty = *dirty || e->dirty();
        e->raw &= ~(Pte::A::mask | Pte::D::mask);
        off += level_size(level) - ((va.raw() + off) & (level_size(level) - 1));
    }
    return {};
}

void PageTable::free_subtree(PhysAddr table_pa, unsigned level, void (*free_table)(void*, PhysAddr),
                             void* ctx) {
    Pte* table = mem_.table(table_pa);
    if (level > 0) {
        for (unsigned i = 0; i < PTES_PER_TABLE; i++)
            if (table[i].is_table()) free_subtree(table[i].phys(), level - 1, free_table, ctx);
    }
    free_table(ctx, table_pa);
}

void PageTable::free_tables_below(VirtAddr limit, void (*free_table)(void* ctx, PhysAddr), void* ctx) {
    Pte* root = mem_.table(root_);
    unsigned end = unsigned((limit.raw() + level_size(LEVELS - 1) - 1) / level_size(LEVELS - 1));
    for (unsigned i = 0; i < end && i < PTES_PER_TABLE / 2; i++) {
        if (root[i].is_table()) free_subtree(root[i].phys(), LEVELS - 2, free_table, ctx);
        root[i] = Pte{};
    }
}

void PageTable::visit(PhysAddr table_pa, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&),
                      void* ctx) const {
    const Pte* table = mem_.table(table_pa);
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
    visit(root_, LEVELS - 1, 0, fn, ctx);
}

}  // namespace riscv::sv39
