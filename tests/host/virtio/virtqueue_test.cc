// The split virtqueue's driver side against a device simulated here: the
// device reads the available ring and the descriptor chains as the
// specification lays them out (virtio 1.x, 2.7), and writes the used
// ring. "Physical" addresses are host addresses.
#include "virtio/virtqueue.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <random>
#include <vector>

namespace {

using virtio::Queue;

// What the device sees and does, from the memory alone.
class Device {
public:
    Device(uint8_t* mem, uint16_t n, uint64_t align) : mem_(mem), n_(n), l_(virtio::layout(n, align)) {}

    // The chains made available since the last call, each as its buffers.
    struct Chain {
        uint16_t head;
        std::vector<virtio::Desc> bufs;
    };
    std::vector<Chain> take_available() {
        std::vector<Chain> out;
        const uint16_t idx = u16(l_.avail + 2);
        for (; seen_ != idx; seen_++) {
            Chain c{u16(l_.avail + 4 + 2 * (seen_ % n_)), {}};
            uint16_t d = c.head;
            for (unsigned k = 0; k <= n_; k++) {
                virtio::Desc e;
                std::memcpy(&e, mem_ + l_.desc + 16 * uint64_t(d), sizeof e);
                c.bufs.push_back(e);
                if (!(e.flags & virtio::DESC_F_NEXT)) break;
                d = e.next;
            }
            out.push_back(c);
        }
        return out;
    }
    // The chain with head `head` done, `len` bytes written.
    void complete(uint16_t head, uint32_t len) {
        const uint16_t idx = u16(l_.used + 2);
        virtio::UsedElem e{head, len};
        std::memcpy(mem_ + l_.used + 4 + 8 * uint64_t(idx % n_), &e, sizeof e);
        const uint16_t next = uint16_t(idx + 1);
        std::memcpy(mem_ + l_.used + 2, &next, 2);
    }

private:
    uint16_t u16(uint64_t off) const {
        uint16_t v;
        std::memcpy(&v, mem_ + off, 2);
        return v;
    }
    uint8_t* mem_;
    uint16_t n_;
    virtio::Layout l_;
    uint16_t seen_ = 0;
};

struct Fixture {
    explicit Fixture(uint16_t n, uint64_t align = 4096)
        : mem(virtio::layout(n, align).bytes, 0xee), dev(mem.data(), n, align) {
        EXPECT_TRUE(q.init(mem.data(), reinterpret_cast<uint64_t>(mem.data()), n, align).ok());
    }
    std::vector<uint8_t> mem;
    Queue q;
    Device dev;
};

TEST(VirtqueueLayout, MatchesTheLegacyLayout) {
    // 2.7.2 / QEMU's legacy QueuePFN layout: 256 entries, 4096 alignment.
    const virtio::Layout l = virtio::layout(256, 4096);
    EXPECT_EQ(l.desc, 0u);
    EXPECT_EQ(l.avail, 4096u);
    EXPECT_EQ(l.used, 8192u);  // 4096 + 6 + 512 rounded up
    EXPECT_EQ(l.bytes, 8192u + 4096u);
    EXPECT_EQ(virtio::layout(128, 4096).used, 4096u);  // 2048 + 262 fits one page
}

TEST(Virtqueue, InitRefusesBadSizes) {
    std::vector<uint8_t> mem(virtio::layout(virtio::MAX_QUEUE, 4096).bytes);
    Queue q;
    EXPECT_EQ(q.init(mem.data(), 0, 0, 4096).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(mem.data(), 0, 3, 4096).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(mem.data(), 0, 2048, 4096).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(mem.data(), 0, 8, 3).error(), Error::InvalidArgument);
    EXPECT_EQ(q.init(nullptr, 0, 8, 4096).error(), Error::InvalidArgument);
    EXPECT_TRUE(q.init(mem.data(), 0, 8, 4096).ok());
    // The rings start empty (the descriptors hold the free list).
    for (uint64_t i = virtio::layout(8, 4096).avail; i < virtio::layout(8, 4096).bytes; i++)
        ASSERT_EQ(mem[i], 0) << i;
}

TEST(Virtqueue, AChainReachesTheDeviceAsBuilt) {
    Fixture f(8);
    const Queue::Buffer bufs[] = {{0x1000, 16, false}, {0x2000, 4096, true}, {0x3000, 1, true}};
    auto head = f.q.submit(bufs, 3);
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(f.q.free_descriptors(), 5);
    auto chains = f.dev.take_available();
    ASSERT_EQ(chains.size(), 1u);
    EXPECT_EQ(chains[0].head, *head);
    ASSERT_EQ(chains[0].bufs.size(), 3u);
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_EQ(chains[0].bufs[i].addr, bufs[i].addr);
        EXPECT_EQ(chains[0].bufs[i].len, bufs[i].len);
        EXPECT_EQ((chains[0].bufs[i].flags & virtio::DESC_F_WRITE) != 0, bufs[i].device_writes);
    }
    virtio::UsedElem e;
    EXPECT_FALSE(f.q.take_used(&e));  // not done yet
    f.dev.complete(*head, 4097);
    ASSERT_TRUE(f.q.take_used(&e));
    EXPECT_EQ(e.id, *head);
    EXPECT_EQ(e.len, 4097u);
    EXPECT_EQ(f.q.free_descriptors(), 8);
    EXPECT_FALSE(f.q.take_used(&e));
}

