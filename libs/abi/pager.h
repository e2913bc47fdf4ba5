// The pager protocol: what user tasks ask the pager for, over IPC.
// docs/pager-protocol.md explains it with examples.
//
// Every request is a Call on the endpoint the pager gave the task
// (PAGER_SLOT in its table, badged with the task's pager id):
//   w0 = PagerOp, w1..w5 = arguments
// Every reply: w0 = Error (0 = success), w1..w5 = results. A Frame
// capability in a reply lands in the slot the Call named as recv_cap.
#pragma once

#include <stdint.h>

namespace abi {

// Where a task loaded by the pager finds its endpoint to the pager.
inline constexpr unsigned PAGER_SLOT = 4;

// A task's fault endpoint and its end notice's endpoint carry its pager id
// with this bit set, which its own endpoint (PAGER_SLOT) never does: only
// the kernel can send a fault or an end notice for it.
inline constexpr uint64_t PAGER_FAULT_BADGE = uint64_t(1) << 40;

// The argument block a0 points to when a program the pager started begins:
// argc, then argv (argv[0] is the program's name from the manifest; the
// strings follow in the same read-only page; unused entries are 0).
inline constexpr unsigned PAGER_ARGV_MAX = 9;
struct PagerArgs {
    uint64_t argc;
    const char* argv[PAGER_ARGV_MAX];
};

// A program's layout besides its image (linked at USER_BASE and up, below
// 0x3000000000): its stack ends at PAGER_STACK_TOP, its arguments are in
// the page at PAGER_ARGS_VA.
inline constexpr uint64_t PAGER_STACK_TOP = 0x3f00000000ull;
inline constexpr uint64_t PAGER_STACK_PAGES = 16;
inline constexpr uint64_t PAGER_ARGS_VA = PAGER_STACK_TOP;

enum class PagerOp : uint64_t {
    // w1 = order (0..10), w2 = zone (PAGER_ANY or mm::ZoneType), w3 = node
    // (PAGER_ANY or a node id), w4 = PagerFlags.
    // -> a Frame cap (R+W, and X with PAGER_EXEC) into recv_cap; w1 = pfn,
    // w2 = node, w3 = zone.
    // Errors: InvalidArgument (order, zone, node, flags), NoMemory,
    // TryAgain (below the watermark: reclaim would help), OverQuota.
    Alloc = 1,
    // w1 = count (1..PAGER_BATCH_MAX), w2 = user address (page aligned),
    // w4 = PagerFlags: order-0 frames mapped R+W at [w2, w2 + count pages).
    // -> w1 = frames mapped. Errors as Alloc, and those of mapping
    // (BadAlignment, InvalidArgument, Busy); nothing stays mapped on error.
    AllocBatch = 2,
    // w1 = pfn, w2 = order: give back a block this task was granted (its
    // mappings and capabilities go). Errors: InvalidArgument (order),
    // NotOwned (not this task's), DoubleFree (not allocated), WrongOrder.
    Free = 3,
    // w1 = which: PAGER_STAT_MEMINFO -> w1 total frames, w2 free frames,
    //   w3 frames granted, w4 frames on the LRU lists, w5 frames the pager
    //   has allocated and minted ahead of requests (granted to nobody);
    // PAGER_STAT_SELF -> w1 frames held, w2 quota, w3 blocks held;
    // PAGER_STAT_PRINT -> the pager prints meminfo, buddyinfo and zoneinfo;
    // PAGER_STAT_VERIFY -> the pager checks its own state: Malformed (and
    // what it found on the console) when it is inconsistent;
    // PAGER_STAT_KMEM -> w1 the pager's own kernel memory account: its
    // page tables, what its capability space grew by, and its
    // reservations for the tasks it started.
    Stats = 4,
    // w1 = start, w2 = size (page aligned), w3 = PagerRegion, or'ed with
    // PAGER_REGION_HUGEPAGE: a region served by demand-zero page faults
    // (with 2 MiB frames where the pager's thp= policy and the flag say).
    // Errors: BadAlignment, InvalidArgument (outside user space, overlaps
    // a region, an unknown kind or flag), NoMemory (too many regions).
    Region = 5,
};

inline constexpr uint64_t PAGER_ANY = 0xff;
inline constexpr uint64_t PAGER_BATCH_MAX = 64;

enum PagerFlags : uint64_t {
    PAGER_ZERO = 1,     // frames filled with zeroes
    PAGER_MOVABLE = 2,  // may come from ZONE_MOVABLE
    PAGER_EXEC = 4,     // Alloc only: the Frame capability also allows executing
};

enum PagerStat : uint64_t {
    PAGER_STAT_MEMINFO = 0,
    PAGER_STAT_SELF = 1,
    PAGER_STAT_PRINT = 2,
    PAGER_STAT_VERIFY = 3,
    PAGER_STAT_KMEM = 4,
};
enum class PagerRegion : uint64_t { Heap = 1, Stack = 2 };
// Region flag, as Linux's madvise(MADV_HUGEPAGE): serve the region's
// faults with 2 MiB frames where a whole aligned 2 MiB of it is untouched
// and such a block is free (with thp=madvise, the default; thp=always
// does it for every region, thp=never for none).
inline constexpr uint64_t PAGER_REGION_HUGEPAGE = uint64_t(1) << 8;
inline constexpr uint64_t PAGER_REGION_KIND_MASK = 0xff;

}  // namespace abi
