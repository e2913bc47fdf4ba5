// Interrupts as capabilities: the kernel drives the interrupt controller
// (claim and complete); user drivers hold the lines.
//
// The root task holds the IrqControl capability, from which one
// IrqHandler capability per line is made (IrqControlGet), straight into
// the task that will drive it. A line has at most one handler, which is
// never copied or sent, so one task holds it. A held line is enabled at
// the controller; its interrupt is claimed, counted and turned into a
// Signal of the notification the handler names (IrqSetNotification:
// that capability's badge, or bit line % 64 when it has none), and the
// line stays in service -- it cannot interrupt again -- until the driver
// acknowledges it (IrqAck), having quietened its device. An interrupt
// that comes before a notification is named is kept and signalled when
// one is. When the handler capability goes (deleted, or its task ended)
// the line is masked, an interrupt in service completed, the
// notification let go, and the line can be taken again.
//
// An interrupt for a line nobody holds (it was released while the
// controller had it pending) is completed, counted and logged: never
// lost silently. KernelInfo(KERNEL_INFO_IRQ) reports the counts.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "fdt/devices.h"
#include "kernel/obj/objects.h"

namespace irq {

// Lines are 1..lines()-1 (0 means none at the PLIC).
inline constexpr uint32_t MAX_LINES = 1024;

// At boot, after paging: maps and sets up the controller the device tree
// names (logged; without one there are no interrupts).
void init(const fdt::DeviceInfo& devices);
bool available();
uint32_t lines();

// Whether `line` can be taken (IrqControlGet checks before it changes
// anything). Errors: Unsupported (no controller), InvalidArgument (0, or
// not below lines()), Busy (held).
Status can_take(uint64_t line);
// `line`, which can_take() allowed, is held from now on.
void take(uint32_t line);
// The line's IrqHandler capability is going (caps::remove).
void release(uint32_t line);
// What the line's interrupts signal: `bits` of `n` (nullptr: nothing
// yet). Holds a reference on n. An interrupt in service and not yet
// signalled is signalled now.
void set_notification(uint32_t line, Notification* n, uint64_t bits);
// The driver is done with the interrupt in service: the line may
// interrupt again (nothing happens when none is in service).
void ack(uint32_t line);

// An external interrupt is pending (a trap from U-mode, or the idle
// loop's wakeup): claims each pending line and handles it.
void handle_pending();

// The counts KernelInfo reports.
uint64_t taken(uint32_t line);
uint64_t unheld();
// Whether any line is held: then a thread blocked forever may still be
// woken by a device, and idling is no deadlock.
bool any_held();

// For the consistency check: the notification `line` signals (nullptr
// if none or not held) and whether it is held.
struct LineView {
    bool held;
    bool in_service;
    const Notification* n;
};
LineView view(uint32_t line);

}  // namespace irq
