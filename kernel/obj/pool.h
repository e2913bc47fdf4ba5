// The kernel object pool: every kernel object (tasks, threads, endpoints,
// capability spaces) and every user page-table frame comes from here,
// never from memory a user task can reach.
//
// Boot carves the first region from memblock (size from `kpool=`); a
// holder of a Memory capability can add regions by donating frames
// (Sys::MemoryDonate). Running out is an error returned to the caller
// (Error::NoMemory), never a panic.
//
// Pages: first fit over a bitmap per region. Objects up to 2 KiB: size
// classes of 64 .. 2048 bytes, each served from pages of its own, a page
// taken when none has a free object and given back when its last object
// is freed.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <new>

#include "base/addr.h"
#include "base/bits.h"
#include "base/result.h"

namespace kpool {

inline constexpr size_t MAX_REGIONS = 32;

// How the pool reaches the memory it manages (the direct map in the kernel,
// host memory in tests).
using PhysToPtr = void* (*)(PhysAddr);

// Errors: InvalidArgument (not page aligned, too small to hold its own
// bitmap), NoMemory (MAX_REGIONS regions already).
Status add_region(PhysRange r, PhysToPtr access);

// `n` contiguous zeroed pages. Errors: NoMemory, InvalidArgument (0).
Result<PhysAddr> alloc_pages(size_t n);
void free_pages(PhysAddr pa, size_t n);

// The size class of an object of `size` bytes (1..2048): 0 for 64 bytes,
// 1 for 128, ... 5 for 2048.
constexpr unsigned size_class(size_t size) { return size <= 64 ? 0 : bits::log2_ceil(size) - 6; }
// The bytes an object of `size` bytes takes: its size class.
constexpr size_t object_bytes(size_t size) { return size_t(64) << size_class(size); }

// A zeroed object of `size` bytes (at most 2048), or Error::NoMemory.
Result<void*> alloc_object(size_t size);
void free_object(void* p, size_t size);

template <typename T>
Result<T*> alloc() {
    static_assert(sizeof(T) <= 2048, "use alloc_pages for large objects");
    void* p = TRY(alloc_object(sizeof(T)));
    return new (p) T();
}
template <typename T>
void free(T* obj) {
    obj->~T();
    free_object(obj, sizeof(T));
}

// A zeroed page for one object, or Error::NoMemory; and giving it back.
Result<void*> alloc_object_page();
void free_object_page(void* p);

template <typename T>
Result<T*> alloc_in_page() {
    static_assert(sizeof(T) <= PAGE_SIZE);
    void* p = TRY(alloc_object_page());
    return new (p) T();
}
template <typename T>
void free_in_page(T* obj) {
    obj->~T();
    free_object_page(obj);
}

struct Stats {
    uint64_t total_bytes;  // pages in all regions (bitmaps excluded)
    uint64_t free_bytes;   // pages not allocated (objects in free lists count as allocated)
};
Stats stats();

// ---- For the kernel's consistency check (kernel/obj/verify.h) ----------
// None of these changes anything.

// What a managed page is used for.
enum class PageUse : uint8_t {
    Free,     // not allocated
    Pages,    // alloc_pages (capability spaces, page tables)
    Objects,  // objects of one size class (alloc_object)
    Object,   // one object (alloc_object_page)
};
struct PageInfo {
    PageUse use;
    unsigned size_class;  // Objects: the class
    const void* base;     // the page as the pool reaches it (nullptr outside the pool)
};
// The page holding the byte at `p` (a pointer as the pool reaches its
// memory) or at `pa`; use Free and base nullptr outside every region.
PageInfo page_info(const void* p);
PageInfo page_info(PhysAddr pa);
// Whether `p` is a live object of its size-class page (on a page in use
// Objects, at a multiple of the class size, not on the page's free list).
bool is_live_object(const void* p);
// Whether any byte of `r` lies in a pool region (its bookkeeping included).
bool overlaps(PhysRange r);

// Checks the pool's own bookkeeping: each region's free count against its
// bitmap, every page's record against the bitmap, each size-class page's
// free list (inside the page, aligned, no object twice, as many free
// objects as the class's capacity less the objects in use) and the lists
// of pages with free objects. On the first problem, writes it to `why`
// (up to `n` bytes) and returns false. `pages_in_use` (optional) gets the
// pages allocated per use (indexed by PageUse).
bool verify(char* why, size_t n, uint64_t pages_in_use[4] = nullptr);

// Calls fn(ctx, obj, own_page) for every live object: each object of a
// size-class page and each page of alloc_object_page, region by region in
// address order. Call only after verify() passed (it follows free lists).
void for_each_object(void (*fn)(void* ctx, void* obj, bool own_page), void* ctx);

}  // namespace kpool
