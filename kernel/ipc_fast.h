// IPC fast paths for the round trip every client-server exchange makes:
// a Call that finds its server waiting, and a ReplyRecv that answers a
// caller and finds no next message; and for a fault whose handler waits
// (kernel_user_fault, fault.cc). They do exactly what the general paths
// in ipc.cc and syscall/sys_ipc.cc do in those cases, without the
// generic machinery; whenever a condition does not hold (a capability
// travels with a Call, a slot is unusable, another thread is ready, the
// reply ends a fault with something other than RESUME or MAP, ...) they
// decline and the general path runs.
#pragma once

#include "kernel/entry.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/objects.h"
#include "kernel/scheduler.h"

namespace ipc {

// Puts the fast paths in front of Call, ReplyRecv (the syscall table's
// entries) and faults, at boot; without it, or with `on` false
// (ipc_fastpath=off on the command line), the general paths serve them
// all, as the QEMU test that holds both to the same answers needs.
void enable_fastpaths(bool on);
namespace detail {
extern bool g_fault_fastpath_on;
}

// Whether a fault may take its fast path (kernel_user_fault): it is on,
// and nothing else is ready.
[[gnu::always_inline]] inline bool fault_fastpath_allowed() {
    return detail::g_fault_fastpath_on && sched::direct_switch_allowed();
}

// Call and ReplyRecv as the syscall table runs them: the fast path when it
// applies, otherwise the general handler (syscall::call, syscall::reply_recv) and
// the scheduler. `t` is the current thread, whose trap is being handled.
TrapExit call_syscall(Thread* t);
TrapExit reply_recv_syscall(Thread* t);

// --- The step a fast Call and a fast fault share ----------------------------

// IpcInfo's slot fields as 64-bit values (its accessors return unsigned,
// which costs extensions on every use here).
constexpr uint64_t SLOT_MASK = abi::IpcInfo::SLOT_MASK;
constexpr uint64_t ep_slot(abi::IpcInfo i) { return i.raw & SLOT_MASK; }
constexpr uint64_t send_cap_slot(abi::IpcInfo i) { return (i.raw >> 12) & SLOT_MASK; }
constexpr uint64_t recv_cap_slot(abi::IpcInfo i) { return (i.raw >> 24) & SLOT_MASK; }
constexpr uint64_t reply_dst_slot(abi::IpcInfo i) { return (i.raw >> 36) & SLOT_MASK; }
constexpr uint64_t reply_src_slot(abi::IpcInfo i) { return (i.raw >> 48) & SLOT_MASK; }
static_assert(ep_slot(abi::IpcInfo::make(1, 2, 3, 4, 5)) == 1 &&
              send_cap_slot(abi::IpcInfo::make(1, 2, 3, 4, 5)) == 2 &&
              recv_cap_slot(abi::IpcInfo::make(1, 2, 3, 4, 5)) == 3 &&
              reply_dst_slot(abi::IpcInfo::make(1, 2, 3, 4, 5)) == 4 &&
              reply_src_slot(abi::IpcInfo::make(1, 2, 3, 4, 5)) == 5);

// The message words into a0..a5 of `ctx`, unrolled (a loop costs five
// instructions a word here, the copy two).
[[gnu::always_inline]] inline void put_words(UserContext& ctx, const uint64_t* words) {
#pragma GCC unroll 6
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) ctx.set_arg(i, words[i]);
}

// The capability in `slot` of `task` if it is of `type` with `rights`;
// nullptr otherwise (the general path then reports the error).
[[gnu::always_inline]] inline Cap* cap_at(Task* task, uint64_t slot, abi::CapType type, uint8_t rights) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->type == type && (c->rights & rights) == rights ? c : nullptr;
}

// An empty slot of `task`, or nullptr.
[[gnu::always_inline]] inline Cap* free_at(Task* task, uint64_t slot) {
    if (slot == 0 || slot >= task->nr_slots) return nullptr;
    Cap* c = &task->slots[slot];
    return c->empty() ? c : nullptr;
}

// The Reply cap `caller` will be answered through, in `slot`.
[[gnu::always_inline]] inline void install_reply(Cap* slot, Thread* caller) {
    slot->type = abi::CapType::Reply;
    slot->rights = abi::RIGHT_WRITE;
    slot->obj = caller;
    slot->w0 = caller->reply_gen;
    slot->w1 = 0;
    obj_ref(caller);
}

// The Call of `t` (through an endpoint cap with `badge`) to a receiver
// waiting on `ep`: delivered (put_message(ctx) writes the six words into
// the receiver's a0..a5), `t` waits for the reply, the receiver runs.
// False (nothing changed) when the fast path does not apply.
template <typename PutMessage>
[[gnu::always_inline]] inline bool call_to_waiting(Thread* t, Endpoint* ep, uint64_t badge,
                                                   PutMessage put_message, TrapExit& out) {
    Thread* r = ep->receivers.head;
    if (!r) return false;
    Cap* reply_slot = free_at(r->task, reply_dst_slot(abi::IpcInfo{r->recv_info}));
    if (!reply_slot) return false;
    ep->receivers.remove(r);
    r->blocked_on = nullptr;
    put_message(r->ctx);
    r->ctx.set_arg(6, (badge & abi::IpcResult::BADGE_MASK) | abi::IpcResult::IS_CALL);
    r->ctx.set_arg(7, uint64_t(Error::None));
    t->is_call = true;
    install_reply(reply_slot, t);
    out = sched::direct_switch(t, ThreadState::BlockedReply, r);
    return true;
}

}  // namespace ipc
