// LRU lists: add on grant (a block, or a run of frames at once), accesses,
// aging with second chance, isolation from the inactive tail, putback,
// removal and removal on free.
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

// The frames of a list from head to tail.
std::vector<uint64_t> listed(Buddy& b, ZoneType zone, LruList list) {
    std::vector<uint64_t> out;
    for (uint32_t pfn = b.zone(0, zone).lru.lists[unsigned(list)].head; pfn != PFN_NONE;
         pfn = b.page(Pfn(pfn))->next)
        out.push_back(pfn);
    return out;
}

TEST_F(LruTest, AddRunListsFramesAsAddsInOrderWould) {
    // The same allocations on a twin machine, listed one add() at a time.
    Machine twin{single_zone(4096)};
    twin.hand_over();
    for (LruList list : {LruList::Inactive, LruList::Active}) {
        Pfn first = grant(0, list);
        ASSERT_TRUE(twin.lru()
                        .add(*twin.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE)), 42,
                             VirtAddr(0x400000 + (first.raw() << 12)), list)
                        .ok());
        std::vector<Pfn> run;
        for (int i = 0; i < 5; i++) run.push_back(*b.alloc(AllocRequest::of(0, GFP_MOVABLE)));
        ASSERT_TRUE(lru.add_run(run.data(), run.size(), 7, VirtAddr(0x10000000), list).ok());
        for (size_t i = 0; i < run.size(); i++) {
            Pfn p = *twin.buddy().alloc(AllocRequest::of(0, GFP_MOVABLE));
            ASSERT_EQ(p.raw(), run[i].raw());
            ASSERT_TRUE(twin.lru().add(p, 7, VirtAddr(0x10000000 + i * 4096), list).ok());
        }
        EXPECT_EQ(listed(b, ZoneType::Normal, list), listed(twin.buddy(), ZoneType::Normal, list));
        EXPECT_EQ(listed(b, ZoneType::Normal, list).size(), 6u);
        for (size_t i = 0; i < run.size(); i++) {
            const Page* pg = m.page(run[i].raw());
            const Page* tw = twin.page(run[i].raw());
            EXPECT_EQ(pg->flags, tw->flags);
            EXPECT_EQ(pg->prev, tw->prev);
            EXPECT_EQ(pg->owner, 7u);
            EXPECT_EQ(pg->index, 0x10000000 + i * 4096);
            EXPECT_EQ(pg->test(PG_active), list == LruList::Active);
        }
        EXPECT_EQ(count(list), 6u);
        EXPECT_EQ(b.zone(0, ZoneType::Normal).lru.lists[unsigned(list)].tail,
                  twin.buddy().zone(0, ZoneType::Normal).lru.lists[unsigned(list)].tail);
    }
    EXPECT_EQ(m.check(), "");
    EXPECT_EQ(twin.check(), "");
}

TEST(LruRun, AddRunSplitsFramesAmongTheirZones) {
    MachineDef d;
    d.zones = {{0, ZoneType::DMA32, 0x80000, 1024}, {0, ZoneType::Normal, 0x80400, 1024}};
    d.config = MachineDef::default_config();
    Machine m{d};
    m.hand_over();
    Buddy& b = m.buddy();
    Pfn low[2], high[2];
    for (Pfn& p : low) p = *b.alloc(AllocRequest::of(0, 0, ZoneType::DMA32));
    for (Pfn& p : high) p = *b.alloc(AllocRequest::of(0, GFP_MOVABLE, ZoneType::Normal));
    ASSERT_EQ(unsigned(m.page(low[0].raw())->zone()), unsigned(ZoneType::DMA32));
    ASSERT_EQ(unsigned(m.page(high[0].raw())->zone()), unsigned(ZoneType::Normal));
    const Pfn run[4] = {low[0], high[0], high[1], low[1]};
    ASSERT_TRUE(m.lru().add_run(run, 4, 3, VirtAddr(0x20000000)).ok());
    EXPECT_EQ(listed(b, ZoneType::DMA32, LruList::Inactive),
              (std::vector<uint64_t>{low[1].raw(), low[0].raw()}));
    EXPECT_EQ(listed(b, ZoneType::Normal, LruList::Inactive),
              (std::vector<uint64_t>{high[1].raw(), high[0].raw()}));
    EXPECT_EQ(m.lru().nr_pages(0, ZoneType::DMA32, LruList::Inactive), 2u);
    EXPECT_EQ(m.lru().nr_pages(0, ZoneType::Normal, LruList::Inactive), 2u);
    EXPECT_EQ(m.page(low[1].raw())->index, 0x20000000u + 3 * 4096);
    EXPECT_EQ(m.check(), "");
}

TEST_F(LruTest, AddRunChecksEveryFrameBeforeTouchingAny) {
    Pfn listed_one = grant();
    Pfn a = *b.alloc(AllocRequest::of(0, GFP_MOVABLE)), c = *b.alloc(AllocRequest::of(0, GFP_MOVABLE));
    Pfn pair = *b.alloc(AllocRequest::of(1, GFP_MOVABLE));
    Pfn free_frame(c.raw() + 64);
    ASSERT_FALSE(m.page(free_frame.raw())->test(PG_allocated));
    struct Case {
        Pfn last;
        Error want;
    };
    for (const Case& k : {Case{listed_one, Error::Busy}, Case{free_frame, Error::NotOwned},
                          Case{pair, Error::WrongOrder}, Case{Pfn(0x10), Error::NotOwned}}) {
        const Pfn run[3] = {a, c, k.last};
        EXPECT_EQ(lru.add_run(run, 3, 9, VirtAddr(0)).error(), k.want);
        EXPECT_FALSE(m.page(a.raw())->test(PG_lru));
        EXPECT_FALSE(m.page(c.raw())->test(PG_lru));
        EXPECT_EQ(count(LruList::Inactive), 1u);
    }
    Pfn iso;
    ASSERT_EQ(*lru.isolate(0, ZoneType::Normal, 8, &iso, 1), 1u);
    const Pfn with_isolated[2] = {a, iso};
    EXPECT_EQ(lru.add_run(with_isolated, 2, 9, VirtAddr(0)).error(), Error::Busy);
    EXPECT_FALSE(m.page(a.raw())->test(PG_lru));
    EXPECT_EQ(m.check(), "");
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
