// User address spaces on Sv39: their own root tables, with the kernel
// half copied from the kernel's root (those entries point at the kernel's
// shared lower-level tables and have U=0, so U-mode cannot use them).
#include "abi/syscall.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/kernel_tables.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/pagetable.h"
#include "kernel/entry.h"
#include "kernel/paging.h"

namespace arch {

using riscv::sv39::PageTable;
using riscv::sv39::Pte;
namespace layout = riscv::layout;

namespace {

// The range operations on the space of `root`, making tables with `frames`
// (nullptr: none).
PageTable table(PhysAddr root, FrameSource* frames = nullptr) {
    return PageTable(root, riscv::table_memory(frames));
}

// The PTE permission bits for user `rights` (R/W/X as abi::RIGHT_*).
uint64_t pte_perms(uint8_t rights) {
    static_assert(abi::RIGHT_READ == 1 && abi::RIGHT_WRITE == 2 && abi::RIGHT_EXEC == 4);
    static constexpr uint64_t PERMS[8] = {
        Pte::User,
        Pte::User | Pte::Read,
        Pte::User | Pte::Write,
        Pte::User | Pte::Read | Pte::Write,
        Pte::User | Pte::Exec,
        Pte::User | Pte::Read | Pte::Exec,
        Pte::User | Pte::Write | Pte::Exec,
        Pte::User | Pte::Read | Pte::Write | Pte::Exec,
    };
    return PERMS[rights & 7];
}

void flush(uint16_t asid, VirtAddr va, uint64_t size) {
    if (size > 64 * PAGE_SIZE) {
        asm volatile("sfence.vma zero, %0" ::"r"(uint64_t(asid)) : "memory");
        return;
    }
    for (uint64_t off = 0; off < size; off += PAGE_SIZE)
        asm volatile("sfence.vma %0, %1" ::"r"(va.raw() + off), "r"(uint64_t(asid)) : "memory");
}

}  // namespace

Result<PhysAddr> user_table_create(FrameSource frames) {
    PhysAddr root = TRY(riscv::zeroed_table(&frames));
    Pte* dst = layout::phys_to_ptr<Pte>(root);
    auto* src = layout::phys_to_ptr<Pte>(riscv::sv39::Satp{csr_read(satp)}.root());
    for (unsigned i = riscv::sv39::PTES_PER_TABLE / 2; i < riscv::sv39::PTES_PER_TABLE; i++) dst[i] = src[i];
    return root;
}

Status user_map(PhysAddr root, VirtAddr va, PhysAddr pa, uint64_t size, uint8_t rights, FrameSource frames) {
    return table(root, &frames).map(va, pa, size, pte_perms(rights));
}

namespace {

// How many of the `left` pages from `va` on lie in va's last-level table.
inline uint64_t pages_in_table(VirtAddr va, uint64_t left) {
    const uint64_t room = riscv::sv39::PTES_PER_TABLE - riscv::sv39::vpn(va, 0);
    return left < room ? left : room;
}

// Puts the leaf for `pa` into the last-level entry `e`, unless it is taken.
inline Status put_leaf(Pte& e, PhysAddr pa, uint8_t rights) {
    if (e.valid()) return Error::Busy;
    e = Pte::leaf(pa, pte_perms(rights));
    return {};
}

// user_map_page when a table on the way is missing (made here) or a
// larger leaf is in the way (Busy).
[[gnu::noinline]] Status map_page_making_tables(PhysAddr root, VirtAddr va, PhysAddr pa, uint8_t rights,
                                                FrameSource frames) {
    Pte* leaf = TRY(riscv::walker(root, &frames).make_entry(va, 0));
    return put_leaf(*leaf, pa, rights);
}

}  // namespace

TRAP_LEAF Status user_map_page(PhysAddr root, VirtAddr va, PhysAddr pa, uint8_t rights, FrameSource frames) {
    // PageTable::map's 4 KiB case without its checks, which the caller
    // made. The walk that needs no table made (the common case) is inline
    // here; any other leaves by map_page_making_tables, which walks again
    // with the allocator.
    const riscv::sv39::Slot s = riscv::walker(root).descend(va, 0);
    if (s.level != 0) [[unlikely]]
        return map_page_making_tables(root, va, pa, rights, frames);
    return put_leaf(*s.pte, pa, rights);
}

Status user_map_pages(PhysAddr root, VirtAddr va, const uint64_t* pfns, uint64_t n, uint8_t rights,
                      FrameSource frames) {
    const riscv::sv39::Walker walker = riscv::walker(root, &frames);
    // First every last-level table on the way (made if missing: a table
    // left empty by an error is harmless) and a check that no page of the
    // range is mapped, one walk per table (it holds 512 pages at most);
    // then the leaves, which cannot fail.
    for (uint64_t i = 0; i < n;) {
        const VirtAddr v = va + i * PAGE_SIZE;
        const Pte* leaf = TRY(walker.make_entry(v, 0));
        const uint64_t k = pages_in_table(v, n - i);
        uint64_t any = 0;
        for (const Pte* end = leaf + k; leaf != end; leaf++) any |= leaf->raw;
        if (Pte{any}.valid()) return Error::Busy;
        i += k;
    }
    // Every leaf is the one for frame 0 with its frame number put in.
    const uint64_t bits = Pte::leaf(PhysAddr(0), pte_perms(rights)).raw;
    for (uint64_t i = 0; i < n;) {
        const VirtAddr v = va + i * PAGE_SIZE;
        Pte* leaf = walker.descend(v, 0).pte;  // the first pass made the tables
        const uint64_t k = pages_in_table(v, n - i);
        for (const uint64_t *pfn = pfns + i, *end = pfn + k; pfn != end; pfn++, leaf++)
            leaf->raw = Pte::PPN::set(bits, *pfn);
        i += k;
    }
    return {};
}

Status user_unmap(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size) {
    auto n = table(root).unmap(va, size);
    if (!n.ok()) return n.error();
    flush(asid, va, size);
    return {};
}

Status user_protect(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size, uint8_t rights) {
    TRY_STATUS(table(root).protect(va, size, pte_perms(rights)));
    flush(asid, va, size);
    return {};
}

Status user_read_clear_ad(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size, bool* accessed,
                          bool* dirty) {
    TRY_STATUS(table(root).read_clear_ad(va, size, accessed, dirty));
    // Cleared bits must be set again by the next access: drop cached
    // translations (hardware that does not manage A/D faults instead, and the
    // fault path sets them).
    flush(asid, va, size);
    return {};
}

bool user_readable(PhysAddr root, VirtAddr va, PhysAddr* pa) {
    if (va.raw() >= abi::USER_END) return false;
    const auto leaf = riscv::walker(root).leaf(va);
    if (!leaf.ok() || !leaf->pte->user() || !leaf->pte->readable()) return false;
    const uint64_t size = riscv::sv39::level_size(leaf->level);
    *pa = leaf->pte->phys() + (va.raw() & (size - 1));
    return true;
}

bool user_fix_accessed_dirty(PhysAddr root, uint16_t asid, VirtAddr va, bool write, bool exec) {
    if (va.raw() >= abi::USER_END) return false;
    const auto leaf = riscv::walker(root).leaf(va);
    if (!leaf.ok()) return false;
    Pte& e = *leaf->pte;
    const bool allowed = e.user() && (exec ? e.executable() : write ? e.writable() : e.readable());
    const bool missing = !e.accessed() || (write && !e.dirty());
    if (!allowed || !missing) return false;
    e.raw |= Pte::A::mask | (write ? Pte::D::mask : 0);
    asm volatile("sfence.vma %0, %1" ::"r"(va.raw()), "r"(uint64_t(asid)) : "memory");
    return true;
}

void user_table_destroy(PhysAddr root, uint16_t asid, void (*free_frame)(PhysAddr)) {
    table(root).free_tables_below(
        VirtAddr(abi::USER_END),
        [](void* ctx, PhysAddr pa) { reinterpret_cast<void (*)(PhysAddr)>(ctx)(pa); },
        reinterpret_cast<void*>(free_frame));
    free_frame(root);
    asm volatile("sfence.vma zero, %0" ::"r"(uint64_t(asid)) : "memory");
}

uint64_t address_space_token(PhysAddr root, uint16_t asid) { return riscv::sv39::Satp::sv39(root, asid).raw; }

}  // namespace arch
