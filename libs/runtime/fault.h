// The fault protocol seen from the handler's side (libs/abi/cap.h):
// the kernel turns a thread's fault into a Call on its fault endpoint with
//   w0 = FAULT_TAG | FaultKind, w1 = address, w2 = FaultAccess, w3 = pc,
//   w4 = thread id,
// and the handler answers through the Reply capability with
// w0 = FAULT_RESUME or FAULT_KILL. A thread with a fault endpoint that
// calls Sys::Exit sends FaultKind::Exit with w1 = its status instead, and
// ends once the handler answers (whatever the answer).
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "runtime/syscall.h"

struct FaultMessage {
    abi::FaultKind kind;
    uint64_t addr;
    abi::FaultAccess access;
    uint64_t pc;
    uint64_t thread;
};

// True when the words have the fault tag (and so came from the kernel:
// a task can also send such words, so handlers check the badge too).
constexpr bool is_fault_message(const sys::Msg& m) { return (m.w[0] & ~uint64_t(0xffff)) == abi::FAULT_TAG; }

constexpr FaultMessage decode_fault(const sys::Msg& m) {
    return FaultMessage{abi::FaultKind(m.w[0] & 0xffff), m.w[1], abi::FaultAccess(m.w[2]), m.w[3], m.w[4]};
}

constexpr sys::Msg fault_verdict(uint64_t verdict) {
    sys::Msg m;
    m.w[0] = verdict;
    return m;
}

constexpr const char* fault_kind_name(abi::FaultKind k) {
    switch (k) {
        case abi::FaultKind::PageFault:
            return "page fault";
        case abi::FaultKind::AccessFault:
            return "access fault";
        case abi::FaultKind::IllegalInstruction:
            return "illegal instruction";
        case abi::FaultKind::Misaligned:
            return "misaligned";
        case abi::FaultKind::Other:
            return "other";
        case abi::FaultKind::Exit:
            return "exit";
    }
    return "?";
}
