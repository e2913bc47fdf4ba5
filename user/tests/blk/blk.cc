// The virtio block driver (user/drivers/virtio_blk) as its clients see
// it, through the block protocol (abi/block.h, docs/block-protocol.md):
// what the disk says of itself; patterns written at scattered sectors and
// read back (and printed as DISK-PATTERN lines, which the host checks in
// the image after QEMU exits: the disk is the oracle, not the driver);
// clients with requests in flight together; every malformed request
// refused with its error; and a driver killed under its clients, who get
// errors, not a hang, then started again on the same disk.
#include "abi/block.h"
#include "runtime/console.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/drivers/virtio_blk/starter.h"
#include "user/tests/blk/suites.h"
#include "user/tests/common/driver_task.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"

namespace {

using abi::BlockOp;
using abi::IpcInfo;
constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, RW = R | W;
constexpr uint64_t SECTOR = abi::BLOCK_SECTOR;

// Word k of sector s as the tests write it (tests/qemu/qemu_test.py's
// pattern_word, which checks the image).
uint64_t pattern(uint64_t sector, uint64_t k) {
    return (sector * 0x100000001b3ull) ^ (k * 0x9e3779b97f4a7c15ull) ^ 0x7465726eull;
}
void fill(uint64_t* words, uint64_t sector, uint64_t count) {
    for (uint64_t s = 0; s < count; s++)
        for (uint64_t k = 0; k < SECTOR / 8; k++) words[s * SECTOR / 8 + k] = pattern(sector + s, k);
}
bool holds(const uint64_t* words, uint64_t sector, uint64_t count) {
    for (uint64_t s = 0; s < count; s++)
        for (uint64_t k = 0; k < SECTOR / 8; k++)
            if (words[s * SECTOR / 8 + k] != pattern(sector + s, k)) return false;
    return true;
}

// --- The driver, as its starter runs it ---------------------------------------

constexpr unsigned DRIVER_ID = 90;

constinit DriverTask g_driver;
constinit const abi::BootDevice* g_disk = nullptr;

// Starts the driver on the disk with the slots abi/block.h names filled.
Status start_driver() {
    if (!g_disk) g_disk = blk::find_virtio_disk();
    if (!g_disk) return Error::NotFound;
    return g_driver.start(DRIVER_ID, [](const ChildOptions& opt, unsigned ep) {
        return blk::start_virtio_blk(*g_disk, opt, ep);
    });
}

// --- A client's requests ------------------------------------------------------

using blk::Reply;
using blk::request;

uint64_t capacity() { return request(g_driver.ep(), BlockOp::Info).w[0]; }

// A frame of 2^order pages mapped here.
struct Buffer {
    Frame frame;
    LocalMap map;
    uint64_t* words() const { return map.as<uint64_t>(); }
};
Result<Buffer> buffer(Order order, uint64_t rights = RW) {
    Buffer b;
    b.frame = TRY(frames().alloc(order, rights));
    b.map = TRY(LocalMap::map(b.frame.slot(), order, RW));
    return b;
}

void announce(uint64_t sector, uint64_t count) { uprintf("DISK-PATTERN %lu %lu\n", sector, count); }

// --- Tests --------------------------------------------------------------------

void the_driver_finds_the_disk(unity::Runner& r) {
    ASSERT_OK(start_driver());
    const Reply info = request(g_driver.ep(), BlockOp::Info);
    ASSERT_OK(Status(info.error));
    EXPECT_EQ_U(info.w[0], (uint64_t(64) << 20) / SECTOR);  // the test's 64 MiB image
    EXPECT_EQ_U(info.w[1], SECTOR);
    EXPECT_TRUE(info.w[2] >= 8 && info.w[3] >= 8);
}

void patterns_land_where_they_are_written(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    const uint64_t cap = capacity();
    ASSERT_VALUE(out, buffer(Order(4)));  // 64 KiB
    ASSERT_VALUE(in, buffer(Order(4)));
    const unsigned ep = g_driver.ep();
    for (uint64_t i = 0; i < 48; i++) {
        const uint64_t count = 1 + i % 16, offset = (i % 3) * SECTOR;
        const uint64_t sector = (i * 2654435761ull) % (cap - count);
        fill(out.words() + offset / 8, sector, count);
        const Reply w = request(ep, BlockOp::Write, sector, count, offset, out.frame.slot());
        ASSERT_OK(Status(w.error));
        EXPECT_EQ_U(w.w[0], count * SECTOR);
        announce(sector, count);
        for (uint64_t k = 0; k < count * SECTOR / 8; k++) in.words()[k] = 0;
        const Reply rd = request(ep, BlockOp::Read, sector, count, 0, in.frame.slot());
        ASSERT_OK(Status(rd.error));
        EXPECT_TRUE(holds(in.words(), sector, count));
    }
    // The last sector, and a request the largest the driver takes.
    fill(out.words(), cap - 1, 1);
    ASSERT_OK(Status(request(ep, BlockOp::Write, cap - 1, 1, 0, out.frame.slot()).error));
    announce(cap - 1, 1);
    const Reply info = request(ep, BlockOp::Info);
    const uint64_t most = info.w[2] < 128 ? info.w[2] : 128;
    fill(out.words(), 4096, most);
    ASSERT_OK(Status(request(ep, BlockOp::Write, 4096, most, 0, out.frame.slot()).error));
    announce(4096, most);
    ASSERT_OK(Status(request(ep, BlockOp::Flush).error));
}

// A client: writes and reads back `rounds` runs of 8 sectors from
// `first`, in the frames the root gave it (CLIENT_OUT at OUT_VA, CLIENT_IN
// at IN_VA); reports how many came back wrong.
constexpr unsigned CLIENT_EP = CHILD_FREE_SLOT, CLIENT_OUT = CHILD_FREE_SLOT + 1,
                   CLIENT_IN = CHILD_FREE_SLOT + 2;
constexpr uint64_t OUT_VA = 0x5900'0000, IN_VA = 0x5901'0000;
constexpr uint64_t CLIENT_RUN = 8, CLIENT_ROUNDS = 12;
int client(uint64_t first) {
    auto* out = reinterpret_cast<uint64_t*>(OUT_VA);
    auto* in = reinterpret_cast<uint64_t*>(IN_VA);
    uint64_t wrong = 0, errors = 0;
    for (uint64_t j = 0; j < CLIENT_ROUNDS; j++) {
        const uint64_t sector = first + j * CLIENT_RUN;
        fill(out, sector, CLIENT_RUN);
        if (request(CLIENT_EP, BlockOp::Write, sector, CLIENT_RUN, 0, CLIENT_OUT).error != Error::None) {
            errors++;
            continue;
        }
        announce(sector, CLIENT_RUN);
        if (request(CLIENT_EP, BlockOp::Read, sector, CLIENT_RUN, 0, CLIENT_IN).error != Error::None)
            errors++;
        if (!holds(in, sector, CLIENT_RUN)) wrong++;
    }
    (void)report(0xc1, wrong, errors);
    return 0;
}

void clients_keep_requests_in_flight_together(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ASSERT_VALUE(h, hub());
    constexpr unsigned CLIENTS = 8;
    Child children[CLIENTS];
    Frame frames_out[CLIENTS], frames_in[CLIENTS];
    for (unsigned i = 0; i < CLIENTS; i++) {
        ASSERT_VALUE(c, h->child(100 + i));
        ASSERT_VALUE(o, frames().alloc(Order(0), RW));
        ASSERT_VALUE(n, frames().alloc(Order(0), RW));
        ASSERT_OK(c.give(g_driver.ep(), CLIENT_EP, W | abi::RIGHT_GRANT));
        ASSERT_OK(c.give(o.slot(), CLIENT_OUT, RW));
        ASSERT_OK(c.give(n.slot(), CLIENT_IN, RW));
        ASSERT_OK(c.map(o.slot(), VirtAddr(OUT_VA), RW));
        ASSERT_OK(c.map(n.slot(), VirtAddr(IN_VA), RW));
        new (&children[i]) Child(static_cast<Child&&>(c));
        frames_out[i] = static_cast<Frame&&>(o);
        frames_in[i] = static_cast<Frame&&>(n);
    }
    for (unsigned i = 0; i < CLIENTS; i++) ASSERT_OK(children[i].start(client, 20000 + i * 1000));
    // Each client's report, and its end (which may come first).
    unsigned reports = 0, ends = 0;
    while (reports < CLIENTS || ends < CLIENTS) {
        ASSERT_VALUE(ev, h->wait_any());
        ASSERT_TRUE(!ev.fault);
        if (ev.end) {
            EXPECT_EQ_U(ev.e.status, 0);
            ends++;
            continue;
        }
        EXPECT_EQ_U(ev.msg.w[0], 0xc1);
        EXPECT_EQ_U(ev.msg.w[1], 0);  // nothing came back wrong
        EXPECT_EQ_U(ev.msg.w[2], 0);  // and nothing failed
        reports++;
    }
    const Reply info = request(g_driver.ep(), BlockOp::Info);
    EXPECT_TRUE(info.w[4] >= 2);  // requests were in flight together
    uprintf("blk: at most %lu requests in flight at once\n", info.w[4]);
}

void bad_requests_are_refused(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    const unsigned ep = g_driver.ep();
    const uint64_t cap = capacity();
    ASSERT_VALUE(b, buffer(Order(0)));
    const unsigned f = b.frame.slot();
    EXPECT_ERR(Status(request(ep, BlockOp::Read, cap, 1, 0, f).error), Error::OutOfRange);
    EXPECT_ERR(Status(request(ep, BlockOp::Read, cap - 1, 2, 0, f).error), Error::OutOfRange);
    EXPECT_ERR(Status(request(ep, BlockOp::Write, ~uint64_t(0), 1, 0, f).error), Error::OutOfRange);
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 1, 100, f).error), Error::BadAlignment);
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 0, 0, f).error), Error::InvalidArgument);
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 100000, 0, f).error), Error::InvalidArgument);
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 8, 512, f).error), Error::OutOfRange);  // past the frame
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 1, 0, 0).error), Error::InvalidCap);    // no frame
    EXPECT_ERR(Status(request(ep, BlockOp(99)).error), Error::InvalidArgument);
    EXPECT_ERR(Status(request(ep, BlockOp(0)).error), Error::InvalidArgument);
    // The device writes a Read's frame: a read-only copy is refused.
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f, 0, ro.slot(), R));
    EXPECT_ERR(Status(request(ep, BlockOp::Read, 0, 1, 0, ro.slot()).error), Error::NoRights);
    ASSERT_OK(Status(request(ep, BlockOp::Read, 0, 1, 0, f).error));
    // Not a frame at all.
    EXPECT_ERR(Status(request(ep, BlockOp::Write, 0, 1, 0, ep).error), Error::WrongType);
    // After all that, it still serves.
    EXPECT_OK(Status(request(ep, BlockOp::Info).error));
    EXPECT_OK(sys::kernel_verify());
}

