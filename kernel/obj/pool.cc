#include "obj/pool.h"

namespace kpool {

namespace {

struct Region {
    PhysAddr base;     // first managed page (after the bitmap)
    size_t pages;      // managed pages
    uint64_t* bitmap;  // 1 = allocated
    size_t free;
};

constexpr size_t NR_CLASSES = 6;  // 64, 128, 256, 512, 1024, 2048
struct FreeObject {
    FreeObject* next;
};

struct State {
    Region regions[MAX_REGIONS];
    unsigned nr_regions;
    PhysToPtr access;
    FreeObject* classes[NR_CLASSES];
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

unsigned size_class(size_t size) {
    unsigned c = 0;
    for (size_t s = 64; s < size; s <<= 1) c++;
    return c;
}

Result<size_t> find_run(const Region& r, size_t n) {
    size_t run = 0;
    for (size_t i = 0; i < r.pages; i++) {
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
    // The bitmap sits in the region's first page(s).
    size_t bitmap_bytes = align_up((pages + 63) / 64 * 8, PAGE_SIZE);
    size_t bitmap_pages = bitmap_bytes / PAGE_SIZE;
    if (bitmap_pages >= pages) return Error::InvalidArgument;
    Region& reg = g.regions[g.nr_regions];
    reg.bitmap = static_cast<uint64_t*>(access(r.base));
    zero(reg.bitmap, bitmap_bytes);
    reg.base = r.base + bitmap_bytes;
    reg.pages = pages - bitmap_pages;
    reg.free = reg.pages;
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
        PhysAddr pa = r.base + *start * PAGE_SIZE;
        zero(g.access(pa), n * PAGE_SIZE);
        return pa;
    }
    return Error::NoMemory;
}

void free_pages(PhysAddr pa, size_t n) {
    for (unsigned i = 0; i < g.nr_regions; i++) {
        Region& r = g.regions[i];
        if (pa >= r.base && pa < r.base + r.pages * PAGE_SIZE) {
            set_bits(r, (pa - r.base) / PAGE_SIZE, n, false);
            r.free += n;
            return;
        }
    }
}

Result<void*> alloc_object(size_t size) {
    if (size == 0 || size > 2048) return Error::InvalidArgument;
    unsigned c = size_class(size);
    size_t obj = size_t(64) << c;
    if (!g.classes[c]) {
        PhysAddr page = TRY(alloc_pages(1));
        auto* base = static_cast<char*>(g.access(page));
        for (size_t off = 0; off + obj <= PAGE_SIZE; off += obj) {
            auto* f = reinterpret_cast<FreeObject*>(base + off);
            f->next = g.classes[c];
            g.classes[c] = f;
        }
    }
    FreeObject* f = g.classes[c];
    g.classes[c] = f->next;
    zero(f, obj);
    return static_cast<void*>(f);
}

void free_object(void* p, size_t size) {
    if (!p) return;
    unsigned c = size_class(size);
    auto* f = static_cast<FreeObject*>(p);
    f->next = g.classes[c];
    g.classes[c] = f;
}

Stats stats() {
    Stats s{0, 0, g.nr_regions};
    for (unsigned i = 0; i < g.nr_regions; i++) {
        s.total_bytes += g.regions[i].pages * PAGE_SIZE;
        s.free_bytes += g.regions[i].free * PAGE_SIZE;
    }
    return s;
}

void reset() { g = State{}; }

}  // namespace kpool
