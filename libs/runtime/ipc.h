// IPC system calls (Send, Recv, Call, Reply, ReplyRecv) for user tasks.
//
// Register convention (libs/abi/syscall.h): in a7 = number, a6 =
// abi::IpcInfo, a0..a5 = six message words; out a7 = Error, a6 =
// abi::IpcResult (badge and flags), a0..a5 = the words received. All eight
// registers are therefore inputs and outputs here; nothing else changes.
//
// Errors (docs/syscalls.md): InvalidCap, WrongType, NoRights for the slots
// named in the IpcInfo; DeadObject when the endpoint dies while we wait,
// when a Call's receiver gave no reply slot, or when the caller behind a
// Reply capability has gone.
#pragma once

#include <stdint.h>

#include "abi/syscall.h"
#include "base/result.h"
#include "runtime/syscall.h"

namespace sys {

// The wrappers are always inline: each is a few register moves around one
// ecall, and a call to an out-of-line copy would cost more than that (its
// Result comes back through memory).

struct Msg {
    uint64_t w[abi::MSG_WORDS] = {};
};

// What an IPC call leaves behind: the Error, the IpcResult and the words.
struct IpcRegs {
    Error error;
    abi::IpcResult info;
    Msg msg;
};

[[gnu::always_inline]] inline IpcRegs ipc_raw(uint64_t nr, uint64_t info, const Msg& in) {
    register uint64_t r0 asm("a0") = in.w[0];
    register uint64_t r1 asm("a1") = in.w[1];
    register uint64_t r2 asm("a2") = in.w[2];
    register uint64_t r3 asm("a3") = in.w[3];
    register uint64_t r4 asm("a4") = in.w[4];
    register uint64_t r5 asm("a5") = in.w[5];
    register uint64_t r6 asm("a6") = info;
    register uint64_t r7 asm("a7") = nr;
    asm volatile("ecall"
                 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6), "+r"(r7)
                 :
                 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
    return {to_error(r7), abi::IpcResult{r6}, Msg{{r0, r1, r2, r3, r4, r5}}};
}

// A message that arrived, with the sender's badge and flags.
struct Received {
    Msg msg;
    abi::IpcResult info;
};

[[gnu::always_inline]] inline Result<Received> received(const IpcRegs& r) {
    if (r.error != Error::None) return r.error;
    return Received{r.msg, r.info};
}

// Blocks until a receiver takes the message. Needs Write on the endpoint
// (and Grant when info.send_cap() names a capability).
[[gnu::always_inline]] inline Status send(abi::IpcInfo info, const Msg& m) {
    return Status(ipc_raw(uint64_t(abi::Sys::Send), info.raw, m).error);
}

// Blocks until a message arrives. Needs Read.
[[gnu::always_inline]] inline Result<Received> recv(abi::IpcInfo info) {
    return received(ipc_raw(uint64_t(abi::Sys::Recv), info.raw, Msg{}));
}

// Send, then wait for the answer through the Reply capability.
[[gnu::always_inline]] inline Result<Received> call(abi::IpcInfo info, const Msg& m) {
    return received(ipc_raw(uint64_t(abi::Sys::Call), info.raw, m));
}

// Answers through the Reply capability info.reply_src(), which is consumed.
[[gnu::always_inline]] inline Status reply(abi::IpcInfo info, const Msg& m) {
    return Status(ipc_raw(uint64_t(abi::Sys::Reply), info.raw, m).error);
}

// Reply, then Recv, in one call.
[[gnu::always_inline]] inline Result<Received> reply_recv(abi::IpcInfo info, const Msg& m) {
    return received(ipc_raw(uint64_t(abi::Sys::ReplyRecv), info.raw, m));
}

}  // namespace sys
