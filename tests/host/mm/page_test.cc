// The page descriptor (libs/mm/page.h): packed fields and mem_map arithmetic.
#include "mm/page.h"

#include <gtest/gtest.h>

namespace {

TEST(PageDescriptor, PackedFieldsRoundTrip) {
    mm::Page p{};
    p.flags = mm::Page::initial_flags(mm::ZoneType::Movable, 5);
    EXPECT_TRUE(p.test(mm::PG_reserved));
    EXPECT_EQ(p.zone(), mm::ZoneType::Movable);
    EXPECT_EQ(p.node(), 5u);
    p.set_order(10);
    p.set(mm::PG_buddy);
    EXPECT_EQ(p.order(), 10u);
    EXPECT_EQ(p.zone(), mm::ZoneType::Movable);
    EXPECT_EQ(p.node(), 5u);
    p.clear(mm::PG_reserved);
    EXPECT_FALSE(p.test(mm::PG_reserved));
    EXPECT_TRUE(p.test(mm::PG_buddy));
}

TEST(PageDescriptor, MemMapIsArithmetic) {
    mm::Page pages[16] = {};
    auto map = mm::MemMap::from_array(pages, Pfn(0x80000));
    EXPECT_EQ(map.pfn_to_page(Pfn(0x80000)), &pages[0]);
    EXPECT_EQ(map.pfn_to_page(Pfn(0x8000f)), &pages[15]);
    EXPECT_EQ(map.page_to_pfn(&pages[7]).raw(), 0x80007u);
}

}  // namespace
