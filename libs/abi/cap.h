// Capability types and rights, shared by the kernel and user code.
#pragma once

#include <stdint.h>

namespace abi {

enum class CapType : uint8_t {
    Null = 0,
    Memory = 1,        // a physical range (only the pager holds these): mint Frames, donate to the kernel
    Frame = 2,         // a naturally aligned block of 2^order frames
    Task = 3,          // an address space with a capability table and threads
    Thread = 4,        // a thread of a task
    Endpoint = 5,      // a synchronous IPC endpoint
    Reply = 6,         // the right to answer one Call, once
    Notification = 7,  // a word of bits for asynchronous signals
    IrqControl = 8,    // the right to make IrqHandler capabilities (the root task's)
    IrqHandler = 9,    // one interrupt line: its interrupts signal a notification
};

constexpr const char* cap_type_name(CapType t) {
    switch (t) {
        case CapType::Null:
            return "null";
        case CapType::Memory:
            return "memory";
        case CapType::Frame:
            return "frame";
        case CapType::Task:
            return "task";
        case CapType::Thread:
            return "thread";
        case CapType::Endpoint:
            return "endpoint";
        case CapType::Reply:
            return "reply";
        case CapType::Notification:
            return "notification";
        case CapType::IrqControl:
            return "irq control";
        case CapType::IrqHandler:
            return "irq handler";
    }
    return "?";
}

// Rights bits. Their meaning depends on the type:
//   Frame:     Read, Write, Exec: what a mapping through it may allow
//   Endpoint:  Write = send, Read = receive, Grant = transfer capabilities
//   Notification: Write = signal, Read = wait, poll, bind to a thread
//   IrqControl: Write = make handlers; IrqHandler: any right (it is never copied)
//   Memory, Task, Thread: Write = control (mint, map into, start, kill)
enum Rights : uint8_t {
    RIGHT_READ = 1,
    RIGHT_WRITE = 2,
    RIGHT_EXEC = 4,
    RIGHT_GRANT = 8,
    RIGHTS_ALL = 15,
};

// Well-known slots every task starts with.
inline constexpr unsigned SLOT_NULL = 0;
inline constexpr unsigned SLOT_SELF_TASK = 1;
inline constexpr unsigned SLOT_SELF_THREAD = 2;
inline constexpr unsigned SLOT_FIRST_FREE = 8;
// A task's capability space: slots [0, MAX_CAP_SLOTS), every slot an IPC
// message can send (abi::MAX_SEND_SLOT), enough for a frame table with a
// slot for each 4 KiB frame of a 64 GiB machine. The kernel makes room for a slot the first
// time something is put there, within the task's kernel memory limit
// (docs/syscalls.md, "Capability space").
inline constexpr uint64_t MAX_CAP_SLOTS = uint64_t(1) << 24;
// The kernel makes that room a leaf at a time: a page of kernel memory
// holding CAP_LEAF_SLOTS consecutive slots, from a multiple of it.
inline constexpr uint64_t CAP_LEAF_SLOTS = 32;
// The slots a task's runtime hands out, [SLOT_FIRST_FREE, CAP_SLOTS)
// (libs/runtime/slots.h): a bound of user code, not the kernel's.
inline constexpr unsigned CAP_SLOTS = 256;

// Fault messages (the kernel sends them to a thread's fault endpoint).
//   w0 = FAULT_TAG | FaultKind, w1 = address (stval), w2 = FaultAccess,
//   w3 = pc, w4 = thread id. Reply with w0 = FAULT_RESUME, FAULT_KILL or
//   FAULT_MAP (w1 = address, w2 = rights, a Frame capability with the
//   reply: mapped into the faulting task as Map would, then resume).
inline constexpr uint64_t FAULT_TAG = 0xfa017ull << 16;
enum class FaultKind : uint64_t {
    PageFault = 1,
    AccessFault = 2,
    IllegalInstruction = 3,
    Misaligned = 4,
    Other = 5,
};
enum class FaultAccess : uint64_t { Read = 0, Write = 1, Exec = 2 };
inline constexpr uint64_t FAULT_RESUME = 0;
inline constexpr uint64_t FAULT_KILL = 1;
inline constexpr uint64_t FAULT_MAP = 2;

// The end notice. However a task ends, the endpoint its creator named in
// TaskCreate (a3) hears of it once, after the task is gone: a message
// from the kernel that arrives as a Send with that capability's badge,
//   w0 = END_TAG | TaskEnd, w1 = status (Exit's; -1 otherwise),
//   w2 = the task's id.
// The task cannot change or remove it (docs/syscalls.md, "How a task ends").
inline constexpr uint64_t END_TAG = 0xe4d0ull << 16;
enum class TaskEnd : uint64_t {
    Exit = 1,          // it called Sys::Exit
    Fault = 2,         // a fault it could not go on from (no handler, the handler's kill, no answer)
    Killed = 3,        // TaskKill through a Task capability (its own included)
    Unreachable = 4,   // no capability to it or its threads was left outside its own table
    CreatorEnded = 5,  // the task that created it ended
};

}  // namespace abi
