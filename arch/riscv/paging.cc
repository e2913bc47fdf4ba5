// The kernel's own page tables: the boot table built by entry.S, extended
// during early boot, and the final table built by paging_init (the source
// material's paging_init -> map_mem -> create_mapping).
#include "kernel/paging.h"

#include "arch/riscv/asm_symbols.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/kernel_tables.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/sv39.h"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __bss_start[],
    __bss_end[], __kernel_start[], __kernel_end[];

namespace arch {

using riscv::sv39::LeafSizes;
using riscv::sv39::PageTable;
using riscv::sv39::Pte;
namespace layout = riscv::layout;

namespace {

constexpr uint64_t GIB = uint64_t(1) << 30;

constinit PhysAddr g_root;  // the final table's root once paging_init ran

PhysAddr kernel_phys(const char* sym) { return layout::kernel_virt_to_phys(VirtAddr(sym)); }

PhysRange image_range(const char* start, const char* end) {
    return PhysRange{kernel_phys(start), uint64_t(end - start)};
}

// The live table, making tables with `frames` (nullptr: none).
PageTable live_table(FrameSource* frames = nullptr) { return PageTable(g_root, riscv::table_memory(frames)); }

// The root entry of entry.S's table (1 GiB leaves only) that direct-maps
// physical gigabyte `g`.
Pte& boot_direct_map_entry(uint64_t g) {
    const auto boot_table = riscv::walker(layout::kernel_virt_to_phys(VirtAddr(early_root)));
    return *boot_table.descend(layout::phys_to_virt(PhysAddr(g * GIB)), riscv::sv39::ROOT_LEVEL).pte;
}

void attrs_text(const Pte& p, char out[8]) {
    out[0] = p.readable() ? 'r' : '-';
    out[1] = p.writable() ? 'w' : '-';
    out[2] = p.executable() ? 'x' : '-';
    out[3] = p.user() ? 'u' : '-';
    out[4] = p.global() ? 'g' : '-';
    out[5] = p.accessed() ? 'a' : '-';
    out[6] = p.dirty() ? 'd' : '-';
    out[7] = '\0';
}

Status map_image(PageTable& t) {
    struct Section {
        const char* start;
        const char* end;
        uint64_t perms;
    };
    const Section sections[] = {
        {__text_start, __text_end, Pte::Read | Pte::Exec | Pte::Global},
        {__rodata_start, __rodata_end, Pte::Read | Pte::Global},
        {__data_start, __bss_end, Pte::Read | Pte::Write | Pte::Global},
    };
    for (const Section& s : sections) {
        PhysRange r = image_range(s.start, s.end);
        TRY_STATUS(t.map(VirtAddr(s.start), r.base, align_up(r.size, PAGE_SIZE), s.perms, LeafSizes::UpTo2M));
    }
    return {};
}

}  // namespace

VirtAddr phys_to_virt(PhysAddr pa) { return layout::phys_to_virt(pa); }
PhysAddr virt_to_phys(VirtAddr va) { return layout::virt_to_phys(va); }
PhysAddr direct_map_limit() { return PhysAddr(layout::DIRECT_MAP_SIZE); }
uintptr_t vmemmap_base() { return layout::VMEMMAP_BASE; }

bool early_reachable(PhysRange r) {
    if (r.size == 0 || r.end() < r.base || r.end() > direct_map_limit()) return false;
    for (uint64_t g = r.base.raw() / GIB; g <= (r.end().raw() - 1) / GIB; g++)
        if (!boot_direct_map_entry(g).valid()) return false;
    return true;
}

Status early_map_ram(PhysRange r) {
    if (r.size == 0) return {};
    if (r.end() < r.base || r.end() > direct_map_limit()) return Error::OutOfRange;
    for (uint64_t g = r.base.raw() / GIB; g <= (r.end().raw() - 1) / GIB; g++) {
        Pte& e = boot_direct_map_entry(g);
        if (!e.valid()) e = Pte::leaf(PhysAddr(g * GIB), Pte::Read | Pte::Write | Pte::Global);
    }
    riscv::sfence_vma_all();
    return {};
}

Status paging_init(const PhysRange* ram, size_t nr_ram, FrameSource frames) {
    PhysAddr root = TRY(riscv::zeroed_table(&frames));
    PageTable t(root, riscv::table_memory(&frames));
    TRY_STATUS(map_image(t));
    for (size_t i = 0; i < nr_ram; i++) {
        if (ram[i].end() > direct_map_limit()) return Error::OutOfRange;
        TRY_STATUS(
            t.map(phys_to_virt(ram[i].base), ram[i].base, ram[i].size, Pte::Read | Pte::Write | Pte::Global));
    }
    // sifive_test, for platform::exit().
    PhysAddr test_dev(layout::SIFIVE_TEST_PHYS);
    TRY_STATUS(t.map(phys_to_virt(test_dev), test_dev, PAGE_SIZE, Pte::Read | Pte::Write | Pte::Global));

    csr_write(satp, riscv::sv39::Satp::sv39(root, 0).raw);
    riscv::sfence_vma_all();
    g_root = root;
    return {};
}

uint64_t kernel_address_space_token() { return riscv::sv39::Satp::sv39(g_root, 0).raw; }

Status map_vmemmap(Pfn first, PhysAddr backing, uint64_t size, FrameSource frames) {
    VirtAddr va(layout::VMEMMAP_BASE + first.raw() * 32);
    if (va.raw() + size > layout::VMEMMAP_BASE + layout::VMEMMAP_SIZE) return Error::OutOfRange;
    TRY_STATUS(live_table(&frames).map(va, backing, align_up(size, PAGE_SIZE),
                                       Pte::Read | Pte::Write | Pte::Global, LeafSizes::UpTo2M));
    riscv::sfence_vma_all();
    return {};
}

Status map_mmio(PhysRange r, FrameSource frames) {
    const PhysAddr first(align_down(r.base.raw(), PAGE_SIZE));
    const PhysAddr end(align_up(r.end().raw(), PAGE_SIZE));
    if (r.size == 0 || r.end() < r.base || end > direct_map_limit()) return Error::OutOfRange;
    // RAM, or mapped already, at either end.
    if (live_table().lookup(phys_to_virt(first)).ok() ||
        live_table().lookup(phys_to_virt(PhysAddr(end.raw() - PAGE_SIZE))).ok())
        return Error::OutOfRange;
    TRY_STATUS(live_table(&frames).map(phys_to_virt(first), first, end.raw() - first.raw(),
                                       Pte::Read | Pte::Write | Pte::Global, LeafSizes::UpTo2M));
    riscv::sfence_vma_all();
    return {};
}

void dump_mappings(TextSink out) {
    live_table().for_each_leaf(
        [](void* sink, const riscv::sv39::Leaf& l) {
            char attrs[8];
            attrs_text(l.pte, attrs);
            format(*static_cast<TextSink*>(sink), "MAP %016lx %016lx %016lx %s\n", l.va.raw(), l.pa.raw(),
                   l.size, attrs);
        },
        &out);
}

Status query_mapping(VirtAddr va, PhysAddr* pa, char attrs[8]) {
    auto leaf = live_table().lookup(va);
    if (!leaf.ok()) return leaf.error();
    *pa = leaf->pa + (va.raw() - leaf->va.raw());
    attrs_text(leaf->pte, attrs);
    return {};
}

ImageLayout image_layout() {
    return ImageLayout{image_range(__text_start, __text_end), image_range(__rodata_start, __rodata_end),
                       image_range(__data_start, __bss_start), image_range(__bss_start, __bss_end),
                       image_range(__kernel_start, __kernel_end)};
}

}  // namespace arch
