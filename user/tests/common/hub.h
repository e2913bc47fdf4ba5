// How a test root task hears from its children: one endpoint, the hub,
// receives both their reports (Send or Call through a badged copy in the
// child's slot CHILD_REPORT_SLOT) and their faults (the hub is every
// child's fault endpoint, with FAULT_BADGE set in the badge). Because
// faults arrive where the root is waiting anyway, a child that faults
// unexpectedly fails the test instead of leaving the root blocked.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "base/result.h"
#include "runtime/fault.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"

// The child's send-only capability to the hub.
inline constexpr unsigned CHILD_REPORT_SLOT = abi::SLOT_FIRST_FREE;
// The first slot of a child's table that tests may fill with Child::give.
inline constexpr unsigned CHILD_FREE_SLOT = abi::SLOT_FIRST_FREE + 1;
// Set in the badge of fault messages; the rest of the badge is the child id.
inline constexpr uint64_t FAULT_BADGE = uint64_t(1) << 40;

// A message the hub received.
struct HubEvent {
    sys::Msg msg;
    uint64_t badge = 0;
    unsigned id = 0;      // which child (the badge without FAULT_BADGE)
    bool fault = false;   // a fault message from the kernel
    bool end = false;     // the child's end notice from the kernel
    FaultMessage f = {};  // decoded when `fault`
    EndNotice e = {};     // decoded when `end`
    CapSlot reply;        // the Reply capability when the sender called
};

class Hub {
public:
    // Creates the endpoint. OverQuota, or the Error of EndpointCreate.
    Status init();
    unsigned ep() const { return ep_; }

    // A child (not yet started) whose reports and faults come here with id
    // `id` (1 .. 2^40-1). `with_fault_handler` = false leaves it without a
    // fault endpoint. Errors of Child::create and Child::give.
    Result<Child> child(unsigned id, bool with_fault_handler = true,
                        unsigned priority = abi::PRIORITY_DEFAULT) const;

    // Waits for the next message other than an end notice (every child
    // made here sends one when it ends, however it ends; wait() passes
    // over them). Errors of Recv.
    Result<HubEvent> wait() const;
    // Waits for the next message of any kind.
    Result<HubEvent> wait_any() const;
    // Waits for child `id` to end and returns its exit status (-1 when it
    // did not exit). Other children's end notices are passed over.
    // Malformed: another message came first (it is answered with
    // FAULT_KILL if it was a Call); otherwise errors of Recv.
    Result<uint64_t> wait_exit(unsigned id);

    // Answers a Call (a fault: w0 = FAULT_RESUME / FAULT_KILL). InvalidCap
    // when the event was not a Call; otherwise the Error of Reply.
    // A refused FAULT_MAP leaves the Reply capability in `ev`, to answer again.
    Status answer(HubEvent& ev, const sys::Msg& m);

private:
    // A plain slot, not a CapSlot: the hub lives as long as the program, and a
    // global with a destructor would need a run-time registration.
    unsigned ep_ = 0;
};

// The hub every test of a program uses (created on first use).
Result<Hub*> hub();

// --- Inside a child --------------------------------------------------------

// Sends to the hub and does not wait for an answer.
inline Status report(const sys::Msg& m) { return sys::send(abi::IpcInfo::make(CHILD_REPORT_SLOT), m); }
inline Status report(uint64_t w0, uint64_t w1 = 0, uint64_t w2 = 0, uint64_t w3 = 0) {
    sys::Msg m;
    m.w[0] = w0;
    m.w[1] = w1;
    m.w[2] = w2;
    m.w[3] = w3;
    return report(m);
}
// Calls the hub and waits for the root's answer.
inline Result<sys::Received> ask(uint64_t w0, uint64_t w1 = 0) {
    sys::Msg m;
    m.w[0] = w0;
    m.w[1] = w1;
    return sys::call(abi::IpcInfo::make(CHILD_REPORT_SLOT), m);
}
