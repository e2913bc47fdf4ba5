// The system call ABI, shared by the kernel and user code.
//
// Registers (RISC-V, `ecall` from U-mode):
//   Ordinary calls:  in   a7 = Sys number, a0..a5 = arguments
//                    out  a0 = Error (0 = success), a1..a3 = results
//   IPC calls (Send, Recv, Call, Reply, ReplyRecv, and the fault protocol):
//                    in   a7 = Sys number, a6 = IpcInfo, a0..a5 = message words
//                    out  a7 = Error, a6 = IpcResult (badge and flags),
//                         a0..a5 = message words received (Recv, Call, ReplyRecv)
// t0..t6 are not preserved (as across a function call): they are zero on
// return. Every other register is preserved. Capabilities are named by slot
// numbers in the calling task's table; slot 0 is always empty.
//
// Every argument is untrusted: each call checks all of them before it
// changes anything, so an error leaves no partial state (docs/syscalls.md).
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "base/error.h"

namespace abi {

enum class Sys : uint64_t {
    // Miscellaneous.
    Null = 0,        // nothing; returns None (benchmarks)
    DebugWrite = 1,  // a0 = user address, a1 = length (<= 4096): print to the console
    Exit = 2,        // a0 = status: ends the calling task
    Yield = 3,       // gives up the rest of the time slice
    KernelInfo = 4,  // a0 = KERNEL_INFO_POOL -> a1 = pool free bytes, a2 = pool total bytes, a3 = ticks;
    // a0 = KERNEL_INFO_KMEM -> a1 = the caller's kernel memory used, a2 = its limit (0: none),
    //   a3 = what TaskCreate reserves for a task besides its limit

    // Capabilities (any type).
    CapIdentify = 10,  // a0 = slot -> a1 = CapType, a2 = rights, a3 = type-specific word
    CapCopy = 11,      // a0 = src slot, a1 = dst Task slot (0 = own table), a2 = dst slot,
                       // a3 = rights mask (result = src rights & mask), a4 = badge (endpoints; 0 keeps)
    CapMove = 12,      // a0 = src slot, a1 = dst slot (own table)
    CapDelete = 13,    // a0 = slot (removes this capability; mappings made through it go)
    CapRevoke = 14,    // a0 = slot (removes every capability derived from it, and their mappings)

    // Physical memory (Memory capabilities).
    MemoryMintFrame = 20,   // a0 = Memory slot, a1 = pfn, a2 = order, a3 = rights, a4 = dst slot
    MemoryDonate = 21,      // a0 = Memory slot, a1 = pfn, a2 = pages: frames join the kernel pool
    MemoryInfo = 22,        // a0 = Memory slot -> a1 = first pfn, a2 = pages
    MemoryMintMap = 23,     // a0 = Memory slot, a1 = Task slot (0 = own), a2 = vaddr, a3 = address of
                            // a4 pfns (<= MINT_MAP_MAX), a5 = first dst slot: each frame minted R+W into
                            // slot a5+i and mapped at a2 + i pages, all or nothing
    MemoryMintFrames = 24,  // a0 = Memory slot, a1 = address of a2 pfns (<= MINT_MAP_MAX), a3 = first
                            // dst slot: MemoryMintMap without the mapping

    // Address spaces (Task capability + Frame capability).
    Map = 30,          // a0 = Task slot (0 = own), a1 = Frame slot, a2 = vaddr, a3 = rights (R/W/X)
    Unmap = 31,        // a0 = Frame slot
    Protect = 32,      // a0 = Frame slot, a1 = new rights (within the cap's)
    ReadClearAD = 33,  // a0 = Frame slot -> a1 = accessed, a2 = dirty (both then cleared)

    // Tasks and threads.
    TaskCreate = 40,      // a0 = dst slot for the Task, a1 = dst slot for its first Thread,
                          // a2 = its kernel memory limit in bytes (0: none; kernel/obj/kmem.h)
    ThreadStart = 41,     // a0 = Thread slot, a1 = pc, a2 = sp, a3 = a0 for the thread, a4 = priority
    ThreadSetFault = 42,  // a0 = Thread slot, a1 = Endpoint slot (copied, with its badge) or 0 for none
    TaskKill = 43,        // a0 = Task slot: ends the task, freeing everything it held

