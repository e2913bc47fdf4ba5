// Allocation (alloc.cc): rmqueue and expand, request checks and zeroing,
// the watermark passes and the three failure kinds, zone fallback with
// lowmem_reserve, ZONE_MOVABLE, and node order.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

struct AllocTest : OneZoneTest {};

TEST_F(AllocTest, Order0SplitsAMaxOrderBlockAndMarksTheHead) {
    auto r = b.alloc(AllocRequest::of(0));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->raw(), BASE);
    Page* p = m.page(BASE);
    EXPECT_TRUE(p->test(PG_allocated));
    EXPECT_FALSE(p->test(PG_buddy));
    EXPECT_EQ(p->order(), 0u);
    // expand: one free block of every order below 10 remains from the split.
    for (unsigned o = 0; o + 1 < MAX_ORDER; o++) EXPECT_EQ(z.free_area[o].nr_free, 1u) << o;
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 3u);
    EXPECT_EQ(z.free_pages, 4095u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, EveryOrderIsNaturallyAlignedAndDisjoint) {
    std::set<uint64_t> used;
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        auto r = b.alloc(AllocRequest::of(o));
        ASSERT_TRUE(r.ok()) << o;
        uint64_t pfn = r->raw();
        EXPECT_EQ(pfn % (uint64_t(1) << o), 0u) << o;
        for (uint64_t p = pfn; p < pfn + (uint64_t(1) << o); p++) EXPECT_TRUE(used.insert(p).second);
        EXPECT_EQ(m.page(pfn)->order(), o);
    }
    EXPECT_EQ(z.free_pages, 4096u - used.size());
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, FreeingEverythingMergesBackToMaxOrder) {
    std::vector<std::pair<uint64_t, unsigned>> got;
    for (unsigned i = 0; i < 40; i++) {
        auto r = b.alloc(AllocRequest::of(i % 4));
        ASSERT_TRUE(r.ok());
        got.push_back({r->raw(), i % 4});
    }
    for (auto [pfn, o] : got) ASSERT_TRUE(b.free(Pfn(pfn), Order(o)).ok());
    EXPECT_EQ(z.free_area[MAX_ORDER - 1].nr_free, 4u);
    EXPECT_EQ(z.free_pages, 4096u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(AllocTest, RejectsBadRequests) {
    EXPECT_EQ(b.alloc(AllocRequest::of(MAX_ORDER)).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 0, ZoneType(3))).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 0, ZoneType::Normal, 1)).error(), Error::InvalidArgument);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 1u << 12)).error(), Error::InvalidArgument);
    EXPECT_EQ(z.free_pages, 4096u);
}

TEST_F(AllocTest, ZeroRequiresAHook) {
    EXPECT_EQ(b.alloc(AllocRequest::of(0, GFP_ZERO)).error(), Error::Unsupported);
    EXPECT_EQ(z.free_pages, 4096u);
}

TEST(AllocZero, HookZeroesExactlyTheZeroRequests) {
    ZeroLog log;
    MachineDef d = single_zone(4096);
    d.config.zero = ZeroHook{ZeroLog::zero, &log};
    Machine m(d);
    m.hand_over();
    auto a = m.buddy().alloc(AllocRequest::of(2, GFP_ZERO));
    ASSERT_TRUE(a.ok());
    auto c = m.buddy().alloc(AllocRequest::of(1));
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(log.calls.size(), 1u);
    EXPECT_EQ(log.calls[0].first, a->raw());
    EXPECT_EQ(log.calls[0].second, 2u);
}

TEST(AllocPcp, LastFramesComeOutOfTheCacheWhenTheZoneIsShort) {
    MachineDef d = with_pcp(31, 124);
    Machine m(d);
    m.hand_over();
    // Take everything (MEMALLOC ignores watermarks), return one frame to the
    // cache: the next request finds the cache even though free_pages is 0.
    std::vector<Pfn> got;
    for (;;) {
        auto r = m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) {
            EXPECT_EQ(r.error(), Error::NoMemory);
            break;
        }
        got.push_back(*r);
    }
    EXPECT_EQ(got.size(), 4096u);
    ASSERT_TRUE(m.buddy().free(got.back(), Order(0)).ok());
    EXPECT_EQ(m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC))->raw(), got.back().raw());
    EXPECT_EQ(m.check(), "");
}

