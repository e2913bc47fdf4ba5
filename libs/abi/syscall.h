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

// Every system call, once: X(Name, number, handler), in number order.
// Name is its abi::Sys enumerator, handler the kernel's function for it
// (syscall::handler, kernel/syscall/). The enum, NR_SYSCALLS and
// is_syscall() below, and the kernel's handler declarations and syscall
// table, are all made from this list: adding a call is a line here and
// its handler. Numbers come ten to an object type; those in between are
// unknown (InvalidArgument).
#define TERN_SYSCALLS(X)                                                                                  \
    /* --- Miscellaneous --- */                                                                           \
    /* nothing; returns None (benchmarks) */                                                              \
    X(Null, 0, null)                                                                                      \
    /* a0 = user address, a1 = length (<= 4096): print to the console */                                  \
    X(DebugWrite, 1, debug_write)                                                                         \
    /* a0 = status: ends the calling task (its end notice says Exit and the status) */                    \
    X(Exit, 2, exit)                                                                                      \
    /* gives up the rest of the time slice */                                                             \
    X(Yield, 3, yield)                                                                                    \
    /* a0 = KERNEL_INFO_POOL -> a1 = pool free bytes, a2 = pool total bytes, a3 = ticks; a0 =             \
       KERNEL_INFO_KMEM -> a1 = the caller's kernel memory used, a2 = its limit (0: none), a3 = what      \
       TaskCreate reserves for a task besides its limit; a0 = KERNEL_INFO_VERIFY -> the kernel checks its \
       own state: None, or Malformed with a1 = what is broken (kernel/obj/verify.h), the details on the   \
       console; a0 = KERNEL_INFO_IRQ, a1 = line -> a1 = its interrupts taken, a2 = interrupts that came   \
       for lines nobody held; a0 = KERNEL_INFO_IDLE -> a1 = instructions retired while idle (wfi), a2 =   \
       idle periods */                                                                                    \
    X(KernelInfo, 4, kernel_info)                                                                         \
                                                                                                          \
    /* --- Capabilities (any type) --- */                                                                 \
    /* a0 = slot -> a1 = CapType, a2 = rights, a3 = type-specific word */                                 \
    X(CapIdentify, 10, cap_identify)                                                                      \
    /* a0 = src slot, a1 = dst Task slot (0 = own table), a2 = dst slot, a3 = rights mask (result = src   \
       rights & mask), a4 = badge (0 keeps): an unbadged endpoint's, once; a notification's, the bits the \
       copy may signal, within the source's */                                                            \
    X(CapCopy, 11, cap_copy)                                                                              \
    /* a0 = src slot, a1 = dst slot (own table) */                                                        \
    X(CapMove, 12, cap_move)                                                                              \
    /* a0 = slot (removes this capability; mappings made through it go) */                                \
    X(CapDelete, 13, cap_delete)                                                                          \
    /* a0 = slot (removes every capability derived from it, and their mappings) */                        \
    X(CapRevoke, 14, cap_revoke)                                                                          \
                                                                                                          \
    /* --- Physical memory (Memory capabilities) --- */                                                   \
    /* a0 = Memory slot, a1 = pfn, a2 = order, a3 = rights, a4 = dst slot */                              \
    X(MemoryMintFrame, 20, memory_mint_frame)                                                             \
    /* a0 = Memory slot, a1 = pfn, a2 = pages: frames join the kernel pool */                             \
    X(MemoryDonate, 21, memory_donate)                                                                    \
    /* a0 = Memory slot -> a1 = first pfn, a2 = pages */                                                  \
    X(MemoryInfo, 22, memory_info)                                                                        \
    /* a0 = Memory slot, a1 = Task slot (0 = own), a2 = vaddr, a3 = address of a4 pfns (<= MINT_MAP_MAX), \
       a5 = window: frame i minted R+W into slot a5 + (pfn - the range's first pfn) and mapped at a2 + i  \
       pages, all or nothing */                                                                           \
    X(MemoryMintMap, 23, memory_mint_map)                                                                 \
    /* a0 = Memory slot, a1 = address of a2 pfns (<= MINT_MAP_MAX), a3 = window: MemoryMintMap without    \
       the mapping */                                                                                     \
    X(MemoryMintFrames, 24, memory_mint_frames)                                                           \
                                                                                                          \
    /* --- Address spaces (Task capability + Frame capability) --- */                                     \
    /* a0 = Task slot (0 = own), a1 = Frame slot, a2 = vaddr, a3 = rights (R/W/X) */                      \
    X(Map, 30, map)                                                                                       \
    /* a0 = Frame slot */                                                                                 \
    X(Unmap, 31, unmap)                                                                                   \
    /* a0 = Frame slot, a1 = new rights (within the cap's) */                                             \
    X(Protect, 32, protect)                                                                               \
    /* a0 = Frame slot -> a1 = accessed, a2 = dirty (both then cleared) */                                \
    X(ReadClearAD, 33, read_clear_ad)                                                                     \
                                                                                                          \
    /* --- Tasks and threads --- */                                                                       \
    /* a0 = dst slot for the Task, a1 = dst slot for its first Thread, a2 = its kernel memory limit in    \
       bytes (0: none; at most the pool's size; kernel/obj/kmem.h), a3 = Endpoint slot for its end        \
       notice (copied, with its badge; 0: none; abi/cap.h) */                                             \
    X(TaskCreate, 40, task_create)                                                                        \
    /* a0 = Thread slot, a1 = pc, a2 = sp, a3 = a0 for the thread, a4 = priority */                       \
    X(ThreadStart, 41, thread_start)                                                                      \
    /* a0 = Thread slot, a1 = Endpoint slot (copied, with its badge) or 0 for none */                     \
    X(ThreadSetFault, 42, thread_set_fault)                                                               \
    /* a0 = Task slot (not 0): ends the task, freeing everything it held */                               \
    X(TaskKill, 43, task_kill)                                                                            \
    /* a0 = Thread slot, a1 = Notification slot (Read) or 0 to unbind: the thread's Recv also takes the   \
       notification's bits (IpcResult::NOTIFIED); one thread per notification, one notification per       \
       thread (Busy) */                                                                                   \
    X(ThreadBindNotification, 44, thread_bind_notification)                                               \
                                                                                                          \
    /* --- IPC (the register convention above) --- */                                                     \
    /* a0 = dst slot (OverQuota past the caller's kernel memory limit) */                                 \
    X(EndpointCreate, 50, endpoint_create)                                                                \
    X(Send, 51, send)                                                                                     \
    X(Recv, 52, recv)                                                                                     \
    X(Call, 53, call)                                                                                     \
    X(Reply, 54, reply)                                                                                   \
    X(ReplyRecv, 55, reply_recv)                                                                          \
                                                                                                          \
    /* --- Notifications (docs/syscalls.md, "Notifications") --- */                                       \
    /* a0 = dst slot (OverQuota past the caller's kernel memory limit) */                                 \
    X(NotificationCreate, 60, notification_create)                                                        \
    /* a0 = Notification slot (Write), a1 = bits (not 0; within the capability's badge, if it has one):   \
       ORed into its word, waking a waiter */                                                             \
    X(Signal, 61, signal)                                                                                 \
    /* a0 = Notification slot (Read) -> a1 = the bits, taken (waits until some are set) */                \
    X(Wait, 62, wait)                                                                                     \
    /* a0 = Notification slot (Read) -> a1 = the bits, taken (0 if none; never waits) */                  \
    X(Poll, 63, poll)                                                                                     \
                                                                                                          \
    /* --- Interrupts (docs/syscalls.md, "Interrupts") --- */                                             \
    /* a0 = IrqControl slot (Write), a1 = line, a2 = dst Task slot (0 = own), a3 = dst slot: the line's   \
       IrqHandler (Busy: someone holds it; InvalidArgument: no such line) */                              \
    X(IrqControlGet, 70, irq_control_get)                                                                 \
    /* a0 = IrqHandler slot, a1 = Notification slot (Write) or 0: what the line's interrupts signal (the  \
       capability's badge, or bit line % 64 if it has none) */                                            \
    X(IrqSetNotification, 71, irq_set_notification)                                                       \
    /* a0 = IrqHandler slot: the interrupt taken is done; the line may interrupt again */                 \
    X(IrqAck, 72, irq_ack)