TEST(Virtqueue, FullQueueSaysBusyAndRecovers) {
    Fixture f(4);
    const Queue::Buffer two[] = {{1, 1, false}, {2, 2, true}};
    auto a = f.q.submit(two, 2);
    auto b = f.q.submit(two, 2);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(f.q.submit(two, 1).error(), Error::Busy);
    EXPECT_EQ(f.q.submit(two, 0).error(), Error::InvalidArgument);
    f.dev.take_available();
    f.dev.complete(*b, 0);
    virtio::UsedElem e;
    ASSERT_TRUE(f.q.take_used(&e));
    EXPECT_EQ(e.id, *b);
    EXPECT_TRUE(f.q.submit(two, 2).ok());
}

// A device that names what it was never given -- an index past the
// queue, a descriptor in the middle of a chain, a chain twice -- gets
// nothing: those entries are passed over and counted, and the free list
// stays whole.
TEST(Virtqueue, BogusUsedEntriesAreIgnored) {
    Fixture f(8);
    const Queue::Buffer three[] = {{1, 1, false}, {2, 2, true}, {3, 3, true}};
    auto head = f.q.submit(three, 3);
    ASSERT_TRUE(head.ok());
    auto chains = f.dev.take_available();
    ASSERT_EQ(chains.size(), 1u);
    f.dev.complete(1000, 0);                    // past the queue
    f.dev.complete(chains[0].bufs[0].next, 0);  // the chain's second descriptor
    f.dev.complete(*head, 7);                   // the real one
    f.dev.complete(*head, 7);                   // and again
    virtio::UsedElem e;
    ASSERT_TRUE(f.q.take_used(&e));
    EXPECT_EQ(e.id, *head);
    EXPECT_EQ(e.len, 7u);
    EXPECT_FALSE(f.q.take_used(&e));
    EXPECT_EQ(f.q.bogus_used(), 3u);
    EXPECT_EQ(f.q.free_descriptors(), 8);
    // Every descriptor can still be used, once each.
    const Queue::Buffer one[] = {{9, 9, false}};
    for (int i = 0; i < 8; i++) ASSERT_TRUE(f.q.submit(one, 1).ok());
    EXPECT_EQ(f.q.submit(one, 1).error(), Error::Busy);
}

// Random submissions and out-of-order completions, many times round the
// 16-bit indices: every chain comes back once, intact, and no descriptor
// is lost or shared.
TEST(Virtqueue, RandomTrafficKeepsEveryChainAndDescriptor) {
    for (uint16_t n : {uint16_t(1), uint16_t(8), uint16_t(128)}) {
        Fixture f(n);
        std::mt19937_64 rng(n);
        std::deque<Device::Chain> in_flight;
        std::vector<uint64_t> tag_of(n, 0);
        uint64_t next_tag = 1, done = 0;
        for (int step = 0; step < 200000; step++) {
            if (rng() % 2) {
                const unsigned count = 1 + unsigned(rng() % 3);
                std::vector<Queue::Buffer> bufs;
                for (unsigned i = 0; i < count; i++) bufs.push_back({next_tag * 8 + i, uint32_t(i), i == 2});
                const unsigned free_before = f.q.free_descriptors();
                auto head = f.q.submit(bufs.data(), count);
                ASSERT_EQ(head.ok(), count <= free_before);
                if (!head.ok()) continue;
                tag_of[*head] = next_tag++;
                for (auto& c : f.dev.take_available()) {
                    ASSERT_EQ(c.bufs.size(), count);
                    ASSERT_EQ(c.bufs[0].addr, tag_of[c.head] * 8);
                    in_flight.push_back(c);
                }
            } else if (!in_flight.empty()) {
                const size_t k = rng() % in_flight.size();
                const Device::Chain c = in_flight[k];
                in_flight.erase(in_flight.begin() + long(k));
                f.dev.complete(c.head, uint32_t(c.bufs.size()));
                virtio::UsedElem e;
                ASSERT_TRUE(f.q.take_used(&e));
                ASSERT_EQ(e.id, c.head);
                ASSERT_EQ(e.len, c.bufs.size());
                done++;
            }
            unsigned held = 0;
            for (auto& c : in_flight) held += unsigned(c.bufs.size());
            ASSERT_EQ(f.q.free_descriptors() + held, n);
        }
        EXPECT_GT(done, 1000u);
    }
}

}  // namespace
