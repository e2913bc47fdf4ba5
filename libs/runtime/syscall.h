// System call wrappers for user tasks: one function per abi::Sys, following
// the register convention of libs/abi/syscall.h exactly.
//
// Ordinary calls put the number in a7 and arguments in a0..a5; the kernel
// answers with an Error in a0 and results in a1..a3, returns t0..t6 as
// zeros (not preserved, like a function call) and preserves every other
// register, so a0..a3 are outputs here and t0..t6 clobbers.
//
// IPC calls (Send, Recv, Call, Reply, ReplyRecv, at the end) put the
// number in a7, abi::IpcInfo in a6 and six message words in a0..a5; the
// kernel answers with an Error in a7, abi::IpcResult (badge and flags) in
// a6 and the words received in a0..a5. All eight registers are therefore
// inputs and outputs there, and t0..t6 are clobbered as above. Their
// errors (docs/syscalls.md): InvalidCap, WrongType, NoRights for the slots
// named in the IpcInfo; DeadObject when the endpoint dies while we wait,
// when a Call's receiver gave no reply slot, or when the caller behind a
// Reply capability has gone.
//
// Arguments are plain 64-bit words on purpose: the kernel must cope with any
// value (tests pass slot numbers beyond the table, kernel addresses, absurd
// orders), so the wrappers neither narrow nor check anything.
//
// Every wrapper returns the kernel's Error; the ones that yield results
// return Result<T>. Which errors each call can return is in docs/syscalls.md.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/cap.h"
#include "abi/syscall.h"
#include "base/addr.h"
#include "base/result.h"

