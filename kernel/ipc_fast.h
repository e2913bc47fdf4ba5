// IPC fast paths for the round trip every client-server exchange makes:
// a Call that finds its server waiting, and a ReplyRecv that answers a
// caller and finds no next message. They do exactly what the general
// paths in ipc.cc and syscall/sys_ipc.cc do in those cases, without the
// generic machinery; whenever a condition does not hold (a capability
// travels, a slot is unusable, another thread is ready, the reply ends a
// fault, ...) they decline and the general path runs.
#pragma once

#include "entry.h"
#include "obj/objects.h"

namespace ipc {

// Each returns true and fills `out` when it handled the call.
bool fast_call(Thread* t, TrapExit& out);
// The fault message in t->msg (ipc::set_fault_message) to a handler already waiting.
bool fast_fault(Thread* t, TrapExit& out);
bool fast_reply_recv(Thread* t, TrapExit& out);

}  // namespace ipc
