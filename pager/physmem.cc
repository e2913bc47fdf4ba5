// Taking over physical memory: the room for what grants need in the
// kernel's pool, the pager's physical map of its Memory capabilities, the zones
// over mem_map, and free_all_bootmem.
#include "buddy/introspect.h"
#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"

namespace pager {

namespace {

mm::MemoryLayout layout_from(const abi::BootInfo* b) {
    mm::MemoryLayout l{};
    l.nr_nodes = uint8_t(b->nr_nodes);
    for (unsigned n = 0; n < b->nr_nodes; n++) {
        const abi::BootNode& bn = b->nodes[n];
        l.nodes[n].start = Pfn(bn.start_pfn);
        l.nodes[n].spanned = bn.end_pfn - bn.start_pfn;
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            l.nodes[n].zones[z].start = Pfn(bn.zones[z].start_pfn);
            l.nodes[n].zones[z].spanned = bn.zones[z].spanned;
            l.nodes[n].zones[z].present = bn.zones[z].present;
        }
        for (unsigned k = 0; k < mm::MAX_NUMNODES; k++) l.distance[n][k] = b->distance[n][k];
    }
    return l;
}

// Maps [first, first + pages) at PHYSMAP_BASE + pa with the largest
// naturally aligned Frames (up to 1 GiB), minted from `memory_slot`.
Status physmap_range(unsigned memory_slot, uint64_t first, uint64_t pages) {
    uint64_t pfn = first, end = first + pages;
    while (pfn < end) {
        unsigned order = bits::highest_set(end - pfn);
        if (pfn && bits::lowest_set(pfn) < order) order = bits::lowest_set(pfn);
        if (order > abi::FRAME_ORDER_MAX) order = abi::FRAME_ORDER_MAX;
        unsigned slot = TRY(slots().alloc());
        TRY_STATUS(sys::memory_mint_frame(memory_slot, pfn, order, abi::RIGHT_READ | abi::RIGHT_WRITE, slot));
        TRY_STATUS(sys::map(0, slot, PHYSMAP_BASE + (pfn << PAGE_SHIFT), abi::RIGHT_READ | abi::RIGHT_WRITE));
        pfn += uint64_t(1) << order;
    }
    return {};
}

// The ranges the pager serves: every Memory capability that its physical
// map reaches and the frame table has slots for, with their windows.
Status serve_ranges(const abi::BootInfo* b) {
    Memory& m = memory();
    m.table_base = ~uint64_t(0);
    for (unsigned i = 0; i < b->nr_memory; i++)
        if (b->memory[i].first_pfn < m.table_base) m.table_base = b->memory[i].first_pfn;
    for (unsigned i = 0; i < b->nr_memory; i++) {
        const abi::BootMemory& bm = b->memory[i];
        const uint64_t end = bm.first_pfn + bm.pages;
        if (PHYSMAP_BASE + (end << PAGE_SHIFT) > PHYSMAP_LIMIT ||
            FRAME_TABLE + (end - m.table_base) > abi::MAX_CAP_SLOTS) {
            uprintf("pager: memory at pfn %#lx is beyond the pager's reach; left unused\n", bm.first_pfn);
            continue;
        }
        m.ranges[m.nr_ranges++] =
            MemoryRange{bm.slot, bm.first_pfn, bm.pages, FRAME_TABLE + (bm.first_pfn - m.table_base)};
    }
    return m.nr_ranges ? ok_status() : Status(Error::NoMemory);
}

// The kernel pool pages the frame table can take at most: a leaf for each
// abi::CAP_LEAF_SLOTS slots of every range, and its directory (an entry
// a leaf) while it doubles, the old and the new one side by side.
uint64_t frame_table_pages() {
    const Memory& m = memory();
    uint64_t leaves = 0, end_slot = 0;
    for (unsigned i = 0; i < m.nr_ranges; i++) {
        const MemoryRange& r = m.ranges[i];
        leaves += r.pages / abi::CAP_LEAF_SLOTS + 2;  // a part leaf at each end
        if (r.window + r.pages > end_slot) end_slot = r.window + r.pages;
    }
    const uint64_t dir_bytes = (end_slot / abi::CAP_LEAF_SLOTS + 1) * sizeof(uint64_t);
    const uint64_t dir_pages = uint64_t(1) << bits::log2_ceil((dir_bytes + PAGE_SIZE - 1) / PAGE_SIZE);
    return leaves + dir_pages + dir_pages / 2;
}

// The kernel keeps the frame table and the tasks' page tables in its
// pool, which is sized for its own objects: the pager gives it the room
// its grants can need, from the start of its largest range
// (MemoryDonate), as a task provides the memory for its tables. The page
// tables' room is a table for every PAGES_PER_TABLE_ROOM frames, which the
// tasks' kernel memory limits are made of (clients.cc).
Status donate_grant_room() {
    Memory& m = memory();
    MemoryRange* largest = &m.ranges[0];
    uint64_t served = 0;
    for (unsigned i = 0; i < m.nr_ranges; i++) {
        served += m.ranges[i].pages;
        if (m.ranges[i].pages > largest->pages) largest = &m.ranges[i];
    }
    const uint64_t table = frame_table_pages(), tables = served / PAGES_PER_TABLE_ROOM;
    const uint64_t pages = table + tables;
    if (largest->pages < 2 * pages) return Error::NoMemory;
    TRY_STATUS(sys::memory_donate(largest->slot, largest->first, pages));
    // The kernel counts a window from the capability's first frame: the
    // slots stay where frame_slot() puts them.
    largest->first += pages;
    largest->pages -= pages;
    largest->window += pages;
    m.table_donated = table * PAGE_SIZE;
    m.tables_donated = tables * PAGE_SIZE;
    return {};
}

void zero_block(void*, Pfn pfn, Order order) { zero_frames(pfn, order); }

}  // namespace