// The zone's watermarks: min 32, low 40, high 48.
struct WatermarkTest : OneZoneTest {
    void drain_to(uint64_t free) {
        while (z.free_pages > free) ASSERT_TRUE(b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).ok());
    }
};

TEST_F(WatermarkTest, OrdinaryRequestsStopAboveMin) {
    drain_to(34);
    EXPECT_TRUE(b.alloc(AllocRequest::of(0)).ok());  // 34 > 32: min pass succeeds
    EXPECT_TRUE(b.alloc(AllocRequest::of(0)).ok());  // 33 > 32
    EXPECT_EQ(z.free_pages, 32u);
    EXPECT_EQ(b.alloc(AllocRequest::of(0)).error(), Error::TryAgain);
    EXPECT_EQ(z.free_pages, 32u);
}

TEST_F(WatermarkTest, HigherOrdersCountTheirWholeSize) {
    drain_to(39);
    // An order-3 request must leave more than min after its first frame:
    // 39 - 7 = 32 is not above min 32 (__zone_watermark_ok).
    EXPECT_EQ(b.alloc(AllocRequest::of(3)).error(), Error::TryAgain);
    EXPECT_TRUE(b.alloc(AllocRequest::of(2)).ok());
}

TEST_F(WatermarkTest, MemallocMayTakeTheLastFrames) {
    drain_to(32);
    EXPECT_EQ(b.alloc(AllocRequest::of(0)).error(), Error::TryAgain);
    for (int i = 0; i < 32; i++) ASSERT_TRUE(b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).ok());
    EXPECT_EQ(b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).error(), Error::NoMemory);
    EXPECT_EQ(b.alloc(AllocRequest::of(0)).error(), Error::NoMemory);
}

TEST_F(WatermarkTest, FragmentedMemoryWithoutReclaimIsNoMemory) {
    // Free every other frame: plenty free, but no order-1 block.
    std::vector<Pfn> got;
    while (true) {
        auto r = b.alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) break;
        got.push_back(*r);
    }
    for (size_t i = 0; i < got.size(); i++)
        if (got[i].raw() % 2 == 0) {
            ASSERT_TRUE(b.free(got[i], Order(0)).ok());
        }
    EXPECT_EQ(z.free_pages, 2048u);
    EXPECT_EQ(b.alloc(AllocRequest::of(1)).error(), Error::NoMemory);
    EXPECT_EQ(b.alloc(AllocRequest::of(1, GFP_MEMALLOC)).error(), Error::NoMemory);
    EXPECT_TRUE(b.alloc(AllocRequest::of(0)).ok());
}

TEST_F(WatermarkTest, LruFramesMakeAnEmptyZoneTryAgain) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    while (b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).ok()) {
    }
    EXPECT_EQ(b.alloc(AllocRequest::of(0)).error(), Error::NoMemory);
    ASSERT_TRUE(m.lru().add(p, 7, VirtAddr(0x1000)).ok());
    EXPECT_EQ(b.alloc(AllocRequest::of(0)).error(), Error::TryAgain);
    EXPECT_EQ(b.alloc(AllocRequest::of(0, GFP_MEMALLOC)).error(), Error::TryAgain);
}

TEST(ZoneFallback, NormalRequestsUseNormalFirstThenDma32AboveItsReserve) {
    Machine m(two_zones());
    m.hand_over();
    Buddy& b = m.buddy();
    const Zone& dma = b.zone(0, ZoneType::DMA32);
    const Zone& normal = b.zone(0, ZoneType::Normal);
    // DMA32 keeps back 2048/256 = 8 frames from Normal-capable requests.
    EXPECT_EQ(dma.lowmem_reserve[unsigned(ZoneType::Normal)], 8u);
    EXPECT_EQ(dma.lowmem_reserve[unsigned(ZoneType::DMA32)], 0u);
    EXPECT_EQ(b.alloc(AllocRequest::of(0))->raw(), BASE + 2048);
    while (normal.free_pages > normal.watermark[WMARK_LOW])
        ASSERT_GE(b.alloc(AllocRequest::of(0))->raw(), BASE + 2048);
    // Normal at its low mark: the first pass moves on to DMA32.
    auto r = b.alloc(AllocRequest::of(0));
    ASSERT_TRUE(r.ok());
    EXPECT_LT(r->raw(), BASE + 2048);
    // Normal requests stop at DMA32's min + reserve; DMA32 requests go on to min.
    while (b.alloc(AllocRequest::of(0)).ok()) {
    }
    EXPECT_EQ(dma.free_pages, dma.watermark[WMARK_MIN] + 8);
    auto d = b.alloc(AllocRequest::of(0, 0, ZoneType::DMA32));
    ASSERT_TRUE(d.ok());
    EXPECT_LT(d->raw(), BASE + 2048);
    EXPECT_EQ(m.check(), "");
}