namespace sys {

// The four result registers of an ordinary call, as the kernel left them.
struct Regs {
    uint64_t a0, a1, a2, a3;
};

// The kernel's a0 as an Error. A value outside the enum is a kernel defect;
// it reads as Malformed so that no caller mistakes it for success.
constexpr Error to_error(uint64_t a0) { return a0 <= uint64_t(ERROR_LAST) ? Error(a0) : Error::Malformed; }

// The raw trap: any number, any arguments (hostile tests use it directly).
inline Regs raw(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                uint64_t a4 = 0, uint64_t a5 = 0) {
    register uint64_t r0 asm("a0") = a0;
    register uint64_t r1 asm("a1") = a1;
    register uint64_t r2 asm("a2") = a2;
    register uint64_t r3 asm("a3") = a3;
    register uint64_t r4 asm("a4") = a4;
    register uint64_t r5 asm("a5") = a5;
    register uint64_t r7 asm("a7") = nr;
    asm volatile("ecall"
                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
                 : "r"(r4), "r"(r5), "r"(r7)
                 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
    return {r0, r1, r2, r3};
}

inline Regs call(abi::Sys nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                 uint64_t a4 = 0, uint64_t a5 = 0) {
    return raw(uint64_t(nr), a0, a1, a2, a3, a4, a5);
}

inline Status status(const Regs& r) { return Status(to_error(r.a0)); }

// --- Miscellaneous ---------------------------------------------------------

inline Status null() { return status(call(abi::Sys::Null)); }

// Prints `len` bytes at `addr` on the console. InvalidArgument (len > 4096),
// InvalidArgument or OutOfRange for memory the task cannot read.
inline Status debug_write(uint64_t addr, uint64_t len) {
    return status(call(abi::Sys::DebugWrite, addr, len));
}
inline Status debug_write(const char* s, size_t len) {
    return debug_write(reinterpret_cast<uint64_t>(s), len);
}

// Ends the calling task. For the root task the status ends the system.
[[noreturn]] inline void exit(uint64_t status) {
    call(abi::Sys::Exit, status);
    __builtin_unreachable();
}

inline Status yield() { return status(call(abi::Sys::Yield)); }

struct KernelInfo {
    uint64_t pool_free, pool_total, ticks;
};
inline Result<KernelInfo> kernel_info() {
    Regs r = call(abi::Sys::KernelInfo, abi::KERNEL_INFO_POOL);
    if (r.a0) return to_error(r.a0);
    return KernelInfo{r.a1, r.a2, r.a3};
}
// The calling task's kernel memory account (kernel/obj/kmem.h).
struct KmemInfo {
    uint64_t used, limit;  // limit 0: none
    uint64_t task_base;    // what TaskCreate reserves for a new task besides its limit
};
inline Result<KmemInfo> kmem_info() {
    Regs r = call(abi::Sys::KernelInfo, abi::KERNEL_INFO_KMEM);
    if (r.a0) return to_error(r.a0);
    return KmemInfo{r.a1, r.a2, r.a3};
}

// The kernel checks its own state (kernel/obj/verify.h). Malformed when it
// is inconsistent (a kernel bug; the kernel prints what it found), with
// what is broken in *check (verify::Check's number) if given.
inline Status kernel_verify(uint64_t* check = nullptr) {
    Regs r = call(abi::Sys::KernelInfo, abi::KERNEL_INFO_VERIFY);
    if (check) *check = r.a1;
    return status(r);
}

// --- Capabilities ----------------------------------------------------------

struct CapInfo {
    abi::CapType type;
    uint64_t rights;
    uint64_t word;  // Frame: pfn << 8 | order; Memory: first pfn; Endpoint, Notification: badge;
                    // IrqHandler: its line
};
inline Result<CapInfo> cap_identify(uint64_t slot) {
    Regs r = call(abi::Sys::CapIdentify, slot);
    if (r.a0) return to_error(r.a0);
    return CapInfo{abi::CapType(r.a1), r.a2, r.a3};
}

// Copies `src` into `dst_slot` of the table of `dst_task` (0 = our own),
// with rights src & mask and, for an unbadged endpoint, `badge` (0 keeps).
inline Status cap_copy(uint64_t src, uint64_t dst_task, uint64_t dst_slot, uint64_t rights_mask,
                       uint64_t badge = 0) {
    return status(call(abi::Sys::CapCopy, src, dst_task, dst_slot, rights_mask, badge));
}
inline Status cap_move(uint64_t src, uint64_t dst) { return status(call(abi::Sys::CapMove, src, dst)); }
inline Status cap_delete(uint64_t slot) { return status(call(abi::Sys::CapDelete, slot)); }
inline Status cap_revoke(uint64_t slot) { return status(call(abi::Sys::CapRevoke, slot)); }

// --- Physical memory -------------------------------------------------------

inline Status memory_mint_frame(uint64_t memory, uint64_t pfn, uint64_t order, uint64_t rights,
                                uint64_t dst) {
    return status(call(abi::Sys::MemoryMintFrame, memory, pfn, order, rights, dst));
}
inline Status memory_donate(uint64_t memory, uint64_t pfn, uint64_t pages) {
    return status(call(abi::Sys::MemoryDonate, memory, pfn, pages));
}

// Mints `count` order-0 Frames (R+W) of the pfns at `pfns`, each into
// slot window + (pfn - the Memory range's first pfn), and maps them at
// va.. in `task` (0 = own): all or nothing.
inline Status memory_mint_map(uint64_t memory, uint64_t task, uint64_t va, const uint64_t* pfns,
                              uint64_t count, uint64_t window) {
    return status(
        call(abi::Sys::MemoryMintMap, memory, task, va, reinterpret_cast<uint64_t>(pfns), count, window));
}

// The same without mapping them.
inline Status memory_mint_frames(uint64_t memory, const uint64_t* pfns, uint64_t count, uint64_t window) {
    return status(call(abi::Sys::MemoryMintFrames, memory, reinterpret_cast<uint64_t>(pfns), count, window));
}

struct MemoryRange {
    uint64_t first_pfn, pages;
};
inline Result<MemoryRange> memory_info(uint64_t memory) {
    Regs r = call(abi::Sys::MemoryInfo, memory);
    if (r.a0) return to_error(r.a0);
    return MemoryRange{r.a1, r.a2};
}

// --- Address spaces --------------------------------------------------------

// Maps the Frame in `frame` into the address space of `task` (0 = our own).
inline Status map(uint64_t task, uint64_t frame, uint64_t vaddr, uint64_t rights) {
    return status(call(abi::Sys::Map, task, frame, vaddr, rights));
}
inline Status map(uint64_t task, uint64_t frame, VirtAddr va, uint64_t rights) {
    return map(task, frame, va.raw(), rights);
}
inline Status unmap(uint64_t frame) { return status(call(abi::Sys::Unmap, frame)); }
inline Status protect(uint64_t frame, uint64_t rights) {
    return status(call(abi::Sys::Protect, frame, rights));
}

struct AccessDirty {
    bool accessed, dirty;
};
inline Result<AccessDirty> read_clear_ad(uint64_t frame) {
    Regs r = call(abi::Sys::ReadClearAD, frame);
    if (r.a0) return to_error(r.a0);
    return AccessDirty{r.a1 != 0, r.a2 != 0};
}

// --- Tasks and threads -----------------------------------------------------

// kmem_limit: the pool bytes the new task may use (0: none; a task that
// has a limit must give one), reserved from ours with its structures.
// end_ep: the Endpoint (our slot, 0: none) that gets the task's end notice
// (abi/cap.h; runtime/fault.h decodes it).
inline Status task_create(uint64_t task_dst, uint64_t thread_dst, uint64_t kmem_limit = 0,
                          uint64_t end_ep = 0) {
    return status(call(abi::Sys::TaskCreate, task_dst, thread_dst, kmem_limit, end_ep));
}
inline Status thread_start(uint64_t thread, uint64_t pc, uint64_t sp, uint64_t arg,
                           uint64_t priority = abi::PRIORITY_DEFAULT) {
    return status(call(abi::Sys::ThreadStart, thread, pc, sp, arg, priority));
}
inline Status thread_set_fault(uint64_t thread, uint64_t endpoint) {
    return status(call(abi::Sys::ThreadSetFault, thread, endpoint));
}
inline Status task_kill(uint64_t task) { return status(call(abi::Sys::TaskKill, task)); }
// Binds `thread` to the notification in `notification` (0: unbinds it):
// its Recv then also takes the notification's bits (Received::info
// .notified(), the bits in msg.w[0]).
inline Status thread_bind_notification(uint64_t thread, uint64_t notification) {
    return status(call(abi::Sys::ThreadBindNotification, thread, notification));
}

inline Status endpoint_create(uint64_t dst) { return status(call(abi::Sys::EndpointCreate, dst)); }

// --- Notifications ---------------------------------------------------------

inline Status notification_create(uint64_t dst) { return status(call(abi::Sys::NotificationCreate, dst)); }
// ORs `bits` into the notification's word (never waits).
inline Status signal(uint64_t notification, uint64_t bits) {
    return status(call(abi::Sys::Signal, notification, bits));
}
namespace detail {
inline Result<uint64_t> bits(const Regs& r) {
    if (Error e = to_error(r.a0); e != Error::None) return e;
    return r.a1;
}
}  // namespace detail
// The bits set, taken; waits until there are some.
inline Result<uint64_t> wait(uint64_t notification) {
    return detail::bits(call(abi::Sys::Wait, notification));
}
// The bits set, taken (0: none); never waits.
inline Result<uint64_t> poll(uint64_t notification) {
    return detail::bits(call(abi::Sys::Poll, notification));
}

// --- Interrupts ------------------------------------------------------------

// The IrqHandler capability of `line`, made from the IrqControl in
// `control` into `dst_slot` of `dst_task` (0: our own table).
inline Status irq_control_get(uint64_t control, uint64_t line, uint64_t dst_task, uint64_t dst_slot) {
    return status(call(abi::Sys::IrqControlGet, control, line, dst_task, dst_slot));
}
// The line's interrupts signal the notification in `notification` (0: none).
inline Status irq_set_notification(uint64_t handler, uint64_t notification) {
    return status(call(abi::Sys::IrqSetNotification, handler, notification));
}
// The interrupt taken is handled: the line may interrupt again.
inline Status irq_ack(uint64_t handler) { return status(call(abi::Sys::IrqAck, handler)); }

struct IrqCounts {
    uint64_t taken;   // interrupts the line has had
    uint64_t unheld;  // interrupts that came for lines nobody held
};
inline Result<IrqCounts> irq_counts(uint64_t line) {
    Regs r = call(abi::Sys::KernelInfo, abi::KERNEL_INFO_IRQ, line);
    if (r.a0) return to_error(r.a0);
    return IrqCounts{r.a1, r.a2};
}
struct IdleInfo {
    uint64_t instructions;  // retired while idle (wfi): under -icount, the time devices took
    uint64_t periods;
};
inline Result<IdleInfo> idle_info() {
    Regs r = call(abi::Sys::KernelInfo, abi::KERNEL_INFO_IDLE);
    if (r.a0) return to_error(r.a0);
    return IdleInfo{r.a1, r.a2};
}

// --- IPC -------------------------------------------------------------------

// The wrappers are always inline: each is a few register moves around one
// ecall, and a call to an out-of-line copy would cost more than that (its
// Result comes back through memory).

struct Msg {
    uint64_t w[abi::MSG_WORDS] = {};
};

// What an IPC call leaves behind: the Error, the IpcResult and the words.
struct IpcRegs {
    Error error;
    abi::IpcResult info;
    Msg msg;
};

[[gnu::always_inline]] inline IpcRegs ipc_raw(uint64_t nr, uint64_t info, const Msg& in) {
    register uint64_t r0 asm("a0") = in.w[0];
    register uint64_t r1 asm("a1") = in.w[1];
    register uint64_t r2 asm("a2") = in.w[2];
    register uint64_t r3 asm("a3") = in.w[3];
    register uint64_t r4 asm("a4") = in.w[4];
    register uint64_t r5 asm("a5") = in.w[5];
    register uint64_t r6 asm("a6") = info;
    register uint64_t r7 asm("a7") = nr;
    asm volatile("ecall"
                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                 :
                 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
    return {to_error(r7), abi::IpcResult{r6}, Msg{{r0, r1, r2, r3, r4, r5}}};
}

// A message that arrived, with the sender's badge and flags.
struct Received {
    Msg msg;
    abi::IpcResult info;
};

[[gnu::always_inline]] inline Result<Received> received(const IpcRegs& r) {
    if (r.error != Error::None) return r.error;
    return Received{r.msg, r.info};
}

// Blocks until a receiver takes the message. Needs Write on the endpoint
// (and Grant when info.send_cap() names a capability).
[[gnu::always_inline]] inline Status send(abi::IpcInfo info, const Msg& m) {
    return Status(ipc_raw(uint64_t(abi::Sys::Send), info.raw, m).error);
}

// Blocks until a message arrives. Needs Read.
[[gnu::always_inline]] inline Result<Received> recv(abi::IpcInfo info) {
    return received(ipc_raw(uint64_t(abi::Sys::Recv), info.raw, Msg{}));
}

// Send, then wait for the answer through the Reply capability.
[[gnu::always_inline]] inline Result<Received> call(abi::IpcInfo info, const Msg& m) {
    return received(ipc_raw(uint64_t(abi::Sys::Call), info.raw, m));
}

// Answers through the Reply capability info.reply_src(), which is consumed.
[[gnu::always_inline]] inline Status reply(abi::IpcInfo info, const Msg& m) {
    return Status(ipc_raw(uint64_t(abi::Sys::Reply), info.raw, m).error);
}

// Reply, then Recv, in one call.
[[gnu::always_inline]] inline Result<Received> reply_recv(abi::IpcInfo info, const Msg& m) {
    return received(ipc_raw(uint64_t(abi::Sys::ReplyRecv), info.raw, m));
}

}  // namespace sys
