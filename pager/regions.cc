// Demand-zero regions (abi::PagerOp::Region) and the faults that fill
// them, with 4 KiB frames or, where the policy allows, 2 MiB ones
// (transparent huge pages, as in the source material's later kernels).
//
// A fault in a region where huge pages may serve it takes an order-9
// block for the whole aligned 2 MiB around the address when all of it
// lies in the region, none of it was served with 4 KiB frames yet, the
// task's quota has room for 512 pages and the allocator has such a block
// (never reclaiming or compacting for it); the reply maps it with one
// 2 MiB leaf. Otherwise the fault gets a 4 KiB frame, and its chunk is
// marked so that it stays with 4 KiB frames (a 2 MiB mapping would
// collide with the pages there). The mobility grouping of the buddy
// allocator is what keeps order-9 blocks around as memory fills and
// empties (docs/performance.md measures it).
#include "abi/syscall.h"
#include "cmdline/cmdline.h"
#include "pager/pager.h"
#include "runtime/console.h"

namespace pager {

namespace {

constexpr uint64_t HUGE_SIZE = uint64_t(1) << 21;
constexpr unsigned HUGE_ORDER = 9;
static_assert(PAGE_SIZE << HUGE_ORDER == HUGE_SIZE);
constexpr mm::AllocRequest HUGE_REQUEST = mm::AllocRequest::of(HUGE_ORDER, mm::GFP_MOVABLE);

constinit Thp g_thp = Thp::Madvise;

bool huge_allowed(uint64_t kind) {
    return g_thp == Thp::Always || (g_thp == Thp::Madvise && (kind & abi::PAGER_REGION_HUGEPAGE));
}

// The bitmap of `r`'s chunks, one bit per aligned 2 MiB it overlaps,
// from the pager's own memory (Memory::own_pages). False when there is
// none to be had: the region is then served with 4 KiB frames.
bool make_chunk_bitmap(Region& r) {
    const uint64_t chunks = ((r.end - 1) >> 21) - (r.start >> 21) + 1;
    const uint64_t pages = (chunks + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);
    const unsigned order = bits::log2_ceil(pages);
    auto got = memory().buddy.alloc(mm::AllocRequest::of(order, mm::GFP_ZERO));
    if (!got.ok()) return false;
    r.small_chunks = reinterpret_cast<uint64_t*>(phys_ptr(*got));
    r.bitmap_pfn = *got;
    r.bitmap_order = uint8_t(order);
    memory().own_pages += uint64_t(1) << order;
    return true;
}

uint64_t chunk_index(const Region& r, uint64_t addr) { return (addr >> 21) - (r.start >> 21); }
bool chunk_small(const Region& r, uint64_t i) { return (r.small_chunks[i / 64] >> (i % 64)) & 1; }
void mark_chunk_small(Region& r, uint64_t i) { r.small_chunks[i / 64] |= uint64_t(1) << (i % 64); }

// The 2 MiB frame for a fault at `addr` in `r`, if it may and can have one.
Result<FaultFrame> huge_fault(Client* c, Region& r, uint64_t addr) {
    const uint64_t va = addr & ~(HUGE_SIZE - 1);
    if (va < r.start || va + HUGE_SIZE > r.end || chunk_small(r, chunk_index(r, addr)))
        return Error::NotFound;
    if (c->held_pages + (uint64_t(1) << HUGE_ORDER) > c->quota) return Error::OverQuota;
    Grant g = TRY(grant(c, HUGE_REQUEST, va));
    zero_frames(g.pfn, Order(HUGE_ORDER));
    return FaultFrame{va, g.slot};
}

}  // namespace

void thp_init(const abi::BootInfo* boot) {
    Cmdline cmdline(boot->cmdline, boot->cmdline_len < sizeof boot->cmdline ? boot->cmdline_len : 0);
    CmdlineParam p;
    if (cmdline.find("thp", p)) {
        if (p.value.equals("never"))
            g_thp = Thp::Never;
        else if (p.value.equals("madvise"))
            g_thp = Thp::Madvise;
        else if (p.value.equals("always"))
            g_thp = Thp::Always;
        else
            uprintf("pager: thp=%.*s ignored (never, madvise or always)\n", int(p.value.len), p.value.data);
    }
    static const char* const names[] = {"never", "madvise", "always"};
    uprintf("pager: transparent huge pages: %s\n", names[unsigned(g_thp)]);
}

Thp thp_policy() { return g_thp; }

Status region_add(Client* c, uint64_t start, uint64_t size, uint64_t kind) {
    if ((start | size) & (PAGE_SIZE - 1)) return Error::BadAlignment;
    if (size == 0 || start < abi::USER_BASE || start >= abi::USER_END || size > abi::USER_END - start)
        return Error::InvalidArgument;
    const uint64_t type = kind & abi::PAGER_REGION_KIND_MASK;
    if (type != uint64_t(abi::PagerRegion::Heap) && type != uint64_t(abi::PagerRegion::Stack))
        return Error::InvalidArgument;
    if (kind & ~(abi::PAGER_REGION_KIND_MASK | abi::PAGER_REGION_HUGEPAGE)) return Error::InvalidArgument;
    for (unsigned i = 0; i < c->nr_regions; i++)
        if (start < c->regions[i].end && c->regions[i].start < start + size) return Error::InvalidArgument;
    if (c->nr_regions == MAX_REGIONS) return Error::NoMemory;
    Region& r = c->regions[c->nr_regions++];
    r = Region{start, start + size, nullptr, Pfn(0), 0};
    // A region smaller than an aligned 2 MiB never has a huge page.
    const uint64_t first_huge = align_up(start, HUGE_SIZE);
    if (huge_allowed(kind) && first_huge + HUGE_SIZE <= r.end) (void)make_chunk_bitmap(r);
    return {};
}

Region* region_of(Client* c, uint64_t addr) {
    for (unsigned i = 0; i < c->nr_regions; i++)
        if (addr >= c->regions[i].start && addr < c->regions[i].end) return &c->regions[i];
    return nullptr;
}

Result<FaultFrame> region_fault(Client* c, Region& r, uint64_t addr) {
    if (r.small_chunks) {
        if (auto huge = huge_fault(c, r, addr); huge.ok()) return huge;
        mark_chunk_small(r, chunk_index(r, addr));
    }
    // Zeroed here rather than by the allocator (GFP_ZERO), whose fast path
    // serves only requests it need not touch the memory for.
    const uint64_t page = addr & ~(PAGE_SIZE - 1);
    Grant g = TRY(grant(c, DEMAND_ZERO_REQUEST, page));
    zero_frames(g.pfn, Order(0));
    return FaultFrame{page, g.slot};
}

void regions_release(Client* c) {
    for (unsigned i = 0; i < c->nr_regions; i++) {
        Region& r = c->regions[i];
        if (!r.small_chunks) continue;
        (void)memory().buddy.free(r.bitmap_pfn, Order(r.bitmap_order));
        memory().own_pages -= uint64_t(1) << r.bitmap_order;
        r.small_chunks = nullptr;
    }
    c->nr_regions = 0;
}

}  // namespace pager
