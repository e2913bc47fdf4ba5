#include "kernel/obj/pool.h"

#include "base/bits.h"
#include "format/format.h"

namespace kpool {

namespace {

constexpr size_t NR_CLASSES = 6;  // 64, 128, 256, 512, 1024, 2048
static_assert(size_class(2048) == NR_CLASSES - 1 && object_bytes(65) == 128);
struct FreeObject {
    FreeObject* next;
};

// A managed page that holds objects of one size class: its free objects,
// how many are in use, and its place on its class's list of pages with
// free objects (it is on the list exactly when `free` is not empty). A page whose last object is freed goes
// back to the pool, so memory taken by objects of one class can serve another (or page tables) later: what
// the kernel memory accounting charges (kmem.h) is what the pool holds.
struct ObjectPage {
    FreeObject* free;
    ObjectPage* next;
    ObjectPage* prev;
    uint16_t in_use;
    PageUse use;  // Free exactly when the page's bitmap bit is clear
    uint8_t cls;  // Objects: the size class
};

struct Region {
    PhysRange whole;        // as added, bookkeeping included
    PhysAddr base;          // first managed page (after the bitmap and the page records)
    size_t pages;           // managed pages
    uint64_t* bitmap;       // 1 = allocated
    ObjectPage* obj_pages;  // one per managed page
    char* base_ptr;         // base as the pool reaches it
    size_t free;
    size_t hint;  // no bitmap word below it has a free page
};

struct State {
    Region regions[MAX_REGIONS];
    unsigned nr_regions;
    PhysToPtr access;
    ObjectPage* partial[NR_CLASSES];  // pages with free objects, per class
};
constinit State g{};

bool bit(const Region& r, size_t i) { return (r.bitmap[i / 64] >> (i % 64)) & 1; }
void set_bits(Region& r, size_t i, size_t n, bool v) {
    for (size_t k = i; k < i + n; k++) {
        if (v)
            r.bitmap[k / 64] |= uint64_t(1) << (k % 64);
        else
            r.bitmap[k / 64] &= ~(uint64_t(1) << (k % 64));
    }
}

void zero(void* p, size_t bytes) {
    auto* w = static_cast<uint64_t*>(p);
    for (size_t i = 0; i < bytes / 8; i++) w[i] = 0;
}

// One free page: the lowest clear bit of the first word from the hint
// that has one, so that taking a page costs the same however full the
// region is (leaves of capability spaces, page tables).
Result<size_t> find_page(Region& r) {
    for (size_t w = r.hint, words = (r.pages + 63) / 64; w < words; w++) {
        if (r.bitmap[w] == ~uint64_t(0)) continue;
        const size_t i = w * 64 + bits::lowest_set(~r.bitmap[w]);
        if (i >= r.pages) break;
        r.hint = w;
        return i;
    }
    return Error::NoMemory;
}

// `n` free pages in a row, the first fit.
Result<size_t> find_run(Region& r, size_t n) {
    if (n == 1) return find_page(r);
    size_t run = 0;
    for (size_t i = r.hint * 64; i < r.pages; i++) {
        // Skip whole allocated words quickly.
        if (run == 0 && (i % 64) == 0 && r.bitmap[i / 64] == ~uint64_t(0) && i + 64 <= r.pages) {
            i += 63;
            continue;
        }
        run = bit(r, i) ? 0 : run + 1;
        if (run == n) return i + 1 - n;
    }
    return Error::NoMemory;
}

}  // namespace

Status add_region(PhysRange r, PhysToPtr access) {
    if (!is_aligned(r.base.raw() | r.size, PAGE_SIZE) || r.size < 2 * PAGE_SIZE)
        return Error::InvalidArgument;
    if (g.nr_regions == MAX_REGIONS) return Error::NoMemory;
    g.access = access;
    size_t pages = r.size / PAGE_SIZE;
    // The bitmap and the object page records sit in the region's first
    // pages (sized for all its pages, a little more than the managed ones).
    size_t bitmap_bytes = (pages + 63) / 64 * 8;
    size_t meta_bytes = align_up(bitmap_bytes + pages * sizeof(ObjectPage), PAGE_SIZE);
    size_t meta_pages = meta_bytes / PAGE_SIZE;
    if (meta_pages >= pages) return Error::InvalidArgument;
    Region& reg = g.regions[g.nr_regions];
    auto* meta = static_cast<char*>(access(r.base));
    zero(meta, meta_bytes);
    reg.bitmap = reinterpret_cast<uint64_t*>(meta);
    reg.obj_pages = reinterpret_cast<ObjectPage*>(meta + align_up(bitmap_bytes, alignof(ObjectPage)));
    reg.whole = r;
    reg.base = r.base + meta_bytes;
    reg.base_ptr = static_cast<char*>(access(reg.base));
    reg.pages = pages - meta_pages;
    reg.free = reg.pages;
    reg.hint = 0;
    g.nr_regions++;
    return {};
}

Result<PhysAddr> alloc_pages(size_t n) {
    if (n == 0) return Error::InvalidArgument;
    for (unsigned i = 0; i < g.nr_regions; i++) {
        Region& r = g.regions[i];
        if (r.free < n) continue;
        auto start = find_run(r, n);
        if (!start.ok()) continue;
        set_bits(r, *start, n, true);
        r.free -= n;
        for (size_t k = *start; k < *start + n; k++) r.obj_pages[k].use = PageUse::Pages;
        PhysAddr pa = r.base + *start * PAGE_SIZE;
        zero(g.access(pa), n * PAGE_SIZE);
        return pa;
    }
    return Error::NoMemory;
}

namespace {

// The region and page index of a managed page, from its physical address
// or from a pointer into it.
bool locate(PhysAddr pa, Region** reg, size_t* index) {
    for (unsigned i = 0; i < g.nr_regions; i++) {
        Region& r = g.regions[i];
        if (pa >= r.base && pa < r.base + r.pages * PAGE_SIZE) {
            *reg = &r;
            *index = (pa - r.base) / PAGE_SIZE;
            return true;
        }
    }
    return false;
}

bool locate(const void* p, Region** reg, size_t* index) {
    const auto* c = static_cast<const char*>(p);
    for (unsigned i = 0; i < g.nr_regions; i++) {
        Region& r = g.regions[i];
        if (c >= r.base_ptr && c < r.base_ptr + r.pages * PAGE_SIZE) {
            *reg = &r;
            *index = size_t(c - r.base_ptr) / PAGE_SIZE;
            return true;
        }
    }
    return false;
}

void release(Region& r, size_t index, size_t n) {
    set_bits(r, index, n, false);
    r.free += n;
    if (index / 64 < r.hint) r.hint = index / 64;
    for (size_t k = index; k < index + n; k++) r.obj_pages[k] = ObjectPage{};
}

}  // namespace

void free_pages(PhysAddr pa, size_t n) {
    Region* r;
    size_t index;
    if (locate(pa, &r, &index)) release(*r, index, n);
}

namespace {

void list_add(unsigned c, ObjectPage* op) {
    op->prev = nullptr;
    op->next = g.partial[c];
    if (op->next) op->next->prev = op;
    g.partial[c] = op;
}

void list_remove(unsigned c, ObjectPage* op) {
    if (op->prev)
        op->prev->next = op->next;
    else
        g.partial[c] = op->next;
    if (op->next) op->next->prev = op->prev;
    op->next = op->prev = nullptr;
}

}  // namespace

Result<void*> alloc_object(size_t size) {
    if (size == 0 || size > 2048) return Error::InvalidArgument;
    unsigned c = size_class(size);
    size_t obj = object_bytes(size);
    ObjectPage* op = g.partial[c];
    if (!op) {
        PhysAddr page = TRY(alloc_pages(1));
        Region* r;
        size_t index;
        if (!locate(page, &r, &index)) return Error::NoMemory;  // cannot happen: it is ours
        op = &r->obj_pages[index];
        *op = ObjectPage{};
        op->use = PageUse::Objects;
        op->cls = uint8_t(c);
        auto* base = static_cast<char*>(g.access(page));
        for (size_t off = 0; off + obj <= PAGE_SIZE; off += obj) {
            auto* f = reinterpret_cast<FreeObject*>(base + off);
            f->next = op->free;
            op->free = f;
        }
        list_add(c, op);
    }
    FreeObject* f = op->free;
    op->free = f->next;
    op->in_use++;
    if (!op->free) list_remove(c, op);
    zero(f, obj);
    return static_cast<void*>(f);
}

void free_object(void* p, size_t size) {
    if (!p) return;
    unsigned c = size_class(size);
    Region* r;
    size_t index;
    if (!locate(p, &r, &index)) return;  // not the pool's: nothing to give back
    ObjectPage* op = &r->obj_pages[index];
    auto* f = static_cast<FreeObject*>(p);
    if (!op->free) list_add(c, op);  // it was full
    f->next = op->free;
    op->free = f;
    if (--op->in_use == 0) {
        list_remove(c, op);
        release(*r, index, 1);
    }
}

Result<void*> alloc_object_page() {
    PhysAddr page = TRY(alloc_pages(1));
    Region* r;
    size_t index;
    if (locate(page, &r, &index)) r->obj_pages[index].use = PageUse::Object;
    return g.access(page);
}

void free_object_page(void* p) {
    Region* r;
    size_t index;
    if (locate(p, &r, &index)) release(*r, index, 1);
}

Stats stats() {
    Stats s{0, 0};
    for (unsigned i = 0; i < g.nr_regions; i++) {
        s.total_bytes += g.regions[i].pages * PAGE_SIZE;
        s.free_bytes += g.regions[i].free * PAGE_SIZE;
    }
    return s;
}

// ---- Consistency (verify) ---------------------------------------------------

namespace {

constexpr size_t capacity(unsigned c) { return PAGE_SIZE / (size_t(64) << c); }

PageInfo info_of(const Region& r, size_t index) {
    const ObjectPage& op = r.obj_pages[index];
    return PageInfo{op.use, op.cls, r.base_ptr + index * PAGE_SIZE};
}

// The free objects of a size-class page as a bitmask by object index
// (at most 64 objects a page). False if the list leaves the page, is
// misaligned, names an object twice or is longer than the page holds.
bool free_mask(const ObjectPage& op, const char* page, uint64_t* mask, const char** problem) {
    const size_t obj = size_t(64) << op.cls;
    *mask = 0;
    size_t n = 0;
    for (const FreeObject* f = op.free; f; f = f->next) {
        const auto* c = reinterpret_cast<const char*>(f);
        if (c < page || c >= page + PAGE_SIZE || size_t(c - page) % obj != 0) {
            *problem = "free list leaves its page or is misaligned";
            return false;
        }
        const size_t i = size_t(c - page) / obj;
        if (*mask & (uint64_t(1) << i)) {
            *problem = "free list names an object twice";
            return false;
        }
        *mask |= uint64_t(1) << i;
        if (++n > capacity(op.cls)) {
            *problem = "free list longer than the page holds";
            return false;
        }
    }
    return true;
}

bool fail(char* why, size_t n, const char* fmt, unsigned long a, const char* what) {
    format_buf(why, n, fmt, a, what);
    return false;
}

// What is wrong with the record of allocated page `i` of `r`, or nullptr.
const char* allocated_page_problem(const Region& r, size_t i) {
    const ObjectPage& op = r.obj_pages[i];
    if (unsigned(op.use) > unsigned(PageUse::Object) || op.use == PageUse::Free)
        return "allocated, but its record has no use";
    if (op.use != PageUse::Objects)
        return op.free || op.next || op.prev || op.in_use || op.cls ? "a page of pages with object-page state"
                                                                    : nullptr;
    if (op.cls >= NR_CLASSES) return "size class out of range";
    uint64_t mask;
    const char* problem = nullptr;
    if (!free_mask(op, r.base_ptr + i * PAGE_SIZE, &mask, &problem)) return problem;
    const size_t nfree = size_t(bits::popcount(mask));
    if (op.in_use == 0 || op.in_use + nfree != capacity(op.cls))
        return "objects in use and free do not fill the page";
    return nullptr;
}

bool verify_region(const Region& r, unsigned ri, char* why, size_t n, uint64_t* counts) {
    size_t free = 0;
    for (size_t i = 0; i < r.pages; i++) {
        const ObjectPage& op = r.obj_pages[i];
        const unsigned long pa = (r.base + i * PAGE_SIZE).raw();
        if (!bit(r, i)) {
            free++;
            if (op.use != PageUse::Free || op.free || op.next || op.prev || op.in_use || op.cls)
                return fail(why, n, "pool page %#lx: %s", pa, "free, but its record says it is in use");
            continue;
        }
        if (const char* problem = allocated_page_problem(r, i))
            return fail(why, n, "pool page %#lx: %s", pa, problem);
        if (counts) counts[unsigned(op.use)]++;
    }
    if (free != r.free) return fail(why, n, "pool region %lu: %s", ri, "free count differs from its bitmap");
    return true;
}

// Each page with free objects is on its class's list once, and nothing else is.
bool verify_partial_lists(char* why, size_t n) {
    size_t on_lists = 0, with_free = 0, limit = 0;
    for (unsigned i = 0; i < g.nr_regions; i++) {
        limit += g.regions[i].pages;
        for (size_t k = 0; k < g.regions[i].pages; k++) {
            const ObjectPage& op = g.regions[i].obj_pages[k];
            if (op.use == PageUse::Objects && op.free) with_free++;
        }
    }
    for (unsigned c = 0; c < NR_CLASSES; c++) {
        const ObjectPage* prev = nullptr;
        for (const ObjectPage* op = g.partial[c]; op; op = op->next) {
            bool ours = false;
            for (unsigned i = 0; i < g.nr_regions; i++)
                ours = ours ||
                       (op >= g.regions[i].obj_pages && op < g.regions[i].obj_pages + g.regions[i].pages);
            if (!ours || ++on_lists > limit)
                return fail(why, n, "pool class %lu: %s", c,
                            "list of pages with free objects leaves the pool");
            if (op->use != PageUse::Objects || op->cls != c || !op->free || op->prev != prev)
                return fail(why, n, "pool class %lu: %s", c, "list of pages with free objects is broken");
            prev = op;
        }
    }
    if (on_lists != with_free)
        return fail(why, n, "pool: %lu %s", on_lists, "pages listed with free objects, not every such page");
    return true;
}

}  // namespace

PageInfo page_info(const void* p) {
    Region* r;
    size_t index;
    if (!locate(p, &r, &index)) return PageInfo{PageUse::Free, 0, nullptr};
    return info_of(*r, index);
}

PageInfo page_info(PhysAddr pa) {
    Region* r;
    size_t index;
    if (!locate(pa, &r, &index)) return PageInfo{PageUse::Free, 0, nullptr};
    return info_of(*r, index);
}

bool is_live_object(const void* p) {
    Region* r;
    size_t index;
    if (!locate(p, &r, &index)) return false;
    const ObjectPage& op = r->obj_pages[index];
    if (op.use != PageUse::Objects || op.cls >= NR_CLASSES) return false;
    const char* page = r->base_ptr + index * PAGE_SIZE;
    const size_t off = size_t(static_cast<const char*>(p) - page), obj = size_t(64) << op.cls;
    if (off % obj != 0) return false;
    uint64_t mask;
    const char* problem;
    return free_mask(op, page, &mask, &problem) && !(mask & (uint64_t(1) << (off / obj)));
}

bool overlaps(PhysRange range) {
    for (unsigned i = 0; i < g.nr_regions; i++) {
        const PhysRange& w = g.regions[i].whole;
        if (range.base < w.end() && w.base < range.end()) return true;
    }
    return false;
}

bool verify(char* why, size_t n, uint64_t pages_in_use[4]) {
    if (pages_in_use)
        for (unsigned i = 0; i < 4; i++) pages_in_use[i] = 0;
    for (unsigned i = 0; i < g.nr_regions; i++)
        if (!verify_region(g.regions[i], i, why, n, pages_in_use)) return false;
    return verify_partial_lists(why, n);
}

void for_each_object(void (*fn)(void* ctx, void* obj, bool own_page), void* ctx) {
    for (unsigned i = 0; i < g.nr_regions; i++) {
        const Region& r = g.regions[i];
        for (size_t k = 0; k < r.pages; k++) {
            const ObjectPage& op = r.obj_pages[k];
            char* page = r.base_ptr + k * PAGE_SIZE;
            if (op.use == PageUse::Object) {
                fn(ctx, page, true);
                continue;
            }
            if (op.use != PageUse::Objects) continue;
            uint64_t mask;
            const char* problem;
            if (!free_mask(op, page, &mask, &problem)) continue;
            const size_t obj = size_t(64) << op.cls;
            for (size_t j = 0; j < capacity(op.cls); j++)
                if (!(mask & (uint64_t(1) << j))) fn(ctx, page + j * obj, false);
        }
    }
}

}  // namespace kpool
