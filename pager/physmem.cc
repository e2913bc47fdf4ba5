// Taking over physical memory: the pager's physical map of its Memory
// capabilities, the zones over mem_map, and free_all_bootmem.
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
        unsigned slot = TRY(slot_alloc());
        TRY_STATUS(sys::memory_mint_frame(memory_slot, pfn, order, abi::RIGHT_READ | abi::RIGHT_WRITE, slot));
        TRY_STATUS(sys::map(0, slot, PHYSMAP_BASE + (pfn << PAGE_SHIFT), abi::RIGHT_READ | abi::RIGHT_WRITE));
        pfn += uint64_t(1) << order;
    }
    return {};
}

void zero_block(void*, Pfn pfn, Order order) { zero_frames(pfn, order); }

}  // namespace

Status memory_init(const abi::BootInfo* b) {
    new (detail::g_memory) Memory();
    memory().boot = b;
    for (unsigned i = 0; i < b->nr_memory; i++) {
        const abi::BootMemory& m = b->memory[i];
        if (PHYSMAP_BASE + ((m.first_pfn + m.pages) << PAGE_SHIFT) > PHYSMAP_LIMIT) {
            uprintf("pager: memory at pfn %#lx is beyond the pager's physical map; left unused\n",
                    m.first_pfn);
            continue;
        }
        TRY_STATUS(physmap_range(m.slot, m.first_pfn, m.pages));
    }
    mm::MemoryLayout layout = layout_from(b);
    // Pageblock flags live in the last frames of the largest Memory range.
    size_t storage_bytes = mm::Buddy::pageblock_storage_size(layout);
    uint64_t storage_pages = (storage_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    unsigned largest = 0;
    for (unsigned i = 1; i < b->nr_memory; i++)
        if (b->memory[i].pages > b->memory[largest].pages) largest = i;
    const abi::BootMemory& big = b->memory[largest];
    if (big.pages <= storage_pages) return Error::NoMemory;
    Pfn storage_pfn(big.first_pfn + big.pages - storage_pages);
    mm::BuddyConfig config;
    config.zero = mm::ZeroHook{zero_block, nullptr};
    TRY_STATUS(memory().buddy.init(layout, mm::MemMap(b->mem_map_vaddr), phys_ptr(storage_pfn),
                                   storage_pages * PAGE_SIZE, config));
    // free_all_bootmem: every frame of every Memory cap but the storage.
    for (unsigned i = 0; i < b->nr_memory; i++) {
        const abi::BootMemory& m = b->memory[i];
        uint64_t end = m.first_pfn + m.pages;
        if (i == largest) end -= storage_pages;
        if (PHYSMAP_BASE + (end << PAGE_SHIFT) > PHYSMAP_LIMIT || end <= m.first_pfn) continue;
        TRY_STATUS(memory().buddy.free_bootmem_range(Pfn(m.first_pfn), Pfn(end)));
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
    TRY_STATUS(grant_table_init());
    // The kernel's room for every slot slot_alloc() hands out, made once
    // now: grants would otherwise pay for it whenever they reach slots not
    // used before.
    TRY_STATUS(make_slot_room(FIRST_DYNAMIC_SLOT, abi::ROOT_CAP_SLOTS));
    memory().start_free = memory().buddy.nr_free_pages();
    uprintf("pager: free pages at start: %lu\n", memory().start_free);
    return {};
}

}  // namespace pager
