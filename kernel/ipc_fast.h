// IPC fast paths for the round trip every client-server exchange makes:
// a Call that finds its server waiting, and a ReplyRecv that answers a
// caller and finds no next message. They do exactly what the general
// paths in ipc.cc and syscall/sys_ipc.cc do in those cases, without the
// generic machinery; whenever a condition does not hold (a capability
// travels with a Call, a slot is unusable, another thread is ready, the
// reply ends a fault with something other than RESUME or MAP, ...) they decline
// and the general path runs.
#pragma once

#include "kernel/entry.h"
#include "kernel/obj/objects.h"

namespace ipc {

// Call and ReplyRecv as the syscall table runs them: the fast path when it
// applies, otherwise the general handler (sys::call, sys::reply_recv) and
// the scheduler. `t` is the current thread, whose trap is being handled.
TrapExit call_syscall(Thread* t);
TrapExit reply_recv_syscall(Thread* t);

// The fault entry, kernel_user_fault (entry.h), is in ipc_fast.cc too: a
// fault message to a handler already waiting takes the same fast path as
// a Call.

}  // namespace ipc