enum class Sys : uint64_t {
#define TERN_SYSCALL_ENUMERATOR(name, nr, handler) name = (nr),
    TERN_SYSCALLS(TERN_SYSCALL_ENUMERATOR)
#undef TERN_SYSCALL_ENUMERATOR
};

// One more than the highest number (Linux's NR_syscalls): every call's
// number is below it.
inline constexpr uint64_t NR_SYSCALLS = [] {
    uint64_t last = 0;
#define TERN_SYSCALL_LAST(name, nr, handler) last = nr;
    TERN_SYSCALLS(TERN_SYSCALL_LAST)
#undef TERN_SYSCALL_LAST
    return last + 1;
}();

// Whether `nr` names a system call.
constexpr bool is_syscall(uint64_t nr) {
    switch (nr) {
#define TERN_SYSCALL_CASE(name, nr, handler) case nr:
        TERN_SYSCALLS(TERN_SYSCALL_CASE)
#undef TERN_SYSCALL_CASE
        return true;
    }
    return false;
}

// The list is in number order, each number once: NR_SYSCALLS is its last
// plus one.
static_assert([] {
    uint64_t next = 0;
    bool ordered = true;
#define TERN_SYSCALL_ORDERED(name, nr, handler) \
    ordered = ordered && (nr) >= next;          \
    next = (nr) + 1;
    TERN_SYSCALLS(TERN_SYSCALL_ORDERED)
#undef TERN_SYSCALL_ORDERED
    return ordered;
}());

