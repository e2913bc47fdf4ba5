// verify() itself: each broken invariant it promises to find, planted in
// an otherwise consistent allocator, is reported with its reason.
#include <gtest/gtest.h>

#include <string>

#include "machine.h"

namespace mm::test {
namespace {

constexpr uint64_t BASE = 0x80000;

struct VerifyTest : ::testing::Test {
    Machine m{single_zone(4096)};
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

TEST(VerifyPcp, CachedFrameWithAnotherFlag) {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = 4;
    d.config.pcp_high = 8;
    Machine m(d);
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(0));
    ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    ASSERT_TRUE(m.page(p.raw())->test(PG_pcp));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->set(PG_zeroed);
    std::string why = m.check();
    EXPECT_NE(why.find("cached frame carries other flags"), std::string::npos) << why;
}

TEST(VerifyPcp, CacheCountOff) {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = 4;
    d.config.pcp_high = 8;
    Machine m(d);
    m.hand_over();
    ASSERT_TRUE(m.buddy().alloc(AllocRequest::of(0)).ok());
    // A cached frame falls off its list but keeps PG_pcp.
    for (PcpList& l : m.buddy().zone(0, ZoneType::Normal).pcp.lists)
        if (l.size()) {
            l.count--;
            break;
        }
    std::string why = m.check();
    EXPECT_NE(why.find("pcp count wrong"), std::string::npos) << why;
}

Machine cached_machine() {
    MachineDef d = single_zone(4096);
    d.config.pcp_batch = 4;
    d.config.pcp_high = 8;
    return Machine(d);
}

// free() sends an order-0 frame to the cache list its flags name without
// looking further (fastpath.h): verify() checks what it relies on.
TEST(VerifyPcp, CachedFrameOnAnotherList) {
    Machine m = cached_machine();
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE));
    ASSERT_TRUE(m.buddy().free(p, Order(0)).ok());
    ASSERT_EQ(detail::pcp_list_of(m.page(p.raw())->flags), unsigned(MigrateType::Movable));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->flags ^=
        detail::pcp_list_bits(MigrateType::Movable) ^ detail::pcp_list_bits(MigrateType::Reclaimable);
    std::string why = m.check();
    EXPECT_NE(why.find("pcp entry names another list"), std::string::npos) << why;
}

TEST(VerifyPcp, AllocatedFrameNamingAListOutOfRange) {
    Machine m = cached_machine();
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(0));
    ASSERT_EQ(m.check(), "");
    m.page(p.raw())->flags |= detail::PCP_LIST_MASK;
    std::string why = m.check();
    EXPECT_NE(why.find("cache list out of range"), std::string::npos) << why;
}

TEST(VerifyPcp, BlockNamingACacheList) {
    Machine m = cached_machine();
    m.hand_over();
    Pfn p = *m.buddy().alloc(AllocRequest::of(2));
    m.page(p.raw())->flags |= detail::pcp_list_bits(MigrateType::Movable);
    std::string why = m.check();
    EXPECT_NE(why.find("cache list on a block that is never cached"), std::string::npos) << why;
}

TEST_F(VerifyTest, FrameNamingACacheListWithoutACache) {
    Pfn p = *b.alloc(AllocRequest::of(0));
    m.page(p.raw())->flags |= detail::pcp_list_bits(MigrateType::Movable);
    expect_reason("cache list on a block that is never cached");
}

}  // namespace
}  // namespace mm::test
