// EndpointCreate, Send, Recv, Call, Reply, ReplyRecv.
#include "kernel/ipc.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/rights.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

namespace {

// The endpoint a send names (Write), and for one with a capability, Grant
// on it too and the capability offered (any but a Reply cap).
// Errors: InvalidCap, WrongType, NoRights.
Result<Cap*> send_endpoint(Thread* t, abi::IpcInfo info) {
    Cap* ep = TRY(ipc::endpoint_cap(t->task, info.endpoint(), abi::RIGHT_WRITE));
    if (info.send_cap()) {
        if (!rights::within(abi::RIGHT_GRANT, ep->rights)) return Error::NoRights;
        TRY(ipc::offered_cap(t->task, info.send_cap()));
    }
    return ep;
}

// The capability a Reply offers: none (nullptr), or any but a Reply cap.
// No Grant needed: the Reply cap itself is the permission.
// Errors: InvalidCap, WrongType.
Result<Cap*> reply_offer(Thread* t, abi::IpcInfo info) {
    if (!info.send_cap()) return static_cast<Cap*>(nullptr);
    return ipc::offered_cap(t->task, info.send_cap());
}

void save_message(Thread* t) {
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) t->msg[i] = t->ctx.arg(i);
}

void do_send(Thread* t, bool call) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto ep = send_endpoint(t, info);
    if (!ep.ok()) return ipc::set_error(t, ep.error());
    save_message(t);
    if (call) t->recv_info = info.raw;  // where the reply's capability may land
    ipc::send(t, static_cast<Endpoint*>((*ep)->obj), (*ep)->badge(), call, info.send_cap());
}

}  // namespace

SYSCALL_HANDLER(endpoint_create) {
    auto dst = caps::empty_slot(t->task, t->ctx.arg(0));
    if (!dst.ok()) return ret(t, dst.error());
    auto ep = kmem::new_waitable<Endpoint>(t->task, ObjType::Endpoint);
    if (!ep.ok()) return ret(t, ep.error());
    caps::install_new(*dst, abi::CapType::Endpoint, *ep);
    ret(t, Error::None);
}

SYSCALL_HANDLER(send) { do_send(t, false); }
SYSCALL_HANDLER(call) { do_send(t, true); }

SYSCALL_HANDLER(recv) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto ep = ipc::endpoint_cap(t->task, info.endpoint(), abi::RIGHT_READ);
    if (!ep.ok()) return ipc::set_error(t, ep.error());
    // The receive slots must be usable now (they are checked again on delivery).
    if (Status s = ipc::recv_slots_ok(t->task, info, caps::Grow::Yes); !s.ok())
        return ipc::set_error(t, s.error());
    ipc::recv(t, static_cast<Endpoint*>((*ep)->obj), info);
}

SYSCALL_HANDLER(reply) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto rc = ipc::reply_cap(t->task, info.reply_src());
    if (!rc.ok()) return ipc::set_error(t, rc.error());
    auto offered = reply_offer(t, info);
    if (!offered.ok()) return ipc::set_error(t, offered.error());
    save_message(t);
    ipc::set_error(t, ipc::reply(*rc, t->msg, *offered).error());
}

SYSCALL_HANDLER(reply_recv) {
    abi::IpcInfo info{t->ctx.arg(6)};
    // Check the receive side first, so a bad endpoint does not lose the reply.
    auto ep = ipc::endpoint_cap(t->task, info.endpoint(), abi::RIGHT_READ);
    if (!ep.ok()) return ipc::set_error(t, ep.error());
    auto rc = ipc::reply_cap(t->task, info.reply_src());
    if (!rc.ok()) return ipc::set_error(t, rc.error());
    auto offered = reply_offer(t, info);
    if (!offered.ok()) return ipc::set_error(t, offered.error());
    save_message(t);
    Thread* caller = nullptr;
    // A caller that went away does not stop the receive; a FAULT_MAP that
    // cannot map does (the handler must hear of it, its Reply cap still works).
    Status replied = ipc::reply(*rc, t->msg, *offered, &caller);
    if (!replied.ok() && replied.error() != Error::DeadObject) return ipc::set_error(t, replied.error());
    if (Status s = ipc::recv_slots_ok(t->task, info, caps::Grow::Yes); s.ok())
        ipc::recv(t, static_cast<Endpoint*>((*ep)->obj), info);
    else
        ipc::set_error(t, s.error());
    if (caller) sched::wake(caller);  // runs next if the replier now waits
}

}  // namespace syscall
