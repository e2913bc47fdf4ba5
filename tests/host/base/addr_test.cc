#include "base/addr.h"

#include <gtest/gtest.h>

namespace {

TEST(Addr, PfnAndPageConversions) {
    PhysAddr pa(0x80201234);
    EXPECT_EQ(pa.to_pfn().raw(), 0x80201u);
    EXPECT_EQ(pa.page_base().raw(), 0x80201000u);
    EXPECT_EQ(pa.page_offset(), 0x234u);
    EXPECT_EQ(Pfn(0x80201).to_phys().raw(), 0x80201000u);
    EXPECT_EQ(Order(3).pages(), 8u);
    EXPECT_EQ(Order(10).bytes(), 4u << 20);
}

TEST(Addr, AlignHelpers) {
    EXPECT_EQ(align_up(0x1001, 0x1000), 0x2000u);
    EXPECT_EQ(align_down(0x1fff, 0x1000), 0x1000u);
    EXPECT_TRUE(is_aligned(0x200000, 0x200000));
    EXPECT_FALSE(is_aligned(0x201000, 0x200000));
}

TEST(Addr, RangeContainsHalfOpen) {
    PhysRange r{PhysAddr(0x1000), 0x1000};
    EXPECT_TRUE(r.contains(PhysAddr(0x1000)));
    EXPECT_TRUE(r.contains(PhysAddr(0x1fff)));
    EXPECT_FALSE(r.contains(PhysAddr(0x2000)));
    EXPECT_EQ(r.end().raw(), 0x2000u);
}

}  // namespace
