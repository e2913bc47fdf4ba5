// The client side of the pager protocol (libs/abi/pager.h,
// docs/pager-protocol.md) for programs the pager starts from the boot
// bundle: one function per request, plus the start-up such a program needs.
//
// Every request is a Call on abi::PAGER_SLOT. The pager answers with an
// Error in w0; an error of the IPC itself (e.g. DeadObject, InvalidCap when
// the task was not started by the pager) comes back the same way, so a
// caller sees one Error either way.
#pragma once

#include <stdint.h>

#include "abi/pager.h"
#include "base/result.h"
#include "runtime/syscall.h"
#include "testrunner/testrunner.h"

namespace pager {

// The argument block a0 points to at entry (libs/abi/pager.h).
inline constexpr unsigned ARGV_MAX = abi::PAGER_ARGV_MAX;
using ArgBlock = abi::PagerArgs;

// Checks the argument block at `a0` and makes [abi::SLOT_FIRST_FREE,
// CAP_SLOTS) the task's free capability slots (slots() starts empty in a
// task that rt::init_root did not set up).
// InvalidArgument: a0 is 0 or unaligned, argc is 0 or above ARGV_MAX, or an
// argv entry is null.
Result<const ArgBlock*> start_task(uint64_t a0);

// start_task for a program that runs Unity tests, with a free slot for
// its grants when `grant_slot` is not null: true with what was asked for
// set, or false with the failure reported on `r` and its summary printed.
bool start_test_task(uint64_t a0, unity::Runner& r, const ArgBlock** args, unsigned* grant_slot = nullptr);

// argv[i] as an unsigned decimal number; `fallback` when absent or not a number.
uint64_t arg_number(const ArgBlock& args, unsigned i, uint64_t fallback);

// A request's reply as it came: the Error of w0 (or of the IPC itself),
// w1..w5 as results[0..4], and whether a capability landed in the recv
// slot.
struct RawReply {
    Error error;
    uint64_t results[5];
    bool cap_received;
};

// Any request, including ones the protocol does not define (tests of the
// pager's input checks). `recv_slot` 0 names no slot for a capability.
RawReply request(uint64_t op, uint64_t w1 = 0, uint64_t w2 = 0, uint64_t w3 = 0, uint64_t w4 = 0,
                 uint64_t w5 = 0, unsigned recv_slot = 0);

// A block the pager granted: where it is and which zone and node it is from.
struct Block {
    uint64_t pfn;
    unsigned order;
    uint64_t node;
    uint64_t zone;
};

// PagerOp::Alloc: 2^order frames, their Frame capability (R+W) in `slot`.
// InvalidArgument (order, zone, node or flags), NoMemory, TryAgain, OverQuota;
// Malformed when the reply claims success without a capability.
Result<Block> alloc(unsigned slot, uint64_t order, uint64_t zone = abi::PAGER_ANY,
                    uint64_t node = abi::PAGER_ANY, uint64_t flags = 0);

// PagerOp::AllocBatch: `count` order-0 frames mapped R+W at [va, va + count
// pages); returns how many were mapped. Errors as alloc, and BadAlignment,
// Busy; nothing stays mapped on error.
Result<uint64_t> alloc_batch(uint64_t count, uint64_t va, uint64_t flags = 0);

// PagerOp::Free: gives a granted block back; its capabilities and mappings
// go. NotOwned, DoubleFree, WrongOrder, InvalidArgument.
Status free(uint64_t pfn, uint64_t order);

// PagerOp::Region: [start, start + size) served by demand-zero faults.
// BadAlignment, InvalidArgument (outside user space, overlapping), NoMemory.
Status region(uint64_t start, uint64_t size, uint64_t kind);

// PagerOp::Stats.
struct SelfStats {
    uint64_t held, quota, blocks;
};
Result<SelfStats> self_stats();

struct MemInfo {
    uint64_t managed, free, granted, lru;
    uint64_t minted;  // allocated and minted ahead of requests, nobody's yet
};
Result<MemInfo> meminfo();

// The pager prints meminfo, buddyinfo and zoneinfo on its console.
Status print_stats();

// The pager checks its own state (PAGER_STAT_VERIFY). Malformed when it
// is inconsistent (a pager bug; it prints what it found).
Status verify();

// The pager's own kernel memory account (PAGER_STAT_KMEM).
Result<uint64_t> pager_kmem();

}  // namespace pager
