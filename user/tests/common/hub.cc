#include "user/tests/common/hub.h"

#include <utility>

#include "runtime/syscall.h"

namespace {
constinit Hub g_hub;
constinit bool g_hub_ready = false;
}  // namespace

Result<Hub*> hub() {
    if (!g_hub_ready) {
        TRY_STATUS(g_hub.init());
        g_hub_ready = true;
    }
    return &g_hub;
}

Status Hub::init() {
    CapSlot ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(ep.slot()));
    ep_ = ep.release();
    return ok_status();
}

Result<Child> Hub::child(unsigned id, bool with_fault_handler, unsigned priority) const {
    ChildOptions opt;
    opt.priority = priority;
    if (with_fault_handler) {
        opt.fault_ep = ep_;
        opt.fault_badge = FAULT_BADGE | id;
    }
    opt.end_ep = ep_;
    opt.end_badge = FAULT_BADGE | id;
    Child c = TRY(Child::create(opt));
    TRY_STATUS(c.give(ep_, CHILD_REPORT_SLOT, abi::RIGHT_WRITE, id));
    return c;
}

Result<HubEvent> Hub::wait() const {
    for (;;) {
        HubEvent ev = TRY(wait_any());
        if (!ev.end) return ev;
    }
}

Result<uint64_t> Hub::wait_exit(unsigned id) {
    for (;;) {
        HubEvent ev = TRY(wait_any());
        if (ev.end) {
            if (ev.id == id) return uint64_t(ev.e.status);
            continue;
        }
        if (ev.reply.valid()) (void)answer(ev, fault_verdict(abi::FAULT_KILL));
        return Error::Malformed;
    }
}

Result<HubEvent> Hub::wait_any() const {
    CapSlot reply = TRY(CapSlot::alloc());
    sys::Received rx = TRY(sys::recv(abi::IpcInfo::make(ep_, 0, 0, reply.slot())));
    HubEvent ev;
    ev.msg = rx.msg;
    ev.badge = rx.info.badge();
    ev.id = unsigned(ev.badge & ~FAULT_BADGE);
    ev.fault = (ev.badge & FAULT_BADGE) && is_fault_message(rx.msg);
    if (ev.fault) ev.f = decode_fault(rx.msg);
    ev.end = (ev.badge & FAULT_BADGE) && is_end_notice(rx.msg);
    if (ev.end) ev.e = decode_end_notice(rx.msg);
    if (rx.info.is_call()) {
        ev.reply = std::move(reply);
    }
    return ev;
}

// Uses none of the hub's state, but stays a member: an event is answered
// through the hub that received it (h->answer).
// NOLINTNEXTLINE(readability-convert-member-functions-to-static)
Status Hub::answer(HubEvent& ev, const sys::Msg& m) {
    if (!ev.reply.valid()) return Error::InvalidCap;
    Status s = sys::reply(abi::IpcInfo::make(0, 0, 0, 0, ev.reply.slot()), m);
    // Reply consumes the capability whether or not the caller still waits,
    // except a FAULT_MAP the kernel could not make: then it stays, and the
    // fault still waits for an answer.
    auto still = sys::cap_identify(ev.reply.slot());
    if (!s.ok() && still.ok() && still->type == abi::CapType::Reply) return s;
    slots().free(ev.reply.release());
    return s;
}