    // IPC (see the register convention above).
    EndpointCreate = 50,  // a0 = dst slot (OverQuota past the caller's kernel memory limit)
    Send = 51,
    Recv = 52,
    Call = 53,
    Reply = 54,
    ReplyRecv = 55,
};

// a6 on entry to an IPC call. Slot fields are 12 bits (0 = none).
struct IpcInfo {
    uint64_t raw = 0;
    static constexpr unsigned SLOT_BITS = 12;
    static constexpr uint64_t SLOT_MASK = (1u << SLOT_BITS) - 1;
    // Endpoint to send to / receive from (Send, Recv, Call, ReplyRecv's receive side).
    constexpr unsigned endpoint() const { return unsigned(raw & SLOT_MASK); }
    // A capability to transfer with the message (needs Grant on the endpoint).
    constexpr unsigned send_cap() const { return unsigned((raw >> 12) & SLOT_MASK); }
    // Where a transferred capability lands on receive.
    constexpr unsigned recv_cap() const { return unsigned((raw >> 24) & SLOT_MASK); }
    // Where the Reply capability lands when the message was a Call (Recv, ReplyRecv).
    constexpr unsigned reply_dst() const { return unsigned((raw >> 36) & SLOT_MASK); }
    // The Reply capability to answer with (Reply, ReplyRecv).
    constexpr unsigned reply_src() const { return unsigned((raw >> 48) & SLOT_MASK); }

    static constexpr IpcInfo make(unsigned ep, unsigned send_cap = 0, unsigned recv_cap = 0,
                                  unsigned reply_dst = 0, unsigned reply_src = 0) {
        return IpcInfo{(uint64_t(ep) & SLOT_MASK) | ((uint64_t(send_cap) & SLOT_MASK) << 12) |
                       ((uint64_t(recv_cap) & SLOT_MASK) << 24) | ((uint64_t(reply_dst) & SLOT_MASK) << 36) |
                       ((uint64_t(reply_src) & SLOT_MASK) << 48)};
    }
};

// a6 on return from an IPC call that received a message.
struct IpcResult {
    uint64_t raw = 0;
    static constexpr uint64_t BADGE_MASK = (uint64_t(1) << 48) - 1;
    static constexpr uint64_t CAP_RECEIVED = uint64_t(1) << 48;  // a capability landed in recv_cap
    static constexpr uint64_t IS_CALL = uint64_t(1) << 49;       // a Reply capability landed in reply_dst
    constexpr uint64_t badge() const { return raw & BADGE_MASK; }
    constexpr bool cap_received() const { return raw & CAP_RECEIVED; }
    constexpr bool is_call() const { return raw & IS_CALL; }
};

inline constexpr unsigned MSG_WORDS = 6;
inline constexpr uint64_t MINT_MAP_MAX = 64;
inline constexpr uint64_t DEBUG_WRITE_MAX = 4096;

// Thread priorities: higher runs first; equal priorities share round-robin.
inline constexpr unsigned PRIORITY_MAX = 255;
inline constexpr unsigned PRIORITY_DEFAULT = 100;

// Buddy orders a Frame may have: a Frame maps as 4 KiB pages, or as one
// 2 MiB / 1 GiB leaf when order is 9 / 18 and the address is aligned.
inline constexpr unsigned FRAME_ORDER_MAX = 18;

// What KernelInfo reports (its a0).
inline constexpr uint64_t KERNEL_INFO_POOL = 0;
inline constexpr uint64_t KERNEL_INFO_KMEM = 1;

// The user half of every address space (Sv39): [USER_BASE, USER_END).
inline constexpr uint64_t USER_BASE = 0x1000;
inline constexpr uint64_t USER_END = uint64_t(1) << 38;

}  // namespace abi
