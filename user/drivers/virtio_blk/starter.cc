#include "user/drivers/virtio_blk/starter.h"

#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/syscall.h"
#include "user/drivers/virtio_blk/driver.h"
#include "virtio/mmio.h"

namespace blk {

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
constexpr uint64_t PROBE_VA = 0x5800'0000;

// A frame allocated for good; its slot.
Result<unsigned> kept_frame(Order order) {
    Frame f = TRY(frames().alloc(order, RW));
    return f.cap.release();
}

}  // namespace

const abi::BootDevice* find_virtio_disk() {
    const abi::BootInfo* b = rt::boot_info();
    for (uint32_t i = 0; i < b->nr_devices; i++) {
        const abi::BootDevice& d = b->devices[i];
        if (d.kind != abi::DeviceKind::VirtioMmio || !sys::map(0, d.slot, PROBE_VA, R).ok()) continue;
        const auto* regs = reinterpret_cast<const volatile uint32_t*>(PROBE_VA + (d.phys & 0xfff));
        const uint32_t id = virtio::mmio::read(regs, virtio::mmio::DEVICE_ID);
        (void)sys::unmap(d.slot);
        if (id == virtio::mmio::DEVICE_BLOCK) return &d;
    }
    return nullptr;
}

Result<Child> start_virtio_blk(const abi::BootDevice& dev, const ChildOptions& opt, unsigned ep) {
    const unsigned ring = TRY(kept_frame(Order(1)));
    const unsigned headers = TRY(kept_frame(Order(0)));
    Child c = TRY(Child::create(opt));
    TRY_STATUS(c.give(dev.slot, abi::BLK_SLOT_REGS, RW));
    TRY_STATUS(sys::irq_control_get(abi::SLOT_ROOT_IRQ_CONTROL, dev.irq, c.task(), abi::BLK_SLOT_IRQ));
    TRY_STATUS(c.give(ep, abi::BLK_SLOT_SERVE, R));
    TRY_STATUS(c.give(ring, abi::BLK_SLOT_RING, RW));
    TRY_STATUS(c.give(headers, abi::BLK_SLOT_HEADERS, RW));
    TRY_STATUS(c.start(driver_main, dev.phys & 0xfff));
    return c;
}

Reply request(unsigned ep, abi::BlockOp op, uint64_t sector, uint64_t count, uint64_t offset,
              unsigned frame) {
    sys::Msg m;
    m.w[0] = uint64_t(op);
    m.w[1] = sector;
    m.w[2] = count;
    m.w[3] = offset;
    auto rx = sys::call(abi::IpcInfo::make(ep, frame), m);
    if (!rx.ok()) return Reply{rx.error(), {}};
    return Reply{sys::to_error(rx->msg.w[0]),
                 {rx->msg.w[1], rx->msg.w[2], rx->msg.w[3], rx->msg.w[4], rx->msg.w[5]}};
}

}  // namespace blk
