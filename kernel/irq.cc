// Interrupt lines (irq.h).
#include "kernel/irq.h"

#include "kernel/boot/boot.h"
#include "kernel/entry.h"
#include "kernel/lib/log.h"
#include "kernel/notify.h"
#include "kernel/obj/cap.h"
#include "kernel/paging.h"
#include "kernel/platform.h"
#include "kernel/scheduler.h"

namespace irq {

namespace {

struct Line {
    bool held = false;
    bool in_service = false;  // claimed, not completed (the driver acknowledges)
    bool signalled = false;   // the interrupt in service reached its notification
    Notification* n = nullptr;
    uint64_t bits = 0;
    uint64_t taken = 0;
};

struct State {
    uint32_t lines = 0;  // 0: no controller
    uint64_t unheld = 0;
    uint32_t held = 0;
    Line line[MAX_LINES];
};
constinit State g{};

// Frames for the controller's page tables, from memblock at boot.
Result<PhysAddr> boot_frame(void*) { return boot_memblock().alloc(PAGE_SIZE, PAGE_SIZE); }

void signal_if_due(Line& l) {
    if (l.in_service && !l.signalled && l.n) {
        l.signalled = true;
        notify::signal(l.n, l.bits);
    }
}

void drop_notification(Line& l) {
    if (Notification* n = l.n) {
        l.n = nullptr;
        obj_unref(n);
    }
}

}  // namespace

void init(const fdt::DeviceInfo& devices) {
    if (!devices.has_plic) {
        klog::info("Interrupts: no interrupt controller; drivers get no interrupts");
        return;
    }
    const fdt::Plic& p = devices.plic;
    const PhysRange regs{PhysAddr(p.base), p.size};
    const uint32_t lines = p.ndev + 1 < MAX_LINES ? p.ndev + 1 : MAX_LINES;
    Status s = arch::map_mmio(regs, arch::FrameSource{boot_frame, nullptr});
    if (s.ok()) s = platform::irq_controller_init(regs, lines, p.context);
    if (!s.ok()) {
        klog::warn("Interrupts: the PLIC at %#lx is unusable (%s); drivers get no interrupts", p.base,
                   error_name(s.error()));
        return;
    }
    g.lines = lines;
    klog::info("Interrupts: PLIC at %#lx, lines 1-%u, context %u", p.base, lines - 1, p.context);
}

bool available() { return g.lines != 0; }
uint32_t lines() { return g.lines; }

Status can_take(uint64_t line) {
    if (!available()) return Error::Unsupported;
    if (line == 0 || line >= g.lines) return Error::InvalidArgument;
    return g.line[line].held ? Status(Error::Busy) : ok_status();
}

// A line nobody holds is masked, out of service and names nothing
// (release() leaves it so); its count of interrupts goes on.
void take(uint32_t line) {
    g.line[line].held = true;
    g.held++;
    platform::irq_enable(line, true);
}

void release(uint32_t line) {
    Line& l = g.line[line];
    if (!l.held) return;
    platform::irq_enable(line, false);
    if (l.in_service) platform::irq_complete(line);
    drop_notification(l);
    l.held = l.in_service = l.signalled = false;
    l.bits = 0;
    g.held--;
}

void set_notification(uint32_t line, Notification* n, uint64_t bits) {
    Line& l = g.line[line];
    drop_notification(l);
    if (n) obj_ref(n);
    l.n = n;
    l.bits = bits;
    signal_if_due(l);
}

void ack(uint32_t line) {
    Line& l = g.line[line];
    if (!l.in_service) return;
    l.in_service = l.signalled = false;
    platform::irq_complete(line);
}

void handle_pending() {
    if (!available()) return;
    while (uint32_t line = platform::irq_claim()) {
        Line* l = line < g.lines ? &g.line[line] : nullptr;
        if (!l || !l->held) {
            // Released while the controller had it pending: nobody can take it.
            g.unheld++;
            platform::irq_complete(line);
            if (g.unheld <= 16)
                klog::warn("interrupt on line %u, which nobody holds (%lu so far)", line, g.unheld);
            continue;
        }
        l->taken++;
        l->in_service = true;  // completed when the driver acknowledges
        signal_if_due(*l);
    }
}

uint64_t taken(uint32_t line) { return line < MAX_LINES ? g.line[line].taken : 0; }
uint64_t unheld() { return g.unheld; }
bool any_held() { return g.held != 0; }

LineView view(uint32_t line) {
    const Line& l = g.line[line];
    return LineView{l.held, l.in_service, l.n};
}

}  // namespace irq

// An external interrupt arrived while a user thread ran (entry.h).
TrapExit kernel_external_interrupt() {
    sched::set_trapped(sched::current());
    irq::handle_pending();
    return sched::schedule();
}
