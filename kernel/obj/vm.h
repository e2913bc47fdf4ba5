// Address spaces of tasks: the kernel's record of which Frame capability
// is mapped where, on top of the arch page tables (kernel/paging.h).
#pragma once

#include "base/result.h"
#include "kernel/obj/objects.h"
#include "kernel/paging.h"

namespace vm {

// Whether a range must start on a page boundary (user_range).
enum class PageAligned : bool { No, Yes };

// Whether [va, va + len) lies in the user half [USER_BASE, USER_END) (for
// len 0, va may be USER_END itself: the end of a range), starting on a
// page boundary with PageAligned::Yes: the one check of the user
// addresses syscalls name. Errors: BadAlignment (checked first),
// InvalidArgument.
inline Status user_range(uint64_t va, uint64_t len, PageAligned aligned = PageAligned::No) {
    if (aligned == PageAligned::Yes && !is_aligned(va, PAGE_SIZE)) return Error::BadAlignment;
    if (va < abi::USER_BASE || va > abi::USER_END || len > abi::USER_END - va) return Error::InvalidArgument;
    return {};
}

// A new empty address space for `t` (root table and ASID).
// Errors: NoMemory (pool, or no ASID left).
Status create(Task* t);
// Removes every mapping made into `t`, frees its tables and ASID.
void destroy(Task* t);

// Maps the Frame `frame` into `t` at `va` with `rights`. Checks first:
//   BadAlignment (va), InvalidArgument (range outside user space, rights
//   beyond the cap's, W without R, no rights), Busy (the cap is mapped
//   already, or a page of the range is), then NoMemory (tables) or
//   OverQuota (tables past t's kernel memory limit).
Status map_frame(Task* t, Cap* frame, VirtAddr va, uint8_t rights);
// Maps the n (>= 1) order-0 Frame capabilities frames[0..n) into `t` at
// va, va + 4 KiB, ... with `rights`. For capabilities the caller has just
// minted, which nothing else can name yet, over a range it has checked
// (MemoryMintMap): each an order-0 Frame of pfns[i] whose rights cover
// `rights` (W only with R), mapped nowhere, and [va, va + n pages) page
// aligned inside user space; none of that is checked again. Errors: Busy
// (a page of the range is mapped), NoMemory or OverQuota (tables, as
// map_frame); all or nothing, no page stays mapped on an error.
Status map_fresh(Task* t, Cap* const* frames, const uint64_t* pfns, uint64_t n, VirtAddr va, uint8_t rights);
// Removes frame's mapping, if any.
void unmap_frame(Cap* frame);
// Errors: NotFound (not mapped), InvalidArgument (rights as map_frame).
Status protect_frame(Cap* frame, uint8_t rights);
Status read_clear_ad(Cap* frame, bool* accessed, bool* dirty);

// Page-table frames from the kernel pool charged to t's kernel memory
// account (kmem.h), as every table below its root is: for tables the
// kernel makes outside map_frame (the root task's mem_map and initrd).
arch::FrameSource table_frames(Task* t);

// Whether ASID `asid` is allocated, and how many are (the kernel's own,
// 0, included): for the consistency check (verify.h).
bool asid_in_use(uint16_t asid);
unsigned asids_in_use();
inline constexpr unsigned NR_ASIDS = 4096;

// Copies `len` bytes of `t`'s memory at `va` into `dst` through the
// direct map, checking every page is mapped user-readable.
// Errors: OutOfRange (not user-readable), InvalidArgument (range wraps).
Status copy_from_user(Task* t, VirtAddr va, void* dst, uint64_t len);

}  // namespace vm
