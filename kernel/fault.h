// Faults of user threads, and the fault protocol (abi/cap.h): a fault
// becomes a Call to the thread's fault handler on its behalf, and the
// handler's reply says what happens to the thread. The entry from the
// trap code is kernel_user_fault (entry.h), in fault.cc: a fault whose
// handler waits goes straight to it (ipc::call_to_waiting, ipc.h), any
// other by the general path (send).
#pragma once

#include "abi/cap.h"
#include "base/result.h"
#include "kernel/obj/objects.h"
#include "kernel/obj/rights.h"
#include "kernel/obj/vm.h"

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

// Whether a fault whose handler waits goes straight to it (ipc.h:
// ipc::enable_fastpaths sets it at boot).
void enable_fastpath(bool on);

// `t` faulted and t->msg holds its fault message: send it to t's fault
// endpoint as a Call on its behalf, or end its task if it has none
// (`what` names the fault in the log line).
void send(Thread* t, const char* what);

// What the handler's reply (its first word, `w0`) does to the thread `t`
// whose fault it answers.
enum class Verdict : uint8_t {
    Resume,  // FAULT_RESUME: t retries the faulting instruction
    Map,     // FAULT_MAP: map_reply(), then as Resume
    Kill,    // anything else: t's task ends
};
inline Verdict verdict(uint64_t w0) {
    if (w0 == abi::FAULT_RESUME) return Verdict::Resume;
    if (w0 == abi::FAULT_MAP) return Verdict::Map;
    return Verdict::Kill;
}

// FAULT_MAP's mapping: the Frame capability `frame` offered with the
// reply (nullptr: none) into `into`, at the address and with the rights
// the reply's words name (w1, w2), as Map would. Errors: InvalidArgument
// (no capability, rights beyond RIGHTS_ALL), WrongType (not a Frame), and
// vm::map_frame's; nothing changes then. Inline: the fast ReplyRecv makes
// it on every demand fault.
inline Status map_reply(Task* into, Cap* frame, const uint64_t* words) {
    if (!frame) [[unlikely]]
        return Error::InvalidArgument;  // FAULT_MAP needs a frame
    if (frame->type != abi::CapType::Frame) [[unlikely]]
        return Error::WrongType;
    if (!rights::within(words[2], abi::RIGHTS_ALL)) [[unlikely]]
        return Error::InvalidArgument;
    return vm::map_frame(into, frame, VirtAddr(words[1]), uint8_t(words[2]));
}

// The handler has answered `t`'s fault: t no longer waits on it.
inline void answered(Thread* t) { t->in_fault = false; }

// The handler has answered `t`'s fault with `v`: true when t resumes (its
// caller makes it runnable), false when its task has ended.
bool conclude(Thread* t, Verdict v);

}  // namespace fault