TEST(ZoneFallback, Dma32RequestsNeverGetNormalFrames) {
    Machine m(two_zones());
    m.hand_over();
    for (;;) {
        auto r = m.buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC, ZoneType::DMA32));
        if (!r.ok()) {
            EXPECT_EQ(r.error(), Error::NoMemory);
            break;
        }
        ASSERT_LT(r->raw(), BASE + 2048);
    }
    EXPECT_EQ(m.buddy().zone(0, ZoneType::Normal).free_pages, 2048u);
}

TEST(ZoneMovable, OnlyMovableRequestsThatAskForItGetZoneMovable) {
    MachineDef d;
    d.zones = {{0, ZoneType::Normal, BASE, 2048}, {0, ZoneType::Movable, BASE + 2048, 2048}};
    Machine m(d);
    m.hand_over();
    Buddy& b = m.buddy();
    EXPECT_LT(b.alloc(AllocRequest::of(0, 0, ZoneType::Movable))->raw(), BASE + 2048);
    EXPECT_LT(b.alloc(AllocRequest::of(0, GFP_MOVABLE))->raw(), BASE + 2048);
    EXPECT_GE(b.alloc(AllocRequest::of(0, GFP_MOVABLE, ZoneType::Movable))->raw(), BASE + 2048);
    // ZONE_MOVABLE's min is a token: managed/1024 clamped to [32, 128].
    EXPECT_EQ(b.zone(0, ZoneType::Movable).watermark[WMARK_MIN], 32u);
}

MachineDef three_nodes() {
    MachineDef d;
    d.nr_nodes = 3;
    d.zones = {{0, ZoneType::Normal, 0x80000, 1024},
               {1, ZoneType::Normal, 0x90000, 1024},
               {2, ZoneType::Normal, 0xa0000, 1024}};
    d.distance = {{10, 40, 20}, {40, 10, 20}, {20, 20, 10}};
    return d;
}

TEST(NodeOrder, PreferredNodeFirstThenByDistance) {
    Machine m(three_nodes());
    m.hand_over();
    Buddy& b = m.buddy();
    EXPECT_EQ(b.zonelist(0).refs[1].nid, 2u);
    EXPECT_EQ(b.alloc(AllocRequest::of(0))->raw() >> 16, 0x8u);  // local node 0
    EXPECT_EQ(b.alloc(AllocRequest::of(0, 0, ZoneType::Normal, 1))->raw() >> 16, 0x9u);
    while (b.zone(0, ZoneType::Normal).free_pages > b.zone(0, ZoneType::Normal).watermark[WMARK_LOW])
        ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    // Node 0 below low: the low pass moves on to node 2 (distance 20), not node 1 (40).
    EXPECT_EQ(b.alloc(AllocRequest::of(0))->raw() >> 16, 0xau);
    EXPECT_EQ(m.check(), "");
}

TEST(NodeOrder, ThisNodeNeverFallsBack) {
    Machine m(three_nodes());
    m.hand_over();
    Buddy& b = m.buddy();
    for (;;) {
        auto r = b.alloc(AllocRequest::of(0, GFP_THISNODE, ZoneType::Normal, 1));
        if (!r.ok()) {
            EXPECT_EQ(r.error(), Error::TryAgain);
            break;
        }
        ASSERT_EQ(r->raw() >> 16, 0x9u);
    }
    EXPECT_EQ(b.zone(0, ZoneType::Normal).free_pages, 1024u);
    EXPECT_EQ(b.zone(2, ZoneType::Normal).free_pages, 1024u);
}

TEST(NodeOrder, LocalNodeIsConfigurable) {
    MachineDef d = three_nodes();
    d.config.local_nid = 2;
    Machine m(d);
    m.hand_over();
    EXPECT_EQ(m.buddy().alloc(AllocRequest::of(0))->raw() >> 16, 0xau);
}

}  // namespace
}  // namespace mm::test
