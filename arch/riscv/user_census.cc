// Reading user address spaces' tables for the kernel's consistency check
// (kernel/obj/verify.h): every valid entry of the user half, and the
// kernel half against the kernel's own root. Read only.
#include "abi/syscall.h"
#include "arch/riscv/kernel_tables.h"
#include "arch/riscv/layout.h"
#include "kernel/paging.h"

namespace arch {

using riscv::sv39::level_size;
using riscv::sv39::Pte;
using riscv::sv39::PTES_PER_TABLE;
using riscv::sv39::ROOT_LEVEL;

namespace {

UserPte describe(const Pte& e, unsigned level, uint64_t va) {
    UserPte u{};
    u.level = level;
    u.va = VirtAddr(va);
    u.pa = e.phys();
    u.size = level_size(level);
    u.user = e.user();
    u.global = e.global();
    u.rights = uint8_t((e.readable() ? abi::RIGHT_READ : 0) | (e.writable() ? abi::RIGHT_WRITE : 0) |
                       (e.executable() ? abi::RIGHT_EXEC : 0));
    if (e.reserved_encoding() || (e.is_table() && level == 0))
        u.kind = UserPte::Kind::Malformed;
    else
        u.kind = e.is_leaf() ? UserPte::Kind::Leaf : UserPte::Kind::Table;
    return u;
}

// The entries [first, end) of the table at `pa` of `level`, covering from
// `va_base`; recursion depth is at most the number of levels.
bool walk(PhysAddr pa, unsigned level, uint64_t va_base, unsigned first, unsigned end,
          bool (*fn)(void*, const UserPte&), void* ctx) {
    const Pte* table = riscv::layout::phys_to_ptr<const Pte>(pa);
    for (unsigned i = first; i < end; i++) {
        const Pte e = table[i];
        if (!e.valid()) continue;
        const UserPte u = describe(e, level, va_base + i * level_size(level));
        if (!fn(ctx, u)) return false;
        if (u.kind == UserPte::Kind::Table && !walk(u.pa, level - 1, u.va.raw(), 0, PTES_PER_TABLE, fn, ctx))
            return false;
    }
    return true;
}

}  // namespace

bool user_table_walk(PhysAddr root, bool (*fn)(void* ctx, const UserPte& e), void* ctx) {
    static_assert(abi::USER_END == level_size(ROOT_LEVEL) * (PTES_PER_TABLE / 2));
    return walk(root, ROOT_LEVEL, 0, 0, PTES_PER_TABLE / 2, fn, ctx);
}

Result<UserPte> user_table_leaf(PhysAddr root, VirtAddr va) {
    if (va.raw() >= abi::USER_END) return Error::NotFound;
    const auto leaf = riscv::walker(root).leaf(va);
    if (!leaf.ok()) return Error::NotFound;
    const uint64_t size = level_size(leaf->level);
    return describe(*leaf->pte, leaf->level, va.raw() & ~(size - 1));
}

bool user_table_kernel_half_ok(PhysAddr root) {
    const Pte* mine = riscv::layout::phys_to_ptr<const Pte>(root);
    const Pte* kernel =
        riscv::layout::phys_to_ptr<const Pte>(riscv::sv39::Satp{kernel_address_space_token()}.root());
    for (unsigned i = PTES_PER_TABLE / 2; i < PTES_PER_TABLE; i++)
        if (mine[i].raw != kernel[i].raw) return false;
    return true;
}

}  // namespace arch