Status memory_init(const abi::BootInfo* b) {
    new (detail::g_memory) Memory();
    memory().boot = b;
    slots().reset(FIRST_DYNAMIC_SLOT, FRAME_TABLE);
    TRY_STATUS(serve_ranges(b));
    TRY_STATUS(donate_grant_room());
    Memory& m = memory();
    for (unsigned i = 0; i < m.nr_ranges; i++)
        TRY_STATUS(physmap_range(m.ranges[i].slot, m.ranges[i].first, m.ranges[i].pages));
    mm::MemoryLayout layout = layout_from(b);
    // Pageblock flags live in the last frames of the largest range.
    size_t storage_bytes = mm::Buddy::pageblock_storage_size(layout);
    uint64_t storage_pages = (storage_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    unsigned largest = 0;
    for (unsigned i = 1; i < m.nr_ranges; i++)
        if (m.ranges[i].pages > m.ranges[largest].pages) largest = i;
    const MemoryRange& big = m.ranges[largest];
    if (big.pages <= storage_pages) return Error::NoMemory;
    Pfn storage_pfn(big.first + big.pages - storage_pages);
    mm::BuddyConfig config;
    config.zero = mm::ZeroHook{zero_block, nullptr};
    TRY_STATUS(memory().buddy.init(layout, mm::MemMap(b->mem_map_vaddr), phys_ptr(storage_pfn),
                                   storage_pages * PAGE_SIZE, config));
    // free_all_bootmem: every frame of every range but the storage.
    for (unsigned i = 0; i < m.nr_ranges; i++) {
        const MemoryRange& r = m.ranges[i];
        uint64_t end = r.first + r.pages;
        if (i == largest) end -= storage_pages;
        if (end <= r.first) continue;
        TRY_STATUS(memory().buddy.free_bootmem_range(Pfn(r.first), Pfn(end)));
    }
    memory().buddy.drain_pcp();
    for (unsigned n = 0; n < memory().buddy.nr_nodes(); n++) {
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            mm::ZoneStats st = mm::zone_stats(memory().buddy, n, mm::ZoneType(z));
            if (!st.present) continue;
            uprintf("pager: Node %u %-7s %8lu pages present, %8lu free (%lu MiB)\n", n,
                    mm::zone_name(mm::ZoneType(z)), st.present, st.free_pages, st.free_pages >> 8);
        }
    }
    memory().start_free = memory().buddy.nr_free_pages();
    m.start_pool_free = TRY(sys::kernel_info()).pool_free;
    m.start_kmem = TRY(sys::kmem_info()).used;
    uprintf("pager: given to the kernel's pool: %lu KiB for the frame table, %lu KiB for page tables\n",
            m.table_donated / 1024, m.tables_donated / 1024);
    uprintf("pager: free pages at start: %lu\n", memory().start_free);
    return {};
}

}  // namespace pager
