// The fault protocol seen from the handler's side (libs/abi/cap.h):
// the kernel turns a thread's fault into a Call on its fault endpoint with
//   w0 = FAULT_TAG | FaultKind, w1 = address, w2 = FaultAccess, w3 = pc,
//   w4 = thread id,
// and the handler answers through the Reply capability with
// w0 = FAULT_RESUME or FAULT_KILL. However a task ends, the endpoint its
// creator named in TaskCreate gets its end notice, a Send of
//   w0 = END_TAG | TaskEnd, w1 = status, w2 = task id.
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
    }
    return "?";
}

struct EndNotice {
    abi::TaskEnd how;
    int64_t status;  // Exit's; -1 otherwise
    uint64_t task;   // the task's id
};

// True when the words have the end notice's tag (as for faults, handlers
// check the badge too: a task can send such words).
constexpr bool is_end_notice(const sys::Msg& m) { return (m.w[0] & ~uint64_t(0xffff)) == abi::END_TAG; }

constexpr EndNotice decode_end_notice(const sys::Msg& m) {
    return EndNotice{abi::TaskEnd(m.w[0] & 0xffff), int64_t(m.w[1]), m.w[2]};
}

// Why a task ended, for log lines ("task NAME ended: WHY").
constexpr const char* task_end_reason(abi::TaskEnd how) {
    switch (how) {
        case abi::TaskEnd::Exit:
            return "exited";
        case abi::TaskEnd::Fault:
            return "a fault it could not go on from";
        case abi::TaskEnd::Killed:
            return "killed through its Task capability";
        case abi::TaskEnd::Unreachable:
            return "nothing outside it held it";
        case abi::TaskEnd::CreatorEnded:
            return "its creator ended";
    }
    return "unknown";
}