// a6 on entry to an IPC call: five slot fields (0 = none). The slots an
// IPC call names for itself -- the endpoint, where a received capability
// and a Reply capability land, the Reply capability to answer with --
// are IPC_SLOTS-bit fields: a task keeps them among its first 1024 slots.
// The capability sent may sit anywhere in a task's capability space
// (SEND_CAP_BITS reach every slot below MAX_SEND_SLOT): the pager sends
// the frames of its frame table, one slot per frame of RAM. The
// accessors give 64-bit words, as slot arguments are everywhere (a
// narrower type would cost the kernel's fast paths an extension at each
// use).
struct IpcInfo {
    uint64_t raw = 0;
    static constexpr unsigned SLOT_BITS = 10;
    static constexpr uint64_t SLOT_MASK = (uint64_t(1) << SLOT_BITS) - 1;
    static constexpr unsigned SEND_CAP_SHIFT = 4 * SLOT_BITS;
    static constexpr unsigned SEND_CAP_BITS = 64 - SEND_CAP_SHIFT;
    static constexpr uint64_t SEND_CAP_MASK = (uint64_t(1) << SEND_CAP_BITS) - 1;
    // Endpoint to send to / receive from (Send, Recv, Call, ReplyRecv's receive side).
    constexpr uint64_t endpoint() const { return raw & SLOT_MASK; }
    // Where a transferred capability lands on receive.
    constexpr uint64_t recv_cap() const { return (raw >> SLOT_BITS) & SLOT_MASK; }
    // Where the Reply capability lands when the message was a Call (Recv, ReplyRecv).
    constexpr uint64_t reply_dst() const { return (raw >> (2 * SLOT_BITS)) & SLOT_MASK; }
    // The Reply capability to answer with (Reply, ReplyRecv).
    constexpr uint64_t reply_src() const { return (raw >> (3 * SLOT_BITS)) & SLOT_MASK; }
    // A capability to transfer with the message (needs Grant on the
    // endpoint; none for a Reply).
    constexpr uint64_t send_cap() const { return raw >> SEND_CAP_SHIFT; }

    // A field too wide for its place is cut to it: a slot past the first
    // 1024 (past MAX_SEND_SLOT for send_cap) names another slot.
    static constexpr IpcInfo make(uint64_t ep, uint64_t send_cap = 0, uint64_t recv_cap = 0,
                                  uint64_t reply_dst = 0, uint64_t reply_src = 0) {
        return IpcInfo{(ep & SLOT_MASK) | ((recv_cap & SLOT_MASK) << SLOT_BITS) |
                       ((reply_dst & SLOT_MASK) << (2 * SLOT_BITS)) |
                       ((reply_src & SLOT_MASK) << (3 * SLOT_BITS)) |
                       ((send_cap & SEND_CAP_MASK) << SEND_CAP_SHIFT)};
    }
};
// The slots an IpcInfo names for the call's own use lie below IPC_SLOTS;
// the capability it sends, below MAX_SEND_SLOT.
inline constexpr uint64_t IPC_SLOTS = uint64_t(1) << IpcInfo::SLOT_BITS;
inline constexpr uint64_t MAX_SEND_SLOT = uint64_t(1) << IpcInfo::SEND_CAP_BITS;
static_assert(IpcInfo::make(1, 2, 3, 4, 5).send_cap() == 2 && IpcInfo::make(1, 2, 3, 4, 5).reply_src() == 5);
static_assert(IpcInfo::make(0, MAX_SEND_SLOT - 1).send_cap() == MAX_SEND_SLOT - 1);

// a6 on return from an IPC call that received a message.
struct IpcResult {
    uint64_t raw = 0;
    static constexpr uint64_t BADGE_MASK = (uint64_t(1) << 48) - 1;
    static constexpr uint64_t CAP_RECEIVED = uint64_t(1) << 48;  // a capability landed in recv_cap
    static constexpr uint64_t IS_CALL = uint64_t(1) << 49;       // a Reply capability landed in reply_dst
    // Not a message: the receiver's bound notification had bits set, which
    // a0 holds (taken from it); the badge and a1..a5 are 0.
    static constexpr uint64_t NOTIFIED = uint64_t(1) << 50;
    constexpr uint64_t badge() const { return raw & BADGE_MASK; }
    constexpr bool cap_received() const { return raw & CAP_RECEIVED; }
    constexpr bool is_call() const { return raw & IS_CALL; }
    constexpr bool notified() const { return raw & NOTIFIED; }
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
inline constexpr uint64_t KERNEL_INFO_VERIFY = 2;
inline constexpr uint64_t KERNEL_INFO_IRQ = 3;   // a1 = line -> a1 its interrupts, a2 those nobody held
inline constexpr uint64_t KERNEL_INFO_IDLE = 4;  // a1 instructions retired while idle, a2 idle periods

// The user half of every address space (Sv39): [USER_BASE, USER_END).
inline constexpr uint64_t USER_BASE = 0x1000;
inline constexpr uint64_t USER_END = uint64_t(1) << 38;

}  // namespace abi
