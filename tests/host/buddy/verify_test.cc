// verify() itself: each broken invariant it promises to find, planted in
// an otherwise consistent allocator, is reported with its reason.
#include <gtest/gtest.h>

#include <string>

#include "machine.h"

namespace mm::test {
namespace {

struct VerifyFixture : ::testing::Test {
    explicit VerifyFixture(const MachineDef& d) : m(d) {}
    Machine m;
    Buddy& b = m.buddy();
    Zone& z = b.zone(0, ZoneType::Normal);
    void SetUp() override {
        m.hand_over();
        ASSERT_EQ(m.check(), "");
    }
    // The reason verify() gives, which must name `what`.
    void expect_reason(const std::string& what) {
        std::string why = m.check();
        EXPECT_NE(why.find(what), std::string::npos) << why;
        EXPECT_EQ(b.verify().error(), Error::Malformed);
    }
};

// One zone without a per-cpu cache, and the same with one.
struct VerifyTest : VerifyFixture {
    VerifyTest() : VerifyFixture(single_zone(4096)) {}
};

MachineDef cached_zone() {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = 4;
    d.config.pcp_high = 8;
    return d;
}
struct VerifyPcp : VerifyFixture {
    VerifyPcp() : VerifyFixture(cached_zone()) {}
};

TEST_F(VerifyTest, FreeHeadWithAnotherFlag) {
    m.page(BASE)->set(PG_dirty);
    expect_reason("free block head carries other flags");
}

TEST_F(VerifyTest, UnknownFlagBitsOnAHead) {
    m.page(BASE + 1024)->flags |= 1u << 30;
    expect_reason("unknown flag bits set");
}

TEST_F(VerifyTest, UnknownFlagBitsInsideABlock) {
    m.page(BASE + 5)->flags |= 1u << 30;
    expect_reason("interior frame with other zone, node or unknown bits");
}

TEST_F(VerifyTest, FrameNeitherFreeNorAllocated) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    m.page(p.raw())->clear(PG_allocated);
    expect_reason("frame lost: neither free nor allocated");
}

TEST_F(VerifyTest, InteriorFrameWithState) {
    m.page(BASE + 3)->set(PG_allocated);
    expect_reason("block overlaps state or a hole");
}

TEST_F(VerifyTest, NrFreeOff) {
    z.free_area[MAX_ORDER - 1].nr_free++;
    expect_reason("nr_free wrong");
}

TEST_F(VerifyTest, FreePageCountOff) {
    z.free_pages--;
    expect_reason("free page count wrong");
}

TEST_F(VerifyTest, BrokenBackLink) {
    uint32_t second = m.page(z.free_area[MAX_ORDER - 1].free_list[unsigned(MigrateType::Movable)].head)->next;
    ASSERT_NE(second, PFN_NONE);
    m.page(second)->prev = PFN_NONE;
    expect_reason("free list back link broken");
}

TEST_F(VerifyTest, ZoneBitsWrongOnAHead) {
    m.page(BASE)->set_node(1);
    expect_reason("zone/node bits wrong");
}

TEST_F(VerifyTest, ZoneBitsWrongInsideABlock) {
    m.page(BASE + 7)->set_zone(ZoneType::DMA32);
    expect_reason("interior frame with other zone, node or unknown bits");
}

TEST_F(VerifyPcp, CachedFrameWithAnotherFlag) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    ASSERT_TRUE(b.free(p, Order(0)).ok());
    ASSERT_TRUE(m.page(p.raw())->test(PG_pcp));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->set(PG_zeroed);
    expect_reason("cached frame carries other flags");
}

TEST_F(VerifyPcp, CacheCountOff) {
    ASSERT_TRUE(b.alloc(AllocRequest::of(0)).ok());
    // A cached frame falls off its list but keeps PG_pcp.
    for (PcpList& l : z.pcp.lists)
        if (l.size()) {
            l.count--;
            break;
        }
    expect_reason("pcp count wrong");
}

// free() sends an order-0 frame to the cache list its flags name without
// looking further (fastpath.h): verify() checks what it relies on.
TEST_F(VerifyPcp, CachedFrameOnAnotherList) {
    Pfn p = *b.alloc(AllocRequest::of(0, GFP_MOVABLE));
    ASSERT_TRUE(b.free(p, Order(0)).ok());
    ASSERT_EQ(detail::pcp_list_of(m.page(p.raw())->flags), unsigned(MigrateType::Movable));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->flags ^=
        detail::pcp_list_bits(MigrateType::Movable) ^ detail::pcp_list_bits(MigrateType::Reclaimable);
    expect_reason("pcp entry names another list");
}

TEST_F(VerifyPcp, AllocatedFrameNamingAListOutOfRange) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->flags |= detail::PCP_LIST_MASK;
    expect_reason("cache list out of range");
}

TEST_F(VerifyPcp, BlockNamingACacheList) {
    Pfn p = *b.alloc(AllocRequest::of(2));
    m.page(p.raw())->flags |= detail::pcp_list_bits(MigrateType::Movable);
    expect_reason("cache list on a block that is never cached");
}

TEST_F(VerifyTest, FrameNamingACacheListWithoutACache) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    m.page(p.raw())->flags |= detail::pcp_list_bits(MigrateType::Movable);
    expect_reason("cache list on a block that is never cached");
}

}  // namespace
}  // namespace mm::test
