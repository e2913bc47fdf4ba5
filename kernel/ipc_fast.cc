#include "kernel/ipc_fast.h"

#include "kernel/obj/vm.h"
#include "kernel/syscall/syscall.h"

namespace ipc {

constinit bool detail::g_fault_fastpath_on = false;

namespace {

TRAP_LEAF [[gnu::noinline]] TrapExit call_general(Thread* t) { return syscall::call(t); }

TRAP_LEAF [[gnu::noinline]] TrapExit reply_recv_general(Thread* t) { return syscall::reply_recv(t); }

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

void enable_fastpaths(bool on) {
    syscall::set_entry(abi::Sys::Call, on ? call_syscall : syscall::call);
    syscall::set_entry(abi::Sys::ReplyRecv, on ? reply_recv_syscall : syscall::reply_recv);
    detail::g_fault_fastpath_on = on;
}

}  // namespace ipc
