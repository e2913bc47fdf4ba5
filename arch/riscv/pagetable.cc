#include "pagetable.h"

namespace riscv::sv39 {

namespace {

constexpr uint64_t sign_extend(uint64_t va) {
    return (va & (uint64_t(1) << 38)) ? (va | ~((uint64_t(1) << 39) - 1)) : va;
}

unsigned max_level(LeafSizes s) {
    switch (s) {
    case LeafSizes::Only4K: return 0;
    case LeafSizes::UpTo2M: return 1;
    case LeafSizes::UpTo1G: return 2;
    }
    return 0;
}

}  // namespace

Result<Pte*> PageTable::walk_create(VirtAddr va, unsigned level) {
    Pte* table = mem_.access(mem_.ctx, root_);
    for (unsigned l = LEVELS - 1; l > level; l--) {
        Pte& e = table[vpn(va, l)];
        if (e.is_leaf()) return Error::Busy;
        if (!e.valid()) {
            PhysAddr next = TRY(mem_.alloc(mem_.ctx));
            e = Pte::table(next);
        }
        table = mem_.access(mem_.ctx, e.phys());
    }
    return &table[vpn(va, level)];
}

bool PageTable::range_free(VirtAddr va, uint64_t size) const {
    // Step by the size of whatever is (or is not) there, so a large hole is
    // checked in one step.
    uint64_t off = 0;
    while (off < size) {
        VirtAddr cur = va + off;
        const Pte* table = mem_.access(mem_.ctx, root_);
        uint64_t step = level_size(0);
        for (int l = LEVELS - 1; l >= 0; l--) {
            const Pte& e = table[vpn(cur, unsigned(l))];
            if (!e.valid()) {
                step = level_size(unsigned(l)) - (cur.raw() & (level_size(unsigned(l)) - 1));
                break;
            }
            if (e.is_leaf()) return false;
            table = mem_.access(mem_.ctx, e.phys());
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
    if (!range_free(va, size)) return Error::Busy;

    uint64_t off = 0;
    while (off < size) {
        VirtAddr v = va + off;
        PhysAddr p = pa + off;
        unsigned level = max_level(sizes);
        while (level > 0 && !(is_aligned(v.raw() | p.raw(), level_size(level)) && size - off >= level_size(level)))
            level--;
        Pte* slot = TRY(walk_create(v, level));
        *slot = Pte::leaf(p, perms);
        off += level_size(level);
    }
    return {};
}

Result<Leaf> PageTable::lookup(VirtAddr va) const {
    if (!is_canonical(va)) return Error::NotFound;
    const Pte* table = mem_.access(mem_.ctx, root_);
    for (int l = LEVELS - 1; l >= 0; l--) {
        const Pte& e = table[vpn(va, unsigned(l))];
        if (!e.valid()) return Error::NotFound;
        if (e.is_leaf()) {
            uint64_t sz = level_size(unsigned(l));
            return Leaf{VirtAddr(align_down(va.raw(), sz)), e.phys(), sz, e};
        }
        table = mem_.access(mem_.ctx, e.phys());
    }
    return Error::NotFound;
}

void PageTable::visit(PhysAddr table_pa, unsigned level, uint64_t va_base, void (*fn)(void*, const Leaf&),
                      void* ctx) const {
    const Pte* table = mem_.access(mem_.ctx, table_pa);
    for (unsigned i = 0; i < PTES_PER_TABLE; i++) {
        const Pte& e = table[i];
        if (!e.valid()) continue;
        uint64_t va = va_base + uint64_t(i) * level_size(level);
        if (e.is_leaf()) fn(ctx, Leaf{VirtAddr(sign_extend(va)), e.phys(), level_size(level), e});
        else if (level > 0) visit(e.phys(), level - 1, va, fn, ctx);
    }
}

void PageTable::for_each_leaf(void (*fn)(void* ctx, const Leaf& leaf), void* ctx) const {
    visit(root_, LEVELS - 1, 0, fn, ctx);
}

}  // namespace riscv::sv39
