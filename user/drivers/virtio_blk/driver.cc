// The virtio block driver (driver.h).
#include "user/drivers/virtio_blk/driver.h"

#include "abi/block.h"
#include "runtime/console.h"
#include "runtime/syscall.h"
#include "virtio/mmio.h"
#include "virtio/virtqueue.h"

namespace blk {

namespace {

using abi::IpcInfo;

// Where the driver maps what it was given.
constexpr uint64_t REGS_VA = 0x6000'0000, RING_VA = 0x6001'0000, HEADERS_VA = 0x6002'0000;
constexpr uint64_t PAGE = 4096;
// Where a request's Frame and Reply capability land: straight in the
// slots of the request that takes them (two each, from BLK_SLOT_FREE),
// or, with every request in flight, in two spare ones.
constexpr unsigned MAX_IN_FLIGHT = 42;  // a 128-entry queue, three descriptors a request
// The notification its interrupts signal, then the spare slots.
constexpr unsigned NOTIFY = abi::BLK_SLOT_FREE + 2 * MAX_IN_FLIGHT;
constexpr unsigned SPARE_FRAME = NOTIFY + 1, SPARE_REPLY = NOTIFY + 2;
constexpr uint16_t QUEUE_SIZE = 128;
constexpr uint64_t MAX_SECTORS = 256;  // 128 KiB a request

using namespace virtio::mmio;  // registers, status bits, device types
// Features: VIRTIO_BLK_F_FLUSH (5.2.3), VIRTIO_F_VERSION_1 (6).
constexpr uint64_t F_FLUSH = uint64_t(1) << 9, F_VERSION_1 = uint64_t(1) << 32;
// Request types and status (5.2.6).
constexpr uint32_t T_IN = 0, T_OUT = 1, T_FLUSH = 4;
constexpr uint8_t STATUS_OK = 0, STATUS_PENDING = 0xff;

// A request's header and status byte, in the headers page.
struct Header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
    volatile uint8_t status;
    uint8_t pad[15];
};
static_assert(sizeof(Header) == 32 && MAX_IN_FLIGHT * sizeof(Header) <= PAGE);

struct InFlight {
    bool used;
    bool data;  // holds a Frame
    uint64_t bytes;
};

struct Driver {
    volatile uint32_t* regs;
    uint32_t version;
    uint64_t features;
    uint64_t capacity;
    virtio::Queue queue;
    Header* headers;
    uint64_t headers_phys;
    InFlight in_flight[MAX_IN_FLIGHT];
    unsigned nr_in_flight, most_in_flight;
    uint16_t slot_of_head[QUEUE_SIZE];
};
constinit Driver g{};

uint32_t rd(Reg r) { return read(g.regs, r); }
void wr(Reg r, uint32_t v) { reg(g.regs, r) = v; }
// Orders the driver's memory writes before the device is told, and the
// device's interrupt before the driver reads what it wrote.
void io_fence() { asm volatile("fence iorw, iorw" ::: "memory"); }

unsigned reply_slot(unsigned i) { return abi::BLK_SLOT_FREE + 2 * i; }
unsigned frame_slot(unsigned i) { return abi::BLK_SLOT_FREE + 2 * i + 1; }

// A Frame capability's physical address and size.
struct FrameInfo {
    uint64_t phys, bytes, rights;
};
Result<FrameInfo> frame_info(uint64_t slot) {
    sys::CapInfo c = TRY(sys::cap_identify(slot));
    if (c.type != abi::CapType::Frame) return Error::WrongType;
    return FrameInfo{(c.word >> 8) * PAGE, PAGE << (c.word & 0xff), c.rights};
}

// Maps `slot` read-write at `va`; its physical address.
Result<uint64_t> map_memory(uint64_t slot, uint64_t va, uint64_t need) {
    FrameInfo f = TRY(frame_info(slot));
    if (f.bytes < need) return Error::OutOfRange;
    TRY_STATUS(sys::map(0, slot, va, abi::RIGHT_READ | abi::RIGHT_WRITE));
    return f.phys;
}

uint64_t negotiate(uint64_t offered) {
    uint64_t wanted = offered & F_FLUSH;
    if (g.version == 2) wanted |= F_VERSION_1;
    return wanted;
}

uint64_t read_features() {
    wr(DEVICE_FEATURES_SEL, 0);
    uint64_t f = rd(DEVICE_FEATURES);
    wr(DEVICE_FEATURES_SEL, 1);
    return f | (uint64_t(rd(DEVICE_FEATURES)) << 32);
}

void write_features(uint64_t f) {
    wr(DRIVER_FEATURES_SEL, 0);
    wr(DRIVER_FEATURES, uint32_t(f));
    wr(DRIVER_FEATURES_SEL, 1);
    wr(DRIVER_FEATURES, uint32_t(f >> 32));
}

void set_queue_address(Reg reg, uint64_t phys) {
    wr(reg, uint32_t(phys));
    wr(Reg(reg + 4), uint32_t(phys >> 32));
}

// The device initialization of 3.1 (legacy: 3.1.2), with one queue.
Status setup_device(uint64_t ring_phys) {
    if (rd(MAGIC) != MAGIC_VALUE || (g.version = rd(VERSION)) < 1 || g.version > 2) return Error::Unsupported;
    if (rd(DEVICE_ID) != DEVICE_BLOCK) return Error::NotFound;
    wr(STATUS, 0);
    wr(STATUS, S_ACKNOWLEDGE);
    wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
    const uint64_t offered = read_features();
    if (g.version == 2 && !(offered & F_VERSION_1)) return Error::Unsupported;
    g.features = negotiate(offered);
    write_features(g.features);
    uint32_t status = S_ACKNOWLEDGE | S_DRIVER;
    if (g.version == 2) {
        wr(STATUS, status |= S_FEATURES_OK);
        if (!(rd(STATUS) & S_FEATURES_OK)) return Error::Unsupported;
    } else {
        wr(LEGACY_GUEST_PAGE_SIZE, PAGE);
    }
    wr(QUEUE_SEL, 0);
    const uint32_t max = rd(QUEUE_NUM_MAX);
    if (max == 0) return Error::Unsupported;
    const uint16_t n = max < QUEUE_SIZE ? uint16_t(1u << (31 - __builtin_clz(max))) : QUEUE_SIZE;
    TRY_STATUS(g.queue.init(reinterpret_cast<void*>(RING_VA), ring_phys, n, PAGE));
    wr(QUEUE_NUM, n);
    if (g.version == 2) {
        set_queue_address(QUEUE_DESC, g.queue.desc_phys());
        set_queue_address(QUEUE_DRIVER, g.queue.avail_phys());
        set_queue_address(QUEUE_DEVICE, g.queue.used_phys());
        wr(QUEUE_READY, 1);
    } else {
        wr(LEGACY_QUEUE_ALIGN, PAGE);
        wr(LEGACY_QUEUE_PFN, uint32_t(ring_phys / PAGE));
    }
    // virtio-blk's configuration starts with its capacity in 512-byte sectors.
    g.capacity = rd(CONFIG) | (uint64_t(rd(Reg(CONFIG + 4))) << 32);
    wr(STATUS, status | S_DRIVER_OK);
    return {};
}

void answer(unsigned reply, Error e, uint64_t w1 = 0, uint64_t w2 = 0, uint64_t w3 = 0, uint64_t w4 = 0,
            uint64_t w5 = 0) {
    sys::Msg m;
    m.w[0] = uint64_t(e);
    m.w[1] = w1;
    m.w[2] = w2;
    m.w[3] = w3;
    m.w[4] = w4;
    m.w[5] = w5;
    (void)sys::reply(IpcInfo::make(0, 0, 0, 0, reply), m);
}

// Where the next message's capabilities land: the slots of request
// `request`, or the spare ones (request -1: all are in flight).
struct Landing {
    int request;
    unsigned frame, reply;
};

int free_request() {
    for (unsigned i = 0; i < MAX_IN_FLIGHT; i++)
        if (!g.in_flight[i].used) return int(i);
    return -1;
}

// The data buffer of a Read or Write: checked against the protocol.
Result<virtio::Queue::Buffer> data_buffer(abi::BlockOp op, const sys::Received& rx, unsigned frame) {
    const uint64_t sector = rx.msg.w[1], count = rx.msg.w[2], offset = rx.msg.w[3];
    if (!rx.info.cap_received()) return Error::InvalidCap;
    FrameInfo f = TRY(frame_info(frame));
    const uint64_t need = op == abi::BlockOp::Read ? abi::RIGHT_WRITE : abi::RIGHT_READ;
    if ((f.rights & need) != need) return Error::NoRights;
    if (count == 0 || count > MAX_SECTORS) return Error::InvalidArgument;
    if (offset % abi::BLOCK_SECTOR) return Error::BadAlignment;
    const uint64_t bytes = count * abi::BLOCK_SECTOR;
    if (offset > f.bytes || bytes > f.bytes - offset) return Error::OutOfRange;
    if (sector > g.capacity || count > g.capacity - sector) return Error::OutOfRange;
    return virtio::Queue::Buffer{f.phys + offset, uint32_t(bytes), op == abi::BlockOp::Read};
}

// Queues a Read, Write or Flush on the device; it is answered when done.
Status start(abi::BlockOp op, const sys::Received& rx, const Landing& at) {
    virtio::Queue::Buffer bufs[3];
    unsigned nr = 0;
    const int i = at.request;
    if (i < 0) return Error::Busy;
    Header& h = g.headers[i];
    h.type = op == abi::BlockOp::Read ? T_IN : op == abi::BlockOp::Write ? T_OUT : T_FLUSH;
    h.reserved = 0;
    h.sector = op == abi::BlockOp::Flush ? 0 : rx.msg.w[1];
    h.status = STATUS_PENDING;
    const uint64_t hp = g.headers_phys + uint64_t(i) * sizeof(Header);
    bufs[nr++] = {hp, 16, false};
    if (op != abi::BlockOp::Flush) bufs[nr++] = TRY(data_buffer(op, rx, at.frame));
    bufs[nr++] = {hp + 16, 1, true};
    const uint16_t head = TRY(g.queue.submit(bufs, nr));
    g.slot_of_head[head] = uint16_t(i);
    g.in_flight[i] = InFlight{true, op != abi::BlockOp::Flush, nr == 3 ? bufs[1].len : 0};
    if (++g.nr_in_flight > g.most_in_flight) g.most_in_flight = g.nr_in_flight;
    io_fence();
    wr(QUEUE_NOTIFY, 0);
    return {};
}

// Answers or queues one Call; its Reply capability is spent or kept
// either way. Whether the Frame that came with it was kept.
bool serve(const sys::Received& rx, const Landing& at) {
    const auto op = abi::BlockOp(rx.msg.w[0]);
    switch (op) {
        case abi::BlockOp::Info:
            answer(at.reply, Error::None, g.capacity, abi::BLOCK_SECTOR, MAX_SECTORS, MAX_IN_FLIGHT,
                   g.most_in_flight);
            return false;
        case abi::BlockOp::Flush:
            if (!(g.features & F_FLUSH)) {
                answer(at.reply, Error::None);  // nothing is cached
                return false;
            }
            [[fallthrough]];
        case abi::BlockOp::Read:
        case abi::BlockOp::Write:
            if (Status s = start(op, rx, at); !s.ok()) {
                answer(at.reply, s.error());
                return false;
            }
            return op != abi::BlockOp::Flush;
    }
    answer(at.reply, Error::InvalidArgument);
    return false;
}

// The device's interrupt: every finished request is answered.
void complete() {
    wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
    io_fence();
    virtio::UsedElem e;
    while (g.queue.take_used(&e)) {  // only heads of chains in flight (it checks)
        const unsigned i = g.slot_of_head[e.id];
        InFlight& r = g.in_flight[i];
        const bool ok = g.headers[i].status == STATUS_OK;
        answer(reply_slot(i), ok ? Error::None : Error::IoError, ok ? r.bytes : 0);
        if (r.data) (void)sys::cap_delete(frame_slot(i));
        r = InFlight{};
        g.nr_in_flight--;
    }
    (void)sys::irq_ack(abi::BLK_SLOT_IRQ);
}

Status init(uint64_t regs_offset) {
    if (regs_offset % 4 || regs_offset + CONFIG + 8 > PAGE) return Error::InvalidArgument;
    TRY(map_memory(abi::BLK_SLOT_REGS, REGS_VA, PAGE));
    g.regs = reinterpret_cast<volatile uint32_t*>(REGS_VA + regs_offset);
    const uint64_t ring_phys =
        TRY(map_memory(abi::BLK_SLOT_RING, RING_VA, virtio::layout(QUEUE_SIZE, PAGE).bytes));
    g.headers_phys = TRY(map_memory(abi::BLK_SLOT_HEADERS, HEADERS_VA, PAGE));
    g.headers = reinterpret_cast<Header*>(HEADERS_VA);
    TRY_STATUS(setup_device(ring_phys));
    // Its interrupts signal a notification bound to this thread, so that
    // one Recv waits for requests and interrupts alike.
    TRY_STATUS(sys::notification_create(NOTIFY));
    TRY_STATUS(sys::irq_set_notification(abi::BLK_SLOT_IRQ, NOTIFY));
    return sys::thread_bind_notification(abi::SLOT_SELF_THREAD, NOTIFY);
}

}  // namespace

