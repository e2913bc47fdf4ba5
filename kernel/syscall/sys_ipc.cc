// EndpointCreate, Send, Recv, Call, Reply, ReplyRecv.
#include "kernel/ipc.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/pool.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace syscall {

namespace {

void ipc_error(Thread* t, Error e) { t->ctx.set_arg(7, uint64_t(e)); }

// The endpoint named in info, with `right`. For a send with a capability,
// Grant too and the offered cap must exist (and not be a Reply cap).
Result<Cap*> endpoint_arg(Thread* t, abi::IpcInfo info, uint8_t right, bool sending) {
    Cap* ep = TRY(caps::lookup(t->task, info.endpoint(), abi::CapType::Endpoint, right));
    if (sending && info.send_cap()) {
        if (!(ep->rights & abi::RIGHT_GRANT)) return Error::NoRights;
        Cap* offered = TRY(caps::lookup(t->task, info.send_cap()));
        if (offered->type == abi::CapType::Reply) return Error::WrongType;
    }
    return ep;
}

// A capability offered with a Reply must exist and not be a Reply cap.
Status offered_ok(Thread* t, abi::IpcInfo info) {
    if (!info.send_cap()) return {};
    Cap* offered = TRY(caps::lookup(t->task, info.send_cap()));
    if (offered->type == abi::CapType::Reply) return Error::WrongType;
    return {};
}

// Receive-side slots must be usable now (they are checked again on delivery).
Status recv_slots_ok(Thread* t, abi::IpcInfo info) {
    if (info.recv_cap()) TRY(caps::empty_slot(t->task, info.recv_cap()));
    if (info.reply_dst()) TRY(caps::empty_slot(t->task, info.reply_dst()));
    if (info.recv_cap() && info.recv_cap() == info.reply_dst()) return Error::InvalidArgument;
    return {};
}

void save_message(Thread* t) {
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) t->msg[i] = t->ctx.arg(i);
}

void do_send(Thread* t, bool call) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto ep = endpoint_arg(t, info, abi::RIGHT_WRITE, true);
    if (!ep.ok()) return ipc_error(t, ep.error());
    save_message(t);
    if (call) t->recv_info = info.raw;  // where the reply's capability may land
    ipc::send(t, static_cast<Endpoint*>((*ep)->obj), (*ep)->w0, call, info.send_cap());
}

}  // namespace

SYSCALL_HANDLER(endpoint_create) {
    auto dst = caps::empty_slot(t->task, t->ctx.arg(0));
    if (!dst.ok()) return ret(t, dst.error());
    const uint64_t bytes = kmem::object_charge(t->task, sizeof(Endpoint));
    if (Status s = kmem::charge(t->task, bytes); !s.ok()) return ret(t, s);
    auto ep = kmem::alloc_object<Endpoint>(t->task);
    if (!ep.ok()) {
        kmem::credit(t->task, bytes);
        return ret(t, ep.error());
    }
    (*ep)->otype = ObjType::Endpoint;
    (*ep)->kmem_payer = t->task;
    obj_ref(t->task);  // until the endpoint is freed and gives its bytes back
    Cap c{};
    c.type = abi::CapType::Endpoint;
    c.rights = abi::RIGHTS_ALL;
    c.obj = *ep;
    caps::install(*dst, c, nullptr);
    ret(t, Error::None);
}

SYSCALL_HANDLER(send) { do_send(t, false); }
SYSCALL_HANDLER(call) { do_send(t, true); }

SYSCALL_HANDLER(recv) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto ep = endpoint_arg(t, info, abi::RIGHT_READ, false);
    if (!ep.ok()) return ipc_error(t, ep.error());
    if (Status s = recv_slots_ok(t, info); !s.ok()) return ipc_error(t, s.error());
    ipc::recv(t, static_cast<Endpoint*>((*ep)->obj), info);
}

SYSCALL_HANDLER(reply) {
    abi::IpcInfo info{t->ctx.arg(6)};
    auto r = caps::lookup(t->task, info.reply_src(), abi::CapType::Reply, 0);
    if (!r.ok()) return ipc_error(t, r.error());
    if (Status s = offered_ok(t, info); !s.ok()) return ipc_error(t, s.error());
    save_message(t);
    ipc_error(t, ipc::reply(t, *r, t->msg, info.send_cap()).error());
}

SYSCALL_HANDLER(reply_recv) {
    abi::IpcInfo info{t->ctx.arg(6)};
    // Check the receive side first, so a bad endpoint does not lose the reply.
    auto ep = endpoint_arg(t, info, abi::RIGHT_READ, false);
    if (!ep.ok()) return ipc_error(t, ep.error());
    auto r = caps::lookup(t->task, info.reply_src(), abi::CapType::Reply, 0);
    if (!r.ok()) return ipc_error(t, r.error());
    if (Status s = offered_ok(t, info); !s.ok()) return ipc_error(t, s.error());
    save_message(t);
    Thread* caller = nullptr;
    // A caller that went away does not stop the receive; a FAULT_MAP that
    // cannot map does (the handler must hear of it, its Reply cap still works).
    Status replied = ipc::reply(t, *r, t->msg, info.send_cap(), &caller);
    if (!replied.ok() && replied.error() != Error::DeadObject) return ipc_error(t, replied.error());
    Status s = recv_slots_ok(t, info);
    if (s.ok())
        ipc::recv(t, static_cast<Endpoint*>((*ep)->obj), info);
    else
        ipc_error(t, s.error());
    if (caller) sched::wake(caller);  // runs next if the replier now waits
}

}  // namespace syscall
