// What generic boot code needs from the architecture's MMU code
// (arch/riscv/paging.cc). Addresses are typed; nothing here names Sv39.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "format/format.h"

namespace arch {

// The direct map: every byte of RAM at one fixed offset.
VirtAddr phys_to_virt(PhysAddr pa);
PhysAddr virt_to_phys(VirtAddr va);

// Whether [r.base, r.end()) is reachable through the direct map now.
bool early_reachable(PhysRange r);

// Early boot: extends the boot page table so that every byte of `r` is
// reachable through the direct map (1 GiB leaves; temporary, replaced by
// paging_init). Error::OutOfRange if r lies beyond the direct map window.
Status early_map_ram(PhysRange r);

// The highest physical address (exclusive) the direct map can cover.
PhysAddr direct_map_limit();

// Where page-table frames come from (memblock at boot, the kernel pool
// for user address spaces).
struct FrameSource {
    Result<PhysAddr> (*alloc)(void* ctx);  // a 4 KiB frame, any node
    void* ctx;
    // Takes back a frame alloc() gave that a mapping which then failed did
    // not use. nullptr: such frames are kept (at boot, where running out
    // of memory is fatal).
    void (*free)(void* ctx, PhysAddr frame) = nullptr;
};

// Builds the kernel's final page table and switches to it: the kernel image
// with per-section permissions (text R+X, rodata R, data/bss R+W), every
// range in `ram` in the direct map (R+W, never X) with the largest leaves
// that fit, and the devices boot needs. Drops the boot page table.
// Errors: NoMemory (page-table frames), OutOfRange (RAM beyond the window).
Status paging_init(const PhysRange* ram, size_t nr_ram, FrameSource frames);

// Maps `size` bytes at `backing` (physically contiguous) into the vmemmap
// window so that the descriptor of `first` sits at vmemmap_base() +
// first * sizeof(Page). Errors: those of the table builder.
Status map_vmemmap(Pfn first, PhysAddr backing, uint64_t size, FrameSource frames);
uintptr_t vmemmap_base();

// Maps the device registers `r` (page-rounded, read-write, never
// executable) at phys_to_virt() of their address, where the direct map
// window has no RAM. Errors: OutOfRange (beyond the window, or
// overlapping RAM), those of the table builder.
Status map_mmio(PhysRange r, FrameSource frames);

// Prints every leaf of the live kernel page table as
// "MAP <va> <pa> <size> <rwxugad>" (the format of QEMU's `info mem`).
void dump_mappings(TextSink out);

// Looks up the live kernel page table: the leaf's flags as "rwxugad" text
// in `attrs` (8 bytes), or Error::NotFound.
Status query_mapping(VirtAddr va, PhysAddr* pa, char attrs[8]);

// Kernel image extents (from the linker script).
struct ImageLayout {
    PhysRange text, rodata, data, bss;
    PhysRange whole;
};
ImageLayout image_layout();

}  // namespace arch

// User address spaces. Rights are abi::Rights bits (R/W/X); every user
// leaf is U=1, never G. Table frames come from `frames`. Each root shares
// the kernel half of the kernel's own table, which U-mode cannot touch.
namespace arch {

Result<PhysAddr> user_table_create(FrameSource frames);
// Errors as the page-table builder's map(): BadAlignment, InvalidArgument, Busy, NoMemory.
Status user_map(PhysAddr root, VirtAddr va, PhysAddr pa, uint64_t size, uint8_t rights, FrameSource frames);
// The same for one 4 KiB page, the common case, without the checks: `va`
// must be a page-aligned user address and `rights` valid (vm::map_frame
// checks both). Errors: Busy, NoMemory (then no table was added).
Status user_map_page(PhysAddr root, VirtAddr va, PhysAddr pa, uint8_t rights, FrameSource frames);
// Maps the 4 KiB frames pfns[0..n) at va, va + 4 KiB, ... with one walk per
// last-level table (MemoryMintMap's batches). Checked by the caller as for
// user_map_page. All or nothing: Busy (a page of the range is mapped) and
// NoMemory (tables) leave no page of the range mapped.
Status user_map_pages(PhysAddr root, VirtAddr va, const uint64_t* pfns, uint64_t n, uint8_t rights,
                      FrameSource frames);
// Removes the leaves of exactly [va, va+size) and flushes them from the TLB.
Status user_unmap(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size);
Status user_protect(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size, uint8_t rights);
Status user_read_clear_ad(PhysAddr root, uint16_t asid, VirtAddr va, uint64_t size, bool* accessed,
                          bool* dirty);
// Where the byte at user address `va` is, if U-mode may read it: true and
// *pa set, or false. The short walk copy_from_user takes per page.
bool user_readable(PhysAddr root, VirtAddr va, PhysAddr* pa);
// Hardware without Svadu (the Svade behaviour) raises a page fault when a
// valid leaf's A bit, or its D bit on a write, is clear. If that is what
// happened at `va`, sets the bits and returns true: the access is retried
// and nobody else needs to hear of it. QEMU manages A/D itself.
bool user_fix_accessed_dirty(PhysAddr root, uint16_t asid, VirtAddr va, bool write, bool exec);

// Frees every table of the user half, then the root.
void user_table_destroy(PhysAddr root, uint16_t asid, void (*free_frame)(PhysAddr));
// The value arch::switch_address_space (mmu.h) takes to run in the space
// of `root` with `asid`: computed once, when the space is created.
uint64_t address_space_token(PhysAddr root, uint16_t asid);
// The kernel's own space (no user half), for when the active user space
// is about to be torn down.
uint64_t kernel_address_space_token();

// A valid entry of a user address space's tables, as the kernel's
// consistency check (kernel/obj/verify.h) reads them.
struct UserPte {
    enum class Kind : uint8_t {
        Table,      // points to the table at `pa` (of level `level` - 1)
        Leaf,       // maps [va, va + size) to [pa, pa + size)
        Malformed,  // a reserved encoding, or a table pointer at the last level
    };
    Kind kind;
    unsigned level;  // of the table holding the entry: 0 the last, 2 the root
    VirtAddr va;     // the first address the entry covers
    PhysAddr pa;
    uint64_t size;   // the bytes the entry covers
    uint8_t rights;  // a leaf's R/W/X (abi::Rights bits)
    bool user, global;
};

// Visits every valid entry of the user half of the tables under `root`,
// in address order, each table entry before the entries of its table:
// fn(ctx, entry) returns whether to go on, and for a table also gives the
// walk leave to read it. Returns false when fn stopped the walk.
bool user_table_walk(PhysAddr root, bool (*fn)(void* ctx, const UserPte& e), void* ctx);
// The leaf that maps `va` under `root`, whose tables the caller has checked
// (user_table_walk). Errors: NotFound.
Result<UserPte> user_table_leaf(PhysAddr root, VirtAddr va);
// Whether the kernel half of the root table `root` is the kernel's own.
bool user_table_kernel_half_ok(PhysAddr root);

}  // namespace arch