int driver_main(uint64_t regs_offset) {
    if (Status s = init(regs_offset); !s.ok()) {
        if (g.regs) wr(STATUS, S_FAILED);
        uprintf("virtio-blk: no usable device: %s\n", error_name(s.error()));
        return 1;
    }
    uprintf("virtio-blk: %lu sectors (%lu MiB), virtio-mmio version %u, queue of %u, flush %s\n", g.capacity,
            g.capacity * abi::BLOCK_SECTOR >> 20, g.version, g.queue.size(),
            g.features & F_FLUSH ? "yes" : "no");
    for (;;) {
        const int i = free_request();
        const Landing at = i < 0 ? Landing{-1, SPARE_FRAME, SPARE_REPLY}
                                 : Landing{i, frame_slot(unsigned(i)), reply_slot(unsigned(i))};
        auto rx = sys::recv(IpcInfo::make(abi::BLK_SLOT_SERVE, 0, at.frame, at.reply));
        if (!rx.ok()) return rx.error() == Error::DeadObject ? 0 : 1;
        if (rx->info.notified()) {
            complete();
            continue;
        }
        const bool kept = rx->info.is_call() && serve(*rx, at);
        if (rx->info.cap_received() && !kept) (void)sys::cap_delete(at.frame);
    }
}

}  // namespace blk
