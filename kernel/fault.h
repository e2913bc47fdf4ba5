// Faults of user threads: how one becomes a message to the thread's fault
// handler (abi/cap.h's fault protocol). The entry from the trap code is
// kernel_user_fault (entry.h), in fault.cc.
#pragma once

#include "abi/cap.h"
#include "kernel/obj/objects.h"

namespace fault {

// The fault message for `t`, word by word through put(i, word) (abi/cap.h:
// tag and kind, address, access, pc, thread id).
template <typename Put>
inline void put_message(Put put, Thread* t, abi::FaultKind kind, uint64_t addr, abi::FaultAccess access) {
    put(0, abi::FAULT_TAG | uint64_t(kind));
    put(1, addr);
    put(2, uint64_t(access));
    put(3, t->ctx.pc);
    put(4, t->id);
    put(5, 0);
}

// Puts the fault message for `t` in t->msg.
inline void set_message(Thread* t, abi::FaultKind kind, uint64_t addr, abi::FaultAccess access) {
    put_message([t](unsigned i, uint64_t w) { t->msg[i] = w; }, t, kind, addr, access);
}

// `t` faulted and t->msg holds its fault message: send it to t's fault
// endpoint as a Call on its behalf, or end its task if it has none
// (`what` names the fault in the log line).
void send(Thread* t, const char* what);

}  // namespace fault
