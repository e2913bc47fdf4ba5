#include "kernel/ipc_fast.h"

#include "kernel/ipc.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace ipc {

namespace {

constexpr unsigned MSG = abi::MSG_WORDS;

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
    for (unsigned i = 0; i < MSG; i++) ctx.set_arg(i, words[i]);
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

[[gnu::noinline]] TrapExit call_general(Thread* t) {
    sys::call(t);
    return sched::schedule();
}

[[gnu::noinline]] TrapExit reply_recv_general(Thread* t) {
    sys::reply_recv(t);
    return sched::schedule();
}

// The end of a fast ReplyRecv once every check has passed: the Reply cap
// `rc` is spent, `caller` gets the reply (words from t's registers, a6 =
// `flags`) unless it resumes from a fault, and `t` waits on `ep`.
[[gnu::always_inline]] inline TrapExit reply_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc,
                                                      Thread* caller, bool resume_fault, uint64_t flags) {
    caller->reply_gen++;
    rc->type = abi::CapType::Null;
    rc->rights = 0;
    rc->obj = nullptr;
    rc->w0 = 0;
    // The caller's task still lists it (it is BlockedReply, so alive):
    // this reference is never the last.
    caller->refs--;
    if (resume_fault) {
        caller->in_fault = false;  // the faulting instruction runs again
    } else {
        put_words(caller->ctx, t->ctx.args());
        caller->ctx.set_arg(6, flags);
        caller->ctx.set_arg(7, uint64_t(Error::None));
    }
    t->recv_info = info.raw;
    t->blocked_on = ep;
    ep->receivers.push(t);
    return sched::direct_switch(t, ThreadState::BlockedRecv, caller);
}

// A fast ReplyRecv whose reply carries the capability `offered`: a copy
// (a child of `offered`) goes to the caller's receive slot when that is
// free, as the general path does. `install(dst)` makes the copy.
template <typename Install>
[[gnu::always_inline]] inline TrapExit reply_offered_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep,
                                                              Cap* rc, Thread* caller, Install install) {
    uint64_t flags = 0;
    if (Cap* dst = free_at(caller->task, recv_cap_slot(abi::IpcInfo{caller->recv_info}))) {
        install(dst);
        flags = abi::IpcResult::CAP_RECEIVED;
    }
    return reply_and_wait(t, info, ep, rc, caller, false, flags);
}

// Any capability but a Frame: out of line, as caps::install is a call.
[[gnu::noinline]] TrapExit reply_cap_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc,
                                              Thread* caller, Cap* offered) {
    return reply_offered_and_wait(t, info, ep, rc, caller,
                                  [offered](Cap* dst) { caps::install(dst, *offered, offered); });
}

// A fast ReplyRecv answering a fault with FAULT_MAP: the frame `frame`
// goes into the faulting task (as the general path would map it), then
// the thread resumes. If the mapping fails, nothing has changed and the
// general path runs, which reports the error to the replier.
[[gnu::noinline]] TrapExit reply_map_and_wait(Thread* t, abi::IpcInfo info, Endpoint* ep, Cap* rc,
                                              Thread* caller, Cap* frame) {
    const uint64_t va = t->ctx.arg(1), rights = t->ctx.arg(2);
    if (!vm::map_frame(caller->task, frame, VirtAddr(va), uint8_t(rights)).ok()) return reply_recv_general(t);
    return reply_and_wait(t, info, ep, rc, caller, true, 0);
}

}  // namespace

TRAP_LEAF TrapExit call_syscall(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (send_cap_slot(info) || !sched::direct_switch_allowed()) return call_general(t);
    Cap* ep_cap = cap_at(t->task, ep_slot(info), abi::CapType::Endpoint, abi::RIGHT_WRITE);
    if (!ep_cap) return call_general(t);
    TrapExit out;
    const uint64_t* words = t->ctx.args();
    if (call_to_waiting(
            t, static_cast<Endpoint*>(ep_cap->obj), ep_cap->w0,
            [words](UserContext& ctx) { put_words(ctx, words); }, out)) {
        t->recv_info = info.raw;  // where a capability in the reply may land
        return out;
    }
    return call_general(t);
}

// A fault of `t` (kind, address, access) as a Call to the handler waiting
// on its fault endpoint, the message written straight into the handler's
// registers (ipc::set_fault_message's layout).
[[gnu::always_inline]] inline bool fast_fault(Thread* t, abi::FaultKind kind, uint64_t addr,
                                              abi::FaultAccess access, TrapExit& out) {
    Cap& ep_cap = t->fault_ep;
    if (ep_cap.empty() || !sched::direct_switch_allowed()) return false;
    t->in_fault = true;
    auto put_fault = [&](UserContext& ctx) {
        ipc::put_fault_message([&ctx](unsigned i, uint64_t w) { ctx.set_arg(i, w); }, t, kind, addr, access);
    };
    if (call_to_waiting(t, static_cast<Endpoint*>(ep_cap.obj), ep_cap.w0, put_fault, out)) return true;
    t->in_fault = false;
    return false;
}

