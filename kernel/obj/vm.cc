#include "kernel/obj/vm.h"

#include "base/bits.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/rights.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"

namespace vm {

namespace {

constinit uint64_t g_asid_used[NR_ASIDS / 64] = {1};  // ASID 0 is the kernel's

Result<PhysAddr> pool_frame(void*) { return kpool::alloc_pages(1); }
arch::FrameSource pool_source() { return arch::FrameSource{pool_frame, nullptr}; }
void pool_free(PhysAddr pa) { kpool::free_pages(pa, 1); }

// A page table below the root of t's tables, charged to t (kmem.h); they
// are freed with the address space, when the charge no longer matters.
// One a failed mapping did not use goes back at once, and so does its charge.
Result<PhysAddr> table_frame(void* ctx) {
    auto* t = static_cast<Task*>(ctx);
    TRY_STATUS(kmem::charge(t, PAGE_SIZE));
    auto pa = kpool::alloc_pages(1);
    if (!pa.ok()) kmem::credit(t, PAGE_SIZE);
    return pa;
}
void table_frame_unused(void* ctx, PhysAddr pa) {
    kpool::free_pages(pa, 1);
    kmem::credit(static_cast<Task*>(ctx), PAGE_SIZE);
}
arch::FrameSource table_source(Task* t) { return arch::FrameSource{table_frame, t, table_frame_unused}; }

Result<uint16_t> alloc_asid() {
    for (unsigned w = 0; w < NR_ASIDS / 64; w++) {
        if (g_asid_used[w] == ~uint64_t(0)) continue;
        unsigned b = bits::lowest_set(~g_asid_used[w]);
        g_asid_used[w] |= uint64_t(1) << b;
        return uint16_t(w * 64 + b);
    }
    return Error::NoMemory;
}

void free_asid(uint16_t a) { g_asid_used[a / 64] &= ~(uint64_t(1) << (a % 64)); }

void list_add(Task* t, Cap* c) {
    c->map_prev = nullptr;
    c->map_next = t->mappings;
    if (t->mappings) t->mappings->map_prev = c;
    t->mappings = c;
}

void list_remove(Task* t, Cap* c) {
    if (c->map_prev)
        c->map_prev->map_next = c->map_next;
    else
        t->mappings = c->map_next;
    if (c->map_next) c->map_next->map_prev = c->map_prev;
    c->map_prev = c->map_next = nullptr;
}

}  // namespace

arch::FrameSource table_frames(Task* t) { return table_source(t); }

bool asid_in_use(uint16_t a) { return a < NR_ASIDS && (g_asid_used[a / 64] >> (a % 64)) & 1; }

unsigned asids_in_use() {
    unsigned n = 0;
    for (uint64_t w : g_asid_used) n += unsigned(bits::popcount(w));
    return n;
}

Status create(Task* t) {
    uint16_t asid = TRY(alloc_asid());
    auto root = arch::user_table_create(pool_source());
    if (!root.ok()) {
        free_asid(asid);
        return root.error();
    }
    t->pt_root = *root;
    t->asid = asid;
    t->mmu = arch::address_space_token(*root, asid);
    return {};
}

void destroy(Task* t) {
    while (Cap* c = t->mappings) {
        list_remove(t, c);
        c->mapped_in = nullptr;
        c->mapped_va = 0;
    }
    // Off these tables first if the MMU is on them (a task ending itself).
    sched::address_space_gone(t->mmu);
    if (t->pt_root.raw()) arch::user_table_destroy(t->pt_root, t->asid, pool_free);
    t->pt_root = PhysAddr(0);
    t->mmu = 0;
    free_asid(t->asid);
}

Status map_frame(Task* t, Cap* frame, VirtAddr va, uint8_t rights) {
    uint64_t size = frame->frame_bytes();
    TRY_STATUS(user_range(va.raw(), size, PageAligned::Yes));
    if (!rights::mappable(rights, frame->rights)) return Error::InvalidArgument;
    if (frame->mapped_in) return Error::Busy;
    const PhysAddr pa = Pfn(frame->frame_pfn()).to_phys();
    if (size == PAGE_SIZE)
        TRY_STATUS(arch::user_map_page(t->pt_root, va, pa, rights, table_source(t)));
    else
        TRY_STATUS(arch::user_map(t->pt_root, va, pa, size, rights, table_source(t)));
    frame->mapped_in = t;
    frame->mapped_va = va.raw();
    list_add(t, frame);
    return {};
}

Status map_fresh(Task* t, Cap* const* frames, const uint64_t* pfns, uint64_t n, VirtAddr va, uint8_t rights) {
    TRY_STATUS(arch::user_map_pages(t->pt_root, va, pfns, n, rights, table_source(t)));
    for (uint64_t i = 0; i < n; i++) {
        frames[i]->mapped_in = t;
        frames[i]->mapped_va = va.raw() + i * PAGE_SIZE;
        list_add(t, frames[i]);
    }
    return {};
}

void unmap_frame(Cap* frame) {
    Task* t = frame->mapped_in;
    if (!t) return;
    (void)arch::user_unmap(t->pt_root, t->asid, VirtAddr(frame->mapped_va), frame->frame_bytes());
    list_remove(t, frame);
    frame->mapped_in = nullptr;
    frame->mapped_va = 0;
}

Status protect_frame(Cap* frame, uint8_t rights) {
    if (!frame->mapped_in) return Error::NotFound;
    if (!rights::mappable(rights, frame->rights)) return Error::InvalidArgument;
    Task* t = frame->mapped_in;
    return arch::user_protect(t->pt_root, t->asid, VirtAddr(frame->mapped_va), frame->frame_bytes(), rights);
}

Status read_clear_ad(Cap* frame, bool* accessed, bool* dirty) {
    if (!frame->mapped_in) return Error::NotFound;
    Task* t = frame->mapped_in;
    t->ad_cleared = true;  // its faults may now be A/D updates (Svade)
    return arch::user_read_clear_ad(t->pt_root, t->asid, VirtAddr(frame->mapped_va), frame->frame_bytes(),
                                    accessed, dirty);
}

Status copy_from_user(Task* t, VirtAddr va, void* dst, uint64_t len) {
    if (va.raw() + len < va.raw()) return Error::InvalidArgument;
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        PhysAddr pa;
        if (!arch::user_readable(t->pt_root, va, &pa)) return Error::OutOfRange;
        uint64_t chunk = PAGE_SIZE - (va.raw() & (PAGE_SIZE - 1));
        if (chunk > len) chunk = len;
        const auto* src = arch::phys_to_virt(pa).as<const uint8_t>();
        uint64_t i = 0;
        if (((reinterpret_cast<uintptr_t>(src) | reinterpret_cast<uintptr_t>(out)) & 7) == 0) {
            // Word arrays (MemoryMintMap's pfns) four words a step.
            auto* o = reinterpret_cast<uint64_t*>(out);
            const auto* w = reinterpret_cast<const uint64_t*>(src);
            for (; i + 32 <= chunk; i += 32, o += 4, w += 4) {
                const uint64_t a = w[0], b = w[1], c = w[2], d = w[3];
                o[0] = a;
                o[1] = b;
                o[2] = c;
                o[3] = d;
            }
            for (; i + 8 <= chunk; i += 8) *o++ = *w++;
        }
        for (; i < chunk; i++) out[i] = src[i];
        out += chunk;
        va = va + chunk;
        len -= chunk;
    }
    return {};
}

}  // namespace vm
