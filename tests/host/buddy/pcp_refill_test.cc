// The per-cpu cache refill (rmqueue_bulk) against one-frame-at-a-time
// allocation: a refill must take exactly the frames that `batch` order-0
// allocations from the buddy lists would, hand them out in the same order
// and leave the free lists, counters and pageblock types the same. Twin
// machines, one with the cache and one without, are driven alike and
// compared frame by frame.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

constexpr uint64_t BASE = 0x80000;

MachineDef refill_machine(bool pcp, uint64_t pages) {
    MachineDef d = single_zone(pages, BASE);
    d.holes = {{BASE + 0x203, BASE + 0x209}};
    if (pcp) {
        d.config.pcp_batch = 31;
        d.config.pcp_high = 124;
    }
    return d;
}

// The two machines' zones agree on every descriptor's flags (but for the
// cache list an allocated order-0 frame of the cached machine names, which
// take_frames checks), every free list (walked in order), the counters and
// the pageblock types.
std::string compare(Machine& a, Machine& b) {
    const Zone& za = a.buddy().zone(0, ZoneType::Normal);
    const Zone& zb = b.buddy().zone(0, ZoneType::Normal);
    for (uint64_t pfn = a.first_pfn(); pfn < a.end_pfn(); pfn++)
        if ((a.page(pfn)->flags ^ b.page(pfn)->flags) & ~detail::PCP_LIST_MASK)
            return "flags of " + std::to_string(pfn);
    if (za.free_pages != zb.free_pages) return "free_pages";
    for (unsigned o = 0; o < MAX_ORDER; o++) {
        if (za.free_area[o].nr_free != zb.free_area[o].nr_free)
            return "nr_free of order " + std::to_string(o);
        for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
            const PageList& la = za.free_area[o].free_list[mt];
            const PageList& lb = zb.free_area[o].free_list[mt];
            uint32_t pa = la.head, pb = lb.head;
            for (; pa != PFN_NONE && pb != PFN_NONE; pa = a.page(pa)->next, pb = b.page(pb)->next)
                if (pa != pb) return "free list " + std::to_string(o) + "/" + std::to_string(mt);
            if (pa != pb || la.tail != lb.tail) return "free list end " + std::to_string(o);
        }
    }
    for (uint64_t p = za.start_pfn.raw(); p < za.end_pfn().raw(); p += PAGEBLOCK_NR_PAGES)
        if (a.buddy().pageblock_migratetype(za, p) != b.buddy().pageblock_migratetype(zb, p))
            return "pageblock type at " + std::to_string(p);
    return "";
}

// Shapes the free lists of both machines alike with blocks of order 1..5
// of every mobility, freeing some again, so that the lists hold blocks of
// many orders and pageblocks of several types.
void fragment(Machine& a, Machine& b, uint32_t seed, int steps) {
    static const uint16_t mobility[3] = {0, GFP_MOVABLE, GFP_RECLAIMABLE};
    std::mt19937 rng(seed);
    std::vector<std::pair<uint64_t, unsigned>> held;
    for (int i = 0; i < steps; i++) {
        if (!held.empty() && rng() % 3 == 0) {
            size_t k = rng() % held.size();
            ASSERT_TRUE(a.buddy().free(Pfn(held[k].first), Order(held[k].second)).ok());
            ASSERT_TRUE(b.buddy().free(Pfn(held[k].first), Order(held[k].second)).ok());
            held[k] = held.back();
            held.pop_back();
            continue;
        }
        AllocRequest req = AllocRequest::of(1 + rng() % 5, mobility[rng() % 3]);
        auto ra = a.buddy().alloc(req);
        auto rb = b.buddy().alloc(req);
        ASSERT_EQ(ra.ok(), rb.ok());
        if (!ra.ok()) continue;
        ASSERT_EQ(ra->raw(), rb->raw());
        held.push_back({ra->raw(), req.order});
    }
}

// Takes order-0 frames of `flags` from both machines until `count` are
// taken or both fail; the cached machine refills on the way.
void take_frames(Machine& cached, Machine& plain, uint16_t flags, int count) {
    for (int i = 0; i < count; i++) {
        auto rc = cached.buddy().alloc(AllocRequest::of(0, flags));
        auto rp = plain.buddy().alloc(AllocRequest::of(0, flags));
        ASSERT_EQ(rc.ok(), rp.ok()) << "frame " << i;
        if (!rc.ok()) return;
        ASSERT_EQ(rc->raw(), rp->raw()) << "frame " << i;
        // The frame goes back to the cache list of the mobility it was
        // taken for; the plain machine's frames name no list.
        ASSERT_EQ(detail::pcp_list_of(cached.page(rc->raw())->flags), unsigned(gfp_migratetype(flags)));
        ASSERT_EQ(plain.page(rp->raw())->flags & detail::PCP_LIST_MASK, 0u);
    }
}

// After the cache is empty again (all its frames handed out), the cached
// machine must look exactly like the one that never had a cache.
void expect_same(Machine& cached, Machine& plain) {
    const Zone& z = cached.buddy().zone(0, ZoneType::Normal);
    ASSERT_EQ(z.pcp.count(), 0u);
    EXPECT_EQ(compare(cached, plain), "");
    EXPECT_EQ(cached.check(), "");
    EXPECT_EQ(plain.check(), "");
}

TEST(PcpRefill, TakesTheFramesOneAtATimeAllocationWould) {
    for (uint32_t seed = 1; seed <= 8; seed++) {
        Machine cached(refill_machine(true, 0x4000)), plain(refill_machine(false, 0x4000));
        cached.hand_over();
        plain.hand_over();
        ASSERT_NO_FATAL_FAILURE(fragment(cached, plain, seed, 600));
        // Whole batches for each mobility, so that every cache list ends empty.
        for (uint16_t flags : {uint16_t(0), uint16_t(GFP_MOVABLE), uint16_t(GFP_RECLAIMABLE)})
            ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, flags, 31 * 5));
        expect_same(cached, plain);
    }
}

// Unmovable requests on a fresh machine find only movable pageblocks: each
// refill starts with a fallback that claims a pageblock.
TEST(PcpRefill, FallsBackLikeOneAtATimeAllocation) {
    Machine cached(refill_machine(true, 0x2000)), plain(refill_machine(false, 0x2000));
    cached.hand_over();
    plain.hand_over();
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, GFP_RECLAIMABLE, 31 * 3));
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, 0, 31 * 40));
    expect_same(cached, plain);
}

// Memory runs out in the middle of a refill: the cache gets what is left,
// in the same order, and both machines end empty.
TEST(PcpRefill, RunsDryLikeOneAtATimeAllocation) {
    Machine cached(refill_machine(true, 0x800)), plain(refill_machine(false, 0x800));
    cached.hand_over();
    plain.hand_over();
    ASSERT_NO_FATAL_FAILURE(fragment(cached, plain, 5, 40));
    ASSERT_NO_FATAL_FAILURE(take_frames(cached, plain, GFP_MOVABLE | GFP_MEMALLOC, 0x800));
    EXPECT_FALSE(cached.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE | GFP_MEMALLOC)).ok());
    expect_same(cached, plain);
    EXPECT_EQ(cached.buddy().zone(0, ZoneType::Normal).free_pages, 0u);
}

}  // namespace
}  // namespace mm::test