TRAP_LEAF TrapExit reply_recv_syscall(Thread* t) {
    const abi::IpcInfo info{t->ctx.arg(6)};
    if (!sched::direct_switch_allowed()) return reply_recv_general(t);
    Task* task = t->task;
    // A capability may travel with the reply (the pager's frames do).
    Cap* offered = nullptr;
    if (const uint64_t sc = send_cap_slot(info)) {
        if (sc >= task->nr_slots) return reply_recv_general(t);
        offered = &task->slots[sc];
        if (offered->empty() || offered->type == abi::CapType::Reply) return reply_recv_general(t);
    }
    Cap* ep_cap = cap_at(task, ep_slot(info), abi::CapType::Endpoint, abi::RIGHT_READ);
    if (!ep_cap) return reply_recv_general(t);
    auto* ep = static_cast<Endpoint*>(ep_cap->obj);
    if (!ep->senders.empty()) return reply_recv_general(t);  // the receive would not block
    const uint64_t reply_src = reply_src_slot(info);
    Cap* rc = cap_at(task, reply_src, abi::CapType::Reply, 0);
    if (!rc) return reply_recv_general(t);
    auto* caller = static_cast<Thread*>(rc->obj);
    if (caller->state != ThreadState::BlockedReply || caller->reply_gen != rc->w0)
        return reply_recv_general(t);
    bool resume_fault = false, map_fault = false;
    if (caller->in_fault) {
        if (caller->exiting) return reply_recv_general(t);
        const uint64_t verdict = t->ctx.arg(0);
        if (verdict == abi::FAULT_MAP) {
            if (!offered || offered->type != abi::CapType::Frame || t->ctx.arg(2) > abi::RIGHTS_ALL)
                return reply_recv_general(t);
            map_fault = true;
        } else if (verdict != abi::FAULT_RESUME || offered) {
            return reply_recv_general(t);
        }
        resume_fault = true;
    }
    // The receive side's slots, as they will be once the Reply cap is spent.
    const uint64_t recv_cap = recv_cap_slot(info), reply_dst = reply_dst_slot(info);
    if (recv_cap && (recv_cap == reply_dst || (recv_cap != reply_src && !free_at(task, recv_cap))))
        return reply_recv_general(t);
    if (reply_dst && reply_dst != reply_src && !free_at(task, reply_dst)) return reply_recv_general(t);

    if (map_fault) return reply_map_and_wait(t, info, ep, rc, caller, offered);
    if (offered) {
        if (offered->type == abi::CapType::Frame)
            return reply_offered_and_wait(t, info, ep, rc, caller, [offered](Cap* dst) {
                caps::install_frame(dst, offered->w0, offered->w1, offered->rights, offered);
            });  // a Frame (the pager's grants): inline, no call
        return reply_cap_and_wait(t, info, ep, rc, caller, offered);
    }
    return reply_and_wait(t, info, ep, rc, caller, resume_fault, 0);
}

}  // namespace ipc

namespace {

// The fault message in t->msg, by the general path (no handler waiting,
// another thread ready, or none at all).
[[gnu::noinline]] TrapExit fault_general(Thread* t, const char* what) {
    ipc::fault(t, what);
    return sched::schedule();
}

// A fault of `t` to its handler: the fast path if one waits, the general
// one otherwise.
[[gnu::always_inline]] inline TrapExit deliver_fault(Thread* t, abi::FaultKind kind, uint64_t addr,
                                                     abi::FaultAccess access, const char* what) {
    TrapExit fast;
    if (ipc::fast_fault(t, kind, addr, access, fast)) return fast;
    ipc::set_fault_message(t, kind, addr, access);
    return fault_general(t, what);
}

// A page fault in a task whose leaves may lack A or D: on hardware that
// leaves their update to software (Svade) the fault may be just that.
[[gnu::noinline]] TrapExit fault_maybe_ad(Thread* t, uint64_t addr, abi::FaultAccess access,
                                          const char* what) {
    if (arch::user_fix_accessed_dirty(t->task->pt_root, t->task->asid, VirtAddr(addr),
                                      access == abi::FaultAccess::Write, access == abi::FaultAccess::Exec))
        return sched::schedule();  // A/D set: the access is retried
    return deliver_fault(t, abi::FaultKind::PageFault, addr, access, what);
}

}  // namespace

// A U-mode fault (entry.h). Here rather than with the syscall entry, so
// that the fast path to a waiting handler is inline; the rest is out of
// line, which keeps this a leaf.
TRAP_LEAF TrapExit kernel_user_fault(abi::FaultKind kind, uint64_t addr, abi::FaultAccess access,
                                     const char* what) {
    Thread* t = sched::current();
    sched::set_trapped(t);
    if (kind == abi::FaultKind::PageFault && t->task->ad_cleared)
        return fault_maybe_ad(t, addr, access, what);
    return deliver_fault(t, kind, addr, access, what);
}
