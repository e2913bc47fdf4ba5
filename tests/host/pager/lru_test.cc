// LRU lists: add on grant, accesses, aging with second chance, isolation
// from the inactive tail, putback, removal and removal on free.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "machine.h"

namespace mm::test {
namespace {

struct LruTest : ::testing::Test {
    Machine m{single_zone(4096)};
    Buddy& b = m.buddy();
    Lru& lru = m.lru();
    void SetUp() override { m.hand_over(); }
    Pfn grant(unsigned order = 0, LruList list = LruList::Inactive) {
        Pfn p = *b.alloc(AllocRequest::of(order, GFP_MOVABLE));
        EXPECT_TRUE(lru.add(p, 42, VirtAddr(0x400000 + (p.raw() << 12)), list).ok());
        return p;
    }
    uint64_t count(LruList l) { return lru.nr_pages(0, ZoneType::Normal, l); }
};

// The probe reports the frames in `young` as accessed, once.
struct YoungSet {
    std::set<uint64_t> young;
    static bool probe(void* ctx, Pfn pfn) { return static_cast<YoungSet*>(ctx)->young.erase(pfn.raw()) != 0; }
    AccessProbe as_probe() { return AccessProbe{probe, this}; }
};

TEST_F(LruTest, AddRecordsOwnerAddressAndCounts) {
    Pfn p = grant(2);
    Page* pg = m.page(p.raw());
    EXPECT_TRUE(pg->test(PG_lru));
    EXPECT_FALSE(pg->test(PG_active));
    EXPECT_EQ(pg->owner, 42u);
    EXPECT_EQ(pg->index, 0x400000 + (p.raw() << 12));
    EXPECT_EQ(count(LruList::Inactive), 4u);
    grant(0, LruList::Active);
    EXPECT_EQ(count(LruList::Active), 1u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, AddRejectsFreeForeignAndListedFrames) {
    Pfn p = grant();
    EXPECT_EQ(lru.add(p, 1, VirtAddr(0)).error(), Error::Busy);
    EXPECT_EQ(lru.add(Pfn(p.raw() + 100), 1, VirtAddr(0)).error(), Error::NotOwned);  // free frame
    EXPECT_EQ(lru.add(Pfn(0x10), 1, VirtAddr(0)).error(), Error::NotOwned);
    Pfn iso;
    ASSERT_EQ(*lru.isolate(0, ZoneType::Normal, 8, &iso, 1), 1u);
    EXPECT_EQ(lru.add(iso, 1, VirtAddr(0)).error(), Error::Busy);
    EXPECT_EQ(count(LruList::Inactive), 0u);
}

TEST_F(LruTest, SecondAccessActivates) {
    Pfn p = grant();
    ASSERT_TRUE(lru.mark_accessed(p).ok());
    EXPECT_TRUE(m.page(p.raw())->test(PG_referenced));
    EXPECT_EQ(count(LruList::Inactive), 1u);
    ASSERT_TRUE(lru.mark_accessed(p).ok());
    EXPECT_EQ(count(LruList::Active), 1u);
    EXPECT_EQ(count(LruList::Inactive), 0u);
    EXPECT_FALSE(m.page(p.raw())->test(PG_referenced));
    EXPECT_EQ(lru.mark_accessed(Pfn(p.raw() + 1)).error(), Error::NotFound);
    EXPECT_EQ(lru.mark_accessed(Pfn(0x10)).error(), Error::NotFound);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, AgingDeactivatesUnreferencedAndKeepsReferenced) {
    Pfn a = grant(0, LruList::Active), c = grant(0, LruList::Active), d = grant(0, LruList::Active);
    ASSERT_TRUE(lru.mark_accessed(a).ok());  // PG_referenced
    YoungSet ys;
    ys.young.insert(c.raw());  // hardware accessed bit
    auto r = lru.age(0, ZoneType::Normal, 3, ys.as_probe());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u);
    EXPECT_TRUE(m.page(a.raw())->test(PG_active));
    EXPECT_TRUE(m.page(c.raw())->test(PG_active));
    EXPECT_FALSE(m.page(d.raw())->test(PG_active));
    EXPECT_FALSE(m.page(a.raw())->test(PG_referenced));  // the chance is used up
    // A second round without accesses deactivates the rest.
    EXPECT_EQ(*lru.age(0, ZoneType::Normal, 10), 2u);
    EXPECT_EQ(count(LruList::Active), 0u);
    EXPECT_EQ(count(LruList::Inactive), 3u);
    EXPECT_EQ(lru.age(5, ZoneType::Normal, 1).error(), Error::InvalidArgument);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, IsolateTakesFromTheInactiveTailAndActivatesReferenced) {
    std::vector<Pfn> g;
    for (int i = 0; i < 6; i++) g.push_back(grant());  // g[0] is the tail (oldest)
    ASSERT_TRUE(lru.mark_accessed(g[1]).ok());
    Pfn out[4];
    auto r = lru.isolate(0, ZoneType::Normal, 16, out, 4);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(*r, 4u);
    EXPECT_EQ(out[0].raw(), g[0].raw());
    EXPECT_EQ(out[1].raw(), g[2].raw());
    EXPECT_EQ(out[3].raw(), g[4].raw());
    EXPECT_TRUE(m.page(g[1].raw())->test(PG_active));
    EXPECT_TRUE(m.page(out[0].raw())->test(PG_isolated));
    EXPECT_FALSE(m.page(out[0].raw())->test(PG_lru));
    EXPECT_EQ(lru.nr_isolated(0, ZoneType::Normal), 4u);
    EXPECT_EQ(count(LruList::Inactive), 1u);
    EXPECT_EQ(lru.isolate(0, ZoneType::Normal, 1, nullptr, 1).error(), Error::InvalidArgument);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, IsolateStopsAfterScanningNrToScan) {
    for (int i = 0; i < 6; i++) grant();
    YoungSet ys;
    for (uint32_t p = b.zone(0, ZoneType::Normal).lru.lists[0].head; p != PFN_NONE; p = m.page(p)->next)
        ys.young.insert(p);
    Pfn out[4];
    EXPECT_EQ(*lru.isolate(0, ZoneType::Normal, 3, out, 4, ys.as_probe()), 0u);
    EXPECT_EQ(count(LruList::Active), 3u);
    EXPECT_EQ(count(LruList::Inactive), 3u);
}

TEST_F(LruTest, PutbackAndDel) {
    Pfn p = grant();
    EXPECT_EQ(lru.putback(p, LruList::Active).error(), Error::NotFound);  // not isolated
    Pfn iso;
    ASSERT_EQ(*lru.isolate(0, ZoneType::Normal, 1, &iso, 1), 1u);
    EXPECT_EQ(lru.del(iso).error(), Error::NotFound);  // isolated, not listed
    ASSERT_TRUE(lru.putback(iso, LruList::Active).ok());
    EXPECT_EQ(count(LruList::Active), 1u);
    EXPECT_EQ(lru.nr_isolated(0, ZoneType::Normal), 0u);
    ASSERT_TRUE(lru.del(p).ok());
    EXPECT_EQ(count(LruList::Active), 0u);
    EXPECT_FALSE(m.page(p.raw())->test(PG_lru));
    EXPECT_EQ(lru.del(p).error(), Error::NotFound);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, FreeRemovesListedAndIsolatedBlocks) {
    Pfn a = grant(1), c = grant(0);
    Pfn iso;
    ASSERT_EQ(*lru.isolate(0, ZoneType::Normal, 1, &iso, 1), 1u);
    ASSERT_EQ(iso.raw(), a.raw());
    ASSERT_TRUE(b.free(a, Order(1)).ok());
    ASSERT_TRUE(b.free(c, Order(0)).ok());
    EXPECT_EQ(count(LruList::Inactive), 0u);
    EXPECT_EQ(lru.nr_isolated(0, ZoneType::Normal), 0u);
    EXPECT_EQ(m.page(c.raw())->owner, 0u);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, InactiveIsLowFollowsTheRatio) {
    EXPECT_FALSE(lru.inactive_is_low(0, ZoneType::Normal));
    grant(0, LruList::Active);
    EXPECT_TRUE(lru.inactive_is_low(0, ZoneType::Normal));
    grant(0, LruList::Inactive);
    EXPECT_FALSE(lru.inactive_is_low(0, ZoneType::Normal));
    EXPECT_FALSE(lru.inactive_is_low(3, ZoneType::Normal));
}

}  // namespace
}  // namespace mm::test
