// The drivers the pager starts (docs/block-protocol.md, "Who starts it").
//
// A manifest line with driver=virtio-blk starts a virtio block driver on
// the first virtio-mmio slot that holds a block device: the pager, which
// as the root task holds every device's registers and the IrqControl
// capability, gives the new task the registers, the device's interrupt
// line (made straight into its table), an endpoint to serve (the pager
// keeps the original, to take it away when the driver ends), and its
// queue memory, granted like any frames (in its quota, given back when it
// ends). Before that memory comes back the device is reset, as it may
// still point there. Drivers serve the other tasks: once they are the
// only tasks left, the pager ends them, and that is success.
#include "abi/block.h"
#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/syscall.h"
#include "virtio/mmio.h"

namespace pager {

namespace {

// Where the pager maps a device's registers for a moment (above its
// physical map, below the initrd).
constexpr uint64_t DEVICE_VA = 0x31'0000'0000;
constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

struct Disk {
    const abi::BootDevice* dev;  // nullptr: none found (yet)
    uint32_t driver;             // the client driving it (0: none)
    unsigned ep;                 // the endpoint it serves (0: none)
};
constinit Disk g_disk{};
// Every program of the bundle has been started (drivers_may_end()).
constinit bool g_bundle_started = false;

// Runs fn on a device's registers, mapped here for the moment. The
// errors of Map and Unmap.
template <typename Fn>
Status with_registers(const abi::BootDevice& d, Fn fn) {
    TRY_STATUS(sys::map(0, d.slot, DEVICE_VA, RW));
    fn(reinterpret_cast<volatile uint32_t*>(DEVICE_VA + (d.phys & (PAGE_SIZE - 1))));
    return sys::unmap(d.slot);
}

const abi::BootDevice* find_disk() {
    const abi::BootInfo* b = memory().boot;
    for (uint32_t i = 0; i < b->nr_devices; i++) {
        const abi::BootDevice& d = b->devices[i];
        if (d.kind != abi::DeviceKind::VirtioMmio) continue;
        uint32_t id = 0;
        if (with_registers(
                d, [&](const volatile uint32_t* r) { id = virtio::mmio::read(r, virtio::mmio::DEVICE_ID); })
                .ok() &&
            id == virtio::mmio::DEVICE_BLOCK)
            return &d;
    }
    return nullptr;
}

// A block of 2^order frames granted to `c`, its capability copied to `slot` of c's table.
Status grant_into(Client* c, unsigned order, unsigned slot) {
    const Grant g = TRY(grant(c, mm::AllocRequest::of(order, 0), 0));
    return sys::cap_copy(g.slot, c->task_slot, slot, RW);
}

}  // namespace

Status block_device_free(const char** why) {
    if (g_disk.driver) {
        *why = "a virtio-blk driver runs already";
        return Error::Busy;
    }
    if (!g_disk.dev) g_disk.dev = find_disk();
    if (!g_disk.dev) {
        *why = "no virtio block device";
        return Error::NotFound;
    }
    if (g_disk.dev->phys & (PAGE_SIZE - 1)) {
        *why = "its registers do not start a page";
        return Error::Unsupported;
    }
    return {};
}

Status give_block_kit(Client* c, const char** why) {
    TRY_STATUS(block_device_free(why));
    const abi::BootDevice* d = g_disk.dev;
    *why = "giving it the device failed";
    TRY_STATUS(sys::cap_copy(d->slot, c->task_slot, abi::BLK_SLOT_REGS, RW));
    TRY_STATUS(sys::irq_control_get(abi::SLOT_ROOT_IRQ_CONTROL, d->irq, c->task_slot, abi::BLK_SLOT_IRQ));
    unsigned ep = TRY(slots().alloc());
    if (Status s = sys::endpoint_create(ep); !s.ok()) {
        slots().free(ep);
        return s;
    }
    g_disk.ep = ep;
    g_disk.driver = c->id;
    c->driver = true;
    TRY_STATUS(sys::cap_copy(ep, c->task_slot, abi::BLK_SLOT_SERVE, abi::RIGHT_READ));
    TRY_STATUS(grant_into(c, 1, abi::BLK_SLOT_RING));
    return grant_into(c, 0, abi::BLK_SLOT_HEADERS);
}

void driver_ending(Client* c) {
    if (!c->driver || g_disk.driver != c->id) return;
    // The device stops using the queue memory before it comes back.
    (void)with_registers(*g_disk.dev,
                         [](volatile uint32_t* r) { virtio::mmio::reg(r, virtio::mmio::STATUS) = 0; });
    // Its clients get DeadObject (or InvalidCap), not a wait for good.
    (void)sys::cap_revoke(g_disk.ep);
    (void)sys::cap_delete(g_disk.ep);
    slots().free(g_disk.ep);
    g_disk = Disk{g_disk.dev, 0, 0};
}

void drivers_may_end() {
    g_bundle_started = true;
    end_idle_drivers();
}

void end_idle_drivers() {
    if (!g_bundle_started) return;  // a program that fails to start leaves no driver alone
    unsigned drivers = 0;
    for (unsigned id = 1; id <= MAX_CLIENTS; id++)
        if (const Client* c = client_by_badge(id); c && c->driver) drivers++;
    if (drivers == 0 || drivers != clients_alive()) return;  // some other task is left
    for (unsigned id = 1; id <= MAX_CLIENTS; id++) {
        Client* c = client_by_badge(id);
        if (!c || !c->driver || c->ended_by_pager) continue;
        c->ended_by_pager = true;
        uprintf("pager: ending driver %s: no other task is left\n", c->name);
        (void)sys::task_kill(c->task_slot);  // its end notice comes back to us
    }
}

}  // namespace pager
