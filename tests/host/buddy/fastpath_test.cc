// The inline fast paths of alloc() and free() (fastpath.h) against the
// slow paths they stand in for: twin machines driven by the same random
// operations must stay identical (tests/host/buddy/twin.h).
#include <gtest/gtest.h>

#include <random>

#include "twin.h"

namespace mm::test {
namespace {

void run(const MachineDef& def, uint32_t seed, int steps) {
    TwinDriver d(def);
    std::mt19937 rng(seed);
    for (int i = 0; i < steps; i++) {
        uint32_t op = rng(), a = rng(), b = rng();
        ASSERT_TRUE(d.step(uint8_t(op), a, b)) << "seed " << seed << " step " << i << ": " << d.failure();
    }
    const TwinDriver::Counts& c = d.counts();
    EXPECT_GT(c.allocs, uint64_t(steps) / 4);
    EXPECT_GT(c.orders_above_zero, uint64_t(steps) / 8);
    EXPECT_GT(c.failures, 10u) << "never ran short of memory";
    EXPECT_GT(c.frees, uint64_t(steps) / 4);
    EXPECT_GT(c.bad_frees, uint64_t(steps) / 40);
    EXPECT_GT(c.lru_adds, 20u);
    while (d.allocated_blocks()) ASSERT_TRUE(d.step(7, 0, 0)) << d.failure();
    ASSERT_TRUE(d.step(14, 0, 0)) << d.failure();
    const Zone& z = d.fast().buddy().zone(0, ZoneType::Normal);
    EXPECT_EQ(z.free_pages, z.managed);
}

TEST(BuddyTwin, FastPathsMatchSlowPathsWithCache) {
    run(twin_machine(true, Grouping::ByMobility, 0x2000), 21u, 3000);
}

TEST(BuddyTwin, FastPathsMatchSlowPathsWithoutCache) {
    run(twin_machine(false, Grouping::ByMobility, 0x2000), 31u, 3000);
}

TEST(BuddyTwin, FastPathsMatchSlowPathsWithoutGrouping) {
    run(twin_machine(true, Grouping::Disabled, 0x2000), 41u, 3000);
}

}  // namespace
}  // namespace mm::test
