// blkbench: what a block request costs through the virtio block driver
// (user/drivers/virtio_blk), on a disk QEMU attaches
// (tools/bench.d/60-disk.sh):
//   - a 4 KiB read from the client's request to its reply, one at a time:
//     every guest instruction (client, kernel, driver, interrupt) but the
//     idle time while the device works (KernelInfo's idle count, which
//     under -icount is where instret jumps across wfi);
//   - the same per request with 32 clients keeping requests in flight;
//   - MiB/s of 64 KiB sequential reads and writes, by the time CSR: wall
//     time, meaningful only without -icount (the script runs both ways).
// Prints a table between "blkbench: begin" and "blkbench: end".
#include "abi/block.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "user/drivers/virtio_blk/starter.h"

namespace {

using abi::BlockOp;
constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
constexpr uint64_t SECTORS_4K = 8, SECTORS_64K = 128;
constexpr uint64_t SINGLE_READS = 2000, WARMUP = 50;
constexpr unsigned CLIENTS = 32;
constexpr uint64_t READS_PER_CLIENT = 64;
constexpr uint64_t SEQUENTIAL_BYTES = uint64_t(16) << 20;
constexpr uint64_t TIMEBASE_HZ = 10'000'000;  // QEMU virt's time CSR

// Slots of a client's table.
constexpr unsigned C_EP = abi::SLOT_FIRST_FREE, C_FRAME = abi::SLOT_FIRST_FREE + 1,
                   C_DONE = abi::SLOT_FIRST_FREE + 2;

struct Counts {
    uint64_t instret, idle;
};
Counts now() {
    auto idle = sys::idle_info();
    return Counts{read_instret(), idle.ok() ? idle->instructions : 0};
}
// Instructions between `a` and `b` without the idle ones.
uint64_t busy(const Counts& a, const Counts& b) { return (b.instret - a.instret) - (b.idle - a.idle); }

void row(const char* name, uint64_t ops, uint64_t instructions, uint64_t target) {
    const uint64_t tenths = ops ? instructions * 10 / ops : 0;
    uprintf("%-44s %8lu %10lu.%lu   <= %lu\n", name, ops, tenths / 10, tenths % 10, target);
}

Result<uint64_t> single_reads(unsigned ep) {
    Frame f = TRY(frames().alloc(Order(0), RW));
    for (uint64_t i = 0; i < WARMUP; i++)
        TRY_STATUS(Status(blk::request(ep, BlockOp::Read, i * 8, 8, 0, f.slot()).error));
    const Counts a = now();
    for (uint64_t i = 0; i < SINGLE_READS; i++)
        (void)blk::request(ep, BlockOp::Read, i * SECTORS_4K, SECTORS_4K, 0, f.slot());
    return busy(a, now());
}

// A client (number i): READS_PER_CLIENT 4 KiB reads from its own sectors,
// then its bit on the done notification: bit i, or bit 32 + i if a read
// failed (its capability is badged with just those two).
int reader(uint64_t i) {
    const uint64_t first = 100000 + i * READS_PER_CLIENT * SECTORS_4K;
    uint64_t errors = 0;
    for (uint64_t j = 0; j < READS_PER_CLIENT; j++)
        if (blk::request(C_EP, BlockOp::Read, first + j * SECTORS_4K, SECTORS_4K, 0, C_FRAME).error !=
            Error::None)
            errors++;
    (void)sys::signal(C_DONE, uint64_t(1) << (errors ? 32 + i : i));
    return 0;
}

Result<uint64_t> reads_in_flight(unsigned ep) {
    CapSlot done = TRY(CapSlot::alloc());
    TRY_STATUS(sys::notification_create(done.slot()));
    Child children[CLIENTS];
    Frame buffers[CLIENTS];
    for (unsigned i = 0; i < CLIENTS; i++) {
        Child c = TRY(Child::create());
        buffers[i] = TRY(frames().alloc(Order(0), RW));
        TRY_STATUS(c.give(ep, C_EP, abi::RIGHT_WRITE | abi::RIGHT_GRANT));
        TRY_STATUS(c.give(buffers[i].slot(), C_FRAME, RW));
        TRY_STATUS(
            c.give(done.slot(), C_DONE, abi::RIGHT_WRITE, (uint64_t(1) << i) | (uint64_t(1) << (32 + i))));
        new (&children[i]) Child(static_cast<Child&&>(c));
    }
    const Counts a = now();
    for (unsigned i = 0; i < CLIENTS; i++) TRY_STATUS(children[i].start(reader, i));
    constexpr uint64_t ALL = (uint64_t(1) << CLIENTS) - 1;
    uint64_t seen = 0;
    while (((seen | seen >> 32) & ALL) != ALL) seen |= TRY(sys::wait(done.slot()));
    const Counts b = now();
    if (seen >> 32) return Error::IoError;
    return busy(a, b);
}

// MiB/s of SEQUENTIAL_BYTES read or written 64 KiB a request, by the
// time CSR.
Result<uint64_t> sequential(unsigned ep, BlockOp op) {
    Frame f = TRY(frames().alloc(Order(4), RW));
    const uint64_t requests = SEQUENTIAL_BYTES / (SECTORS_64K * abi::BLOCK_SECTOR);
    const uint64_t t0 = read_time();
    for (uint64_t i = 0; i < requests; i++)
        TRY_STATUS(Status(blk::request(ep, op, i * SECTORS_64K, SECTORS_64K, 0, f.slot()).error));
    const uint64_t ticks = read_time() - t0;
    return ticks ? (SEQUENTIAL_BYTES >> 20) * TIMEBASE_HZ * 10 / ticks : 0;  // tenths of MiB/s
}

Status run() {
    const abi::BootDevice* disk = blk::find_virtio_disk();
    if (!disk) return Error::NotFound;
    CapSlot ep = TRY(CapSlot::alloc());
    TRY_STATUS(sys::endpoint_create(ep.slot()));
    ChildOptions opt;
    opt.priority = abi::PRIORITY_DEFAULT + 1;
    Child driver = TRY(blk::start_virtio_blk(*disk, opt, ep.slot()));
    const uint64_t single = TRY(single_reads(ep.slot()));
    const uint64_t flight = TRY(reads_in_flight(ep.slot()));
    const uint64_t write_rate = TRY(sequential(ep.slot(), BlockOp::Write));
    const uint64_t read_rate = TRY(sequential(ep.slot(), BlockOp::Read));
    const blk::Reply info = blk::request(ep.slot(), BlockOp::Info);
    uprintf("blkbench: begin\n");
    uprintf("%-44s %8s %12s   %s\n", "operation", "ops", "instr/op", "target");
    row("4 KiB read, one at a time (idle subtracted)", SINGLE_READS, single, 2000);
    row("4 KiB read, 32 clients in flight, per request", uint64_t(CLIENTS) * READS_PER_CLIENT, flight, 800);
    uprintf("most requests in flight at once: %lu\n", info.w[4]);
    uprintf("64 KiB sequential write: %lu.%lu MiB/s (time CSR)\n", write_rate / 10, write_rate % 10);
    uprintf("64 KiB sequential read: %lu.%lu MiB/s (time CSR)\n", read_rate / 10, read_rate % 10);
    uprintf("blkbench: end\n");
    (void)driver.kill();
    return {};
}

}  // namespace

extern "C" int main(uint64_t arg) {
    if (Status s = rt::init_root(arg); !s.ok()) {
        uprintf("blkbench: bad boot info: %s\n", error_name(s.error()));
        return 1;
    }
    if (Status s = run(); !s.ok()) {
        uprintf("blkbench: failed: %s\n", error_name(s.error()));
        return 1;
    }
    return 0;
}
