// The pager: the root task. It owns mem_map's contents, the zoned buddy
// allocator and the LRU lists (libs/buddy), starts the programs of the boot
// bundle, and serves their frame requests and page faults over IPC
// (libs/abi/pager.h, docs/pager-protocol.md).
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "abi/cap.h"
#include "abi/pager.h"
#include "base/bits.h"
#include "base/result.h"
#include "buddy/buddy.h"
#include "buddy/lru.h"
#include "runtime/slots.h"
#include "runtime/zero.h"

namespace pager {

// The pager's own address space, besides its image and what the kernel put
// there (boot info, mem_map, initrd):
//   PHYSMAP_BASE + pa   every frame of its Memory capabilities, read-write
inline constexpr uint64_t PHYSMAP_BASE = 0x1000000000ull;
inline constexpr uint64_t PHYSMAP_LIMIT = 0x3000000000ull;  // so RAM up to 128 GiB

// The frame's bytes through the pager's physical map.
inline uint8_t* phys_ptr(Pfn pfn) {
    return reinterpret_cast<uint8_t*>(PHYSMAP_BASE + (pfn.raw() << PAGE_SHIFT));
}

// Writes zeros over the block [pfn, pfn + 2^order) through the physical map.
inline void zero_frames(Pfn pfn, Order order) {
    uint8_t* p = phys_ptr(pfn);
    for (uint64_t off = 0; off < order.bytes(); off += PAGE_SIZE) zero_page(p + off);
}

// Slots of the pager's own table.
inline constexpr unsigned REPLY_SLOT = abi::SLOT_ROOT_FREE;  // the Reply cap of the request in hand
inline constexpr unsigned FIRST_DYNAMIC_SLOT = abi::SLOT_ROOT_FREE + 1;

// ---- the pager's capability slots ------------------------------------------
// Slots [FIRST_DYNAMIC_SLOT, FRAME_TABLE) are its own, handed out by the
// runtime's slot allocator (slots()): its physical map and the Task and
// Thread of each task it starts. From FRAME_TABLE on lies the frame
// table: the Frame capability of a granted block sits in the slot of its
// first frame (frame_slot), so that granting takes no slot of its own and
// grants are bounded by memory and quotas alone.
inline constexpr uint64_t FRAME_TABLE = abi::ROOT_CAP_SLOTS;

// ---- physmem.cc: taking over physical memory -------------------------------
// A Memory capability the pager serves frames from, and the slots of its
// frames in the frame table: frame p's is window + (p - first).
struct MemoryRange {
    unsigned slot;
    uint64_t first, pages;
    uint64_t window;
    bool contains(Pfn pfn) const { return pfn.raw() - first < pages; }
};

struct Memory {
    mm::Buddy buddy;
    mm::Lru lru{buddy};
    const abi::BootInfo* boot = nullptr;
    MemoryRange ranges[abi::BOOT_MAX_MEMORY];
    unsigned nr_ranges = 0;
    uint64_t table_base = 0;       // the first frame of the frame table: its slot is FRAME_TABLE
    uint64_t table_donated = 0;    // bytes given to the kernel's pool for the frame table's room
    uint64_t tables_donated = 0;   // and for the tasks' page tables (clients.cc: kmem_limit)
    uint64_t start_free = 0;       // free frames once every boot frame was handed over
    uint64_t own_pages = 0;        // allocated for the pager's own bookkeeping (regions.cc)
    uint64_t start_pool_free = 0;  // then the kernel pool's free bytes,
    uint64_t start_kmem = 0;       // and the kernel memory charged to the pager
};
namespace detail {
// Built in place by memory_init, first thing (the runtime runs no global
// constructors), so that memory() is a plain address on every request.
alignas(Memory) inline unsigned char g_memory[sizeof(Memory)];
}  // namespace detail
inline Memory& memory() { return *std::launder(reinterpret_cast<Memory*>(detail::g_memory)); }

// Gives the kernel's pool the room for the frame table, maps the rest of
// the Memory caps, builds the zones over mem_map and frees every frame of
// them (the source material's free_all_bootmem), logging totals per zone.
Status memory_init(const abi::BootInfo* boot);

// ---- clients.cc: the tasks the pager starts --------------------------------
inline constexpr unsigned MAX_CLIENTS = 32;
inline constexpr unsigned MAX_REGIONS = 8;
inline constexpr uint64_t DEFAULT_QUOTA = 16384;  // 64 MiB
// A task's kernel memory limit allows a page table for every this many
// pages of its quota, and the pager gives the kernel's pool that room for
// all of memory.
inline constexpr uint64_t PAGES_PER_TABLE_ROOM = 256;
// Pages of kernel memory a task gets besides that, unless its manifest
// line says (kmem=).
inline constexpr uint64_t DEFAULT_KMEM = 16;
// A manifest's quota (0: none given) as the task gets it.
constexpr uint64_t quota_or_default(uint64_t quota_pages) {
    return quota_pages ? quota_pages : DEFAULT_QUOTA;
}

// A Region request's range, served by demand-zero faults (Heap and Stack
// alike; regions.cc). Where huge pages may serve it, a bitmap (from the
// pager's own memory) marks the aligned 2 MiB chunks already served with
// 4 KiB frames, which stay so.
struct Region {
    uint64_t start, end;
    uint64_t* small_chunks;  // nullptr: 4 KiB frames only
    Pfn bitmap_pfn;
    uint8_t bitmap_order;
};

struct Client {
    bool used;
    bool exited;
    uint32_t id;  // the badge of its endpoint
    int status;
    char name[33];
    unsigned task_slot, thread_slot;
    uint64_t quota, held_pages, blocks;
    uint64_t kmem_reserved;  // its kernel memory limit and structures, from the pager's budget
    uint32_t first_block;    // its granted blocks, linked through Page::owner_next (PFN_NONE: none)
    Region regions[MAX_REGIONS];
    unsigned nr_regions;
    bool driver;          // started with driver= (devices.cc)
    bool ended_by_pager;  // a driver the pager ended, its clients gone: success
};

// Starts the programs the boot bundle's manifest names.
void load_bundle(const abi::BootInfo* boot);

// A new client record, or nullptr when all MAX_CLIENTS are in use.
Client* client_new(const char* name, uint64_t quota);
namespace clients_detail {
inline constinit Client g_clients[MAX_CLIENTS] = {};
inline constinit unsigned g_alive = 0;
}  // namespace clients_detail
// The live client whose badge (id) this is, or nullptr. Inline, as the
// one below: every request asks.
inline Client* client_by_badge(uint64_t badge) {
    if (badge == 0 || badge > MAX_CLIENTS) return nullptr;
    Client* c = &clients_detail::g_clients[badge - 1];
    return c->used && !c->exited ? c : nullptr;
}
inline unsigned clients_alive() { return clients_detail::g_alive; }
// Marks `c` ended (once) with its exit status: its Task and Thread caps go
// and its kernel memory reservation returns to the budget.
void client_ended(Client* c, int status);
bool clients_all_succeeded();

// ---- devices.cc: the drivers the pager starts ---------------------------------
// Whether a virtio block driver can be started: there is a virtio block
// device, nobody drives it, its registers begin a page. Errors, with
// *why: NotFound, Busy, Unsupported.
Status block_device_free(const char** why);
// Gives `c`, being started with driver=virtio-blk (its thread not yet),
// what a virtio block driver starts with (abi/block.h). Errors, with
// *why: NotFound (no virtio block device), Busy (its driver runs
// already), Unsupported, those of the calls.
Status give_block_kit(Client* c, const char** why);
// `c` is ending and everything it holds is about to come back: if it is
// a driver, its device is reset first (it may still point at the
// memory), and the endpoint it served goes, so that its clients get
// errors, not a wait for good.
void driver_ending(Client* c);
// Once drivers are the only tasks left, ends them (their end notices
// come back as for any task). Asked at the pager's start and whenever a
// task ends (client_ended), never per request.
void end_idle_drivers();
// Every program of the bundle has been started: from now on drivers left
// alone end (and now, if they are).
void drivers_may_end();

// ---- grants.cc: the blocks granted to the tasks ----------------------------
// The slot of the Frame capability of the block whose first frame is pfn
// (a frame of a served range).
inline uint64_t frame_slot(Pfn pfn) { return FRAME_TABLE + (pfn.raw() - memory().table_base); }
// The served range that holds `pfn`, or nullptr. Every served range lies
// in mem_map (it is free RAM the kernel handed over), so a frame of one
// has a descriptor.
const MemoryRange* range_of(Pfn pfn);

// A block granted to `c`: taken from the buddy allocator, put on the LRU
// lists and on c's list of blocks, its Frame capability (the parent of
// every copy the client gets, with `rights`) in the frame table. `va` is
// where it is mapped for the client (0: not by the pager). Errors:
// OverQuota, those of the buddy allocator and of minting (OutOfSlots:
// the frame table's room is used up).
struct Grant {
    Pfn pfn;
    uint64_t slot;
};
Result<Grant> grant(Client* c, mm::AllocRequest req, uint64_t va,
                    uint8_t rights = abi::RIGHT_READ | abi::RIGHT_WRITE);
// What a demand-zero fault asks the allocator for (the pager zeroes it).
inline constexpr mm::AllocRequest DEMAND_ZERO_REQUEST = mm::AllocRequest::of(0, mm::GFP_MOVABLE);
// Gives back the frames minted ahead of the commonest requests (see
// grants.cc); false if there were none. How many there are now.
bool minted_drain();
unsigned minted_count();
// `count` (1..64) order-0 frames (as `req` asks, its order ignored)
// granted to `c` and mapped read-write at
// [va, va + count pages) in its address space, minted and mapped by one
// kernel call per Memory range they come from (Sys::MemoryMintMap). All or
// nothing. Errors: OverQuota, those of the buddy allocator and the kernel.
Status grant_mapped(Client* c, uint64_t va, unsigned count, mm::AllocRequest req);

// Cache k of the frames minted ahead: n frames (each minted into its
// frame_slot).
inline constexpr unsigned NR_MINTED_CACHES = 2;
struct MintedView {
    const uint64_t* pfns;
    unsigned n;
};
MintedView minted_view(unsigned k);

// Takes a block back: revokes every copy (and mapping) of its capability,
// frees it. Errors: NotOwned, DoubleFree, WrongOrder, InvalidArgument.
Status ungrant(Client* c, Pfn pfn, unsigned order);
// Everything `c` holds goes back (it exited or was killed).
void release_all(Client* c);

// ---- regions.cc: demand-zero regions, with huge pages ---------------------
// Transparent huge pages, as Linux's transparent_hugepage=: thp= on the
// kernel command line (never, madvise, always; madvise by default).
enum class Thp : uint8_t { Never, Madvise, Always };
void thp_init(const abi::BootInfo* boot);
Thp thp_policy();
// A Region request (abi::PagerOp::Region). Errors as the protocol says.
Status region_add(Client* c, uint64_t start, uint64_t size, uint64_t kind);
// The region of c that holds `addr`, or nullptr.
Region* region_of(Client* c, uint64_t addr);
// A demand-zero fault at `addr` in c's region `r`: a frame granted and
// zeroed, to be mapped at `va` (a 2 MiB frame at the aligned 2 MiB around
// addr, or a 4 KiB one at its page). Errors: those of grant().
struct FaultFrame {
    uint64_t va;
    uint64_t slot;
};
Result<FaultFrame> region_fault(Client* c, Region& r, uint64_t addr);
// Frees what c's regions keep (it ended).
void regions_release(Client* c);

// ---- server.cc: the entry (main) and the request loop ----------------------
[[noreturn]] void serve();

// ---- verify.cc: the pager's check of its own state ------------------------
// The buddy allocator's check, the clients' lists of blocks against the
// allocator, the LRU lists, the minted caches, the clients' counts and the kernel's
// capabilities, and the free count against what is granted and minted.
// Errors: Malformed, with the first problem written to `why`.
Status verify(const TextSink* why = nullptr);

}  // namespace pager