// Reads sector 0 forever, reporting the first failure.
int reader(uint64_t) {
    for (;;) {
        const Reply rd = request(CLIENT_EP, BlockOp::Read, 0, 8, 0, CLIENT_IN);
        if (rd.error != Error::None) {
            (void)report(0xdead, uint64_t(rd.error));
            return 0;
        }
    }
}

void a_killed_driver_fails_its_clients_and_starts_again(unity::Runner& r) {
    ASSERT_TRUE(g_driver.running());
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(120));
    ASSERT_VALUE(in, frames().alloc(Order(0), RW));
    ASSERT_OK(c.give(g_driver.ep(), CLIENT_EP, W | abi::RIGHT_GRANT));
    ASSERT_OK(c.give(in.slot(), CLIENT_IN, RW));
    ASSERT_OK(c.start(reader, 0));
    for (int i = 0; i < 20; i++) (void)sys::yield();  // it has requests going
    // The driver dies with requests in flight or queued; its starter
    // takes the endpoint away, so that nobody waits on it for good.
    ASSERT_OK(g_driver.kill());
    ASSERT_VALUE(status, h->wait_exit(DRIVER_ID));
    EXPECT_EQ_U(status, uint64_t(-1));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.msg.w[0], 0xdead);
    // DeadObject for a request the driver held or the endpoint queued;
    // InvalidCap for one made after the revocation took the client's copy.
    EXPECT_TRUE(ev.msg.w[1] == uint64_t(Error::DeadObject) || ev.msg.w[1] == uint64_t(Error::InvalidCap));
    ASSERT_VALUE(reader_status, h->wait_exit(120));
    EXPECT_EQ_U(reader_status, 0);
    EXPECT_OK(sys::kernel_verify());
    // Started again (its line was free again), on the same disk.
    ASSERT_OK(start_driver());
    ASSERT_VALUE(b, buffer(Order(0)));
    const uint64_t cap = capacity();
    ASSERT_OK(Status(request(g_driver.ep(), BlockOp::Read, cap - 1, 1, 0, b.frame.slot()).error));
    EXPECT_TRUE(holds(b.words(), cap - 1, 1));
    EXPECT_OK(sys::kernel_verify());
}

}  // namespace

void run_blk_tests(unity::Runner& r) {
    RUN_TEST(r, the_driver_finds_the_disk);
    RUN_TEST(r, patterns_land_where_they_are_written);
    RUN_TEST(r, clients_keep_requests_in_flight_together);
    RUN_TEST(r, bad_requests_are_refused);
    RUN_TEST(r, a_killed_driver_fails_its_clients_and_starts_again);
}
