// The allocator as a whole (buddy.h), randomized and model-based: long
// operation sequences against a simple reference, with every invariant
// checked after every step.
#include <gtest/gtest.h>

#include <random>

#include "model.h"

namespace mm::test {
namespace {

void run(uint32_t seed, bool pcp, int steps) {
    ModelDriver d(model_machine(pcp));
    std::mt19937 rng(seed);
    for (int i = 0; i < steps; i++) {
        uint32_t op = rng(), a = rng(), b = rng();
        ASSERT_TRUE(d.step(uint8_t(op), a, b)) << "seed " << seed << " step " << i << ": " << d.failure();
    }
    const ModelDriver::Counts& c = d.counts();
    EXPECT_GT(c.allocs, uint64_t(steps) / 8);
    EXPECT_GT(c.alloc_failures, 50u) << "never ran short of memory";
    EXPECT_GT(c.try_again, 10u);
    EXPECT_GT(c.frees, uint64_t(steps) / 8);
    EXPECT_GT(c.bad_frees, uint64_t(steps) / 40);
    EXPECT_GT(c.isolated, 20u);
    EXPECT_GT(c.bulk, 20u);
    // Freeing everything that is left restores the hand-over state.
    while (d.allocated_blocks()) ASSERT_TRUE(d.step(6, 0, 0)) << d.failure();
    ASSERT_TRUE(d.step(15, 0, 0)) << d.failure();
    Buddy& b = d.machine().buddy();
    for (unsigned n = 0; n < b.nr_nodes(); n++)
        for (unsigned t = 0; t < MAX_NR_ZONES; t++) {
            const Zone& z = b.zone(n, ZoneType(t));
            EXPECT_EQ(z.free_pages, z.managed);
        }
}

TEST(BuddyModel, RandomSequencesWithoutCache) {
    for (uint32_t seed : {1u, 2u}) run(seed, false, 5000);
}

TEST(BuddyModel, RandomSequencesWithCache) {
    for (uint32_t seed : {11u, 12u}) run(seed, true, 5000);
}

}  // namespace
}  // namespace mm::test
