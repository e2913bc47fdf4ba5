// Synchronous IPC over endpoints, and fault messages.
//
// A message is six words, a badge (from the sender's endpoint cap) and at
// most one capability. Senders and receivers meet at an endpoint: whoever
// comes first waits in its queue. A Call leaves the caller waiting for a
// Reply capability, which the receiver gets in the slot it named.
#pragma once

#include "abi/syscall.h"
#include "base/result.h"
#include "kernel/obj/objects.h"

namespace ipc {

// The current thread `t` sends t->msg (and the capability in slot
// `send_cap_slot` of its own table, 0 for none) to `ep` with `badge`.
// Blocks until a receiver takes it; a Call then waits for the Reply.
void send(Thread* t, Endpoint* ep, uint64_t badge, bool call, unsigned send_cap_slot);

// The current thread `t` receives from `ep` with the slots in `info`
// (recv_cap, reply_dst). Blocks until a message arrives.
void recv(Thread* t, Endpoint* ep, abi::IpcInfo info);

// `replier` answers the Call behind `reply` (which is consumed) with
// `words` and, if `send_cap_slot` names one, a copy of that capability
// into the slot the caller named for it (recv_cap of its Call).
// Errors: DeadObject (the caller is gone or was answered already). A
// reply of FAULT_MAP to a fault maps the Frame capability in
// `send_cap_slot` into the faulting task first (vm::map_frame, w1 =
// address, w2 = rights); if that fails, its error is returned and nothing
// changes: the Reply capability stays valid and the caller blocked.
// With `woken`, the caller is not made runnable but returned there, for
// the replier to wake once it blocks (ReplyRecv).
Status reply(Thread* replier, Cap* reply, const uint64_t* words, unsigned send_cap_slot,
             Thread** woken = nullptr);

// Takes `t` out of any endpoint queue (its task is ending).
void cancel(Thread* t);
// No capability names `ep` any more: everyone waiting on it gets DeadObject.
void endpoint_unreachable(Endpoint* ep);
// A Reply capability was removed without being used.
void reply_dropped(Cap* reply);

}  // namespace ipc
