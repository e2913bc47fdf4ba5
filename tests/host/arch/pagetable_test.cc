// The Sv39 table builder over a fake physical memory (fake_phys.h).
#include "arch/riscv/pagetable.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/host/arch/fake_phys.h"

using namespace riscv::sv39;

namespace {

class PageTableTest : public ::testing::Test {
protected:
    void SetUp() override { root = frames.alloc().value(); }
    PageTable table() { return PageTable(root, frames.memory()); }
    std::vector<Leaf> leaves() {
        std::vector<Leaf> out;
        table().for_each_leaf(
            [](void* ctx, const Leaf& l) { static_cast<std::vector<Leaf>*>(ctx)->push_back(l); }, &out);
        return out;
    }
    FakePhys frames;
    PhysAddr root;
};

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
constexpr uint64_t DM = 0xffffffc000000000;

TEST_F(PageTableTest, AlignedGigabyteUsesOneLeaf) {
    ASSERT_TRUE(
        table().map(VirtAddr(DM + 0x80000000), PhysAddr(0x80000000), GiB, Pte::Read | Pte::Write).ok());
    auto l = leaves();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].size, GiB);
    EXPECT_EQ(l[0].va.raw(), DM + 0x80000000);
    EXPECT_EQ(frames.held(), 1u) << "a gigapage needs no table below the root";
}

TEST_F(PageTableTest, UnalignedEdgesUseSmallerLeaves) {
    // 0x80200000 .. 0xc0001000: 2 MiB leaves up to the 1 GiB boundary, one 4 KiB leaf after.
    uint64_t start = 0x80200000, end = 0xc0001000;
    ASSERT_TRUE(table().map(VirtAddr(DM + start), PhysAddr(start), end - start, Pte::Read | Pte::Write).ok());
    size_t n4k = 0, n2m = 0, n1g = 0;
    uint64_t covered = 0;
    for (auto& l : leaves()) {
        covered += l.size;
        n4k += l.size == 4 * KiB;
        n2m += l.size == 2 * MiB;
        n1g += l.size == GiB;
        EXPECT_EQ(l.va.raw() - DM, l.pa.raw());
    }
    EXPECT_EQ(covered, end - start);
    EXPECT_EQ(n1g, 0u);
    EXPECT_EQ(n2m, 511u);
    EXPECT_EQ(n4k, 1u);
}

// A table that a smaller mapping left behind (empty after the unmap)
// stays in the tree: a larger mapping over it uses smaller leaves there
// instead of writing a leaf over the table's entry, which would lose the
// table for good (it could never be freed with the rest).
TEST_F(PageTableTest, LargeMappingKeepsTheTablesSmallerOnesLeft) {
    const VirtAddr va(0x40000000);  // 1 GiB aligned
    const PhysAddr pa(0x80000000);
    ASSERT_TRUE(table().map(va, pa, 4 * KiB, Pte::Read | Pte::Write).ok());
    ASSERT_EQ(frames.held(), 3u);  // root, level-1 and level-0 tables
    ASSERT_EQ(table().unmap(va, 4 * KiB).value(), 1u);
    ASSERT_TRUE(table().map(va, pa, 2 * MiB, Pte::Read | Pte::Write).ok());
    EXPECT_EQ(frames.held(), 3u) << "no table made, none lost";
    auto l = leaves();
    ASSERT_EQ(l.size(), 512u) << "the level-0 table holds 4 KiB leaves";
    for (size_t i = 0; i < l.size(); i++) {
        EXPECT_EQ(l[i].size, 4 * KiB);
        EXPECT_EQ(l[i].pa.raw(), pa.raw() + i * 4 * KiB);
    }
    ASSERT_EQ(table().unmap(va, 2 * MiB).value(), 512u);
    // A gigabyte over the same place: 4 KiB leaves where the level-0 table
    // is, 2 MiB leaves in the rest of the level-1 table.
    ASSERT_TRUE(table().map(va, pa, GiB, Pte::Read | Pte::Write).ok());
    size_t n4k = 0, n2m = 0;
    uint64_t covered = 0;
    for (auto& leaf : leaves()) {
        n4k += leaf.size == 4 * KiB;
        n2m += leaf.size == 2 * MiB;
        covered += leaf.size;
        EXPECT_EQ(leaf.pa.raw() - pa.raw(), leaf.va.raw() - va.raw());
    }
    EXPECT_EQ(covered, GiB);
    EXPECT_EQ(n4k, 512u);
    EXPECT_EQ(n2m, 511u);
    table().free_tables_below(
        VirtAddr(uint64_t(1) << 38), [](void* ctx, PhysAddr f) { static_cast<FakePhys*>(ctx)->give_back(f); },
        &frames);
    EXPECT_EQ(frames.held(), 1u) << "every table but the root went back";
}

TEST_F(PageTableTest, LeafSizesCanBeLimited) {
    ASSERT_TRUE(table().map(VirtAddr(DM), PhysAddr(0), 4 * MiB, Pte::Read, LeafSizes::Only4K).ok());
    EXPECT_EQ(leaves().size(), 1024u);
}

TEST_F(PageTableTest, LookupFindsLeafAndPermissions) {
    ASSERT_TRUE(
        table().map(VirtAddr(0xffffffff80200000), PhysAddr(0x80200000), 8 * KiB, Pte::Read | Pte::Exec).ok());
    auto l = table().lookup(VirtAddr(0xffffffff80201234));
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->pa.raw(), 0x80201000u);
    EXPECT_TRUE(l->pte.executable());
    EXPECT_FALSE(l->pte.writable());
    EXPECT_EQ(table().lookup(VirtAddr(0xffffffff80202000)).error(), Error::NotFound);
    EXPECT_EQ(table().lookup(VirtAddr(0x4000000000)).error(), Error::NotFound);
}

TEST_F(PageTableTest, OverlapIsBusyAndChangesNothing) {
    ASSERT_TRUE(table().map(VirtAddr(DM + 2 * MiB), PhysAddr(2 * MiB), 4 * KiB, Pte::Read).ok());
    size_t before = leaves().size();
    EXPECT_EQ(table().map(VirtAddr(DM), PhysAddr(0), 4 * MiB, Pte::Read).error(), Error::Busy);
    EXPECT_EQ(leaves().size(), before);
    // Over an existing large leaf too.
    ASSERT_TRUE(table().map(VirtAddr(DM + GiB), PhysAddr(GiB), GiB, Pte::Read).ok());
    EXPECT_EQ(table().map(VirtAddr(DM + GiB + 8 * KiB), PhysAddr(0), 4 * KiB, Pte::Read).error(),
              Error::Busy);
}

TEST_F(PageTableTest, BadArgumentsRejected) {
    auto t = table();
    EXPECT_EQ(t.map(VirtAddr(DM + 1), PhysAddr(0), 4 * KiB, Pte::Read).error(), Error::BadAlignment);
    EXPECT_EQ(t.map(VirtAddr(DM), PhysAddr(0x800), 4 * KiB, Pte::Read).error(), Error::BadAlignment);
    EXPECT_EQ(t.map(VirtAddr(DM), PhysAddr(0), 100, Pte::Read).error(), Error::BadAlignment);
    EXPECT_EQ(t.map(VirtAddr(DM), PhysAddr(0), 0, Pte::Read).error(), Error::BadAlignment);
    EXPECT_EQ(t.map(VirtAddr(0x4000000000), PhysAddr(0), 4 * KiB, Pte::Read).error(), Error::InvalidArgument);
    EXPECT_EQ(t.map(VirtAddr(0x3ffffff000), PhysAddr(0), 8 * KiB, Pte::Read).error(), Error::InvalidArgument)
        << "a range may not run off the end of the lower half";
    EXPECT_EQ(t.map(VirtAddr(DM), PhysAddr(0), 4 * KiB, Pte::Write).error(), Error::InvalidArgument);
    EXPECT_EQ(t.map(VirtAddr(DM), PhysAddr(0), 4 * KiB, 0).error(), Error::InvalidArgument);
    EXPECT_TRUE(leaves().empty());
}

TEST_F(PageTableTest, TableExhaustionIsAnError) {
    frames.limit = 2;  // root + one table: not enough for a 4 KiB leaf
    EXPECT_EQ(table().map(VirtAddr(DM), PhysAddr(0), 4 * KiB, Pte::Read).error(), Error::NoMemory);
}

TEST_F(PageTableTest, TableExhaustionPartWayMapsNothing) {
    // Two pages on either side of a 2 MiB boundary: the second needs a
    // last-level table of its own, which is refused.
    frames.limit = 3;  // root, level-1 table, the first page's table
    const VirtAddr va(0x200000 - 4 * KiB);
    EXPECT_EQ(table().map(va, PhysAddr(0x80000000), 8 * KiB, Pte::Read | Pte::User).error(), Error::NoMemory);
    EXPECT_TRUE(leaves().empty()) << "the first page was mapped, then taken back";
    frames.limit = 4;
    EXPECT_TRUE(table().map(va, PhysAddr(0x80000000), 8 * KiB, Pte::Read | Pte::User).ok());
    EXPECT_EQ(leaves().size(), 2u);
}

TEST_F(PageTableTest, ManyRangesRoundTrip) {
    // Pseudo-random disjoint ranges; every page must translate back.
    uint64_t seed = 12345;
    auto next = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    uint64_t va = DM;
    for (int i = 0; i < 200; i++) {
        va += (next() % 64) * 4 * KiB;
        uint64_t pages = 1 + next() % 600;
        ASSERT_TRUE(table().map(VirtAddr(va), PhysAddr(va - DM), pages * 4 * KiB, Pte::Read).ok());
        ranges.push_back({va, pages});
        va += pages * 4 * KiB;
    }
    for (auto [start, pages] : ranges) {
        for (uint64_t p = 0; p < pages; p += 37) {
            auto l = table().lookup(VirtAddr(start + p * 4 * KiB));
            ASSERT_TRUE(l.ok());
            EXPECT_EQ(l->pa.raw() + (start + p * 4 * KiB - l->va.raw()), start + p * 4 * KiB - DM);
        }
    }
}

}  // namespace

namespace {

TEST_F(PageTableTest, UnmapRemovesExactlyTheRange) {
    ASSERT_TRUE(
        table()
            .map(VirtAddr(0x10000), PhysAddr(0x80000000), 16 * KiB, Pte::Read | Pte::Write | Pte::User)
            .ok());
    ASSERT_TRUE(table().map(VirtAddr(0x20000), PhysAddr(0x80100000), 4 * KiB, Pte::Read | Pte::User).ok());
    auto n = table().unmap(VirtAddr(0x10000), 16 * KiB);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 4u);
    EXPECT_EQ(table().lookup(VirtAddr(0x10000)).error(), Error::NotFound);
    EXPECT_TRUE(table().lookup(VirtAddr(0x20000)).ok());
    EXPECT_EQ(*table().unmap(VirtAddr(0x10000), 16 * KiB), 0u) << "unmapping twice removes nothing";
}

TEST_F(PageTableTest, UnmapRefusesToSplitALargeLeaf) {
    ASSERT_TRUE(table().map(VirtAddr(0x200000), PhysAddr(0x80200000), 2 * MiB, Pte::Read | Pte::User).ok());
    EXPECT_EQ(table().unmap(VirtAddr(0x200000), 4 * KiB).error(), Error::BadAlignment);
    EXPECT_TRUE(table().lookup(VirtAddr(0x200000)).ok());
    EXPECT_EQ(*table().unmap(VirtAddr(0x200000), 2 * MiB), 1u);
}

TEST_F(PageTableTest, ProtectChangesPermissionsOnly) {
    ASSERT_TRUE(table()
                    .map(VirtAddr(0x10000), PhysAddr(0x80000000), 8 * KiB, Pte::Read | Pte::Write | Pte::User)
                    .ok());
    ASSERT_TRUE(table().protect(VirtAddr(0x10000), 8 * KiB, Pte::Read | Pte::User).ok());
    auto l = table().lookup(VirtAddr(0x11000));
    ASSERT_TRUE(l.ok());
    EXPECT_FALSE(l->pte.writable());
    EXPECT_TRUE(l->pte.user());
    EXPECT_EQ(l->pa.raw(), 0x80001000u);
    EXPECT_EQ(table().protect(VirtAddr(0x10000), 12 * KiB, Pte::Read).error(), Error::NotFound);
    EXPECT_EQ(table().protect(VirtAddr(0x10000), 8 * KiB, Pte::Write).error(), Error::InvalidArgument);
}

TEST_F(PageTableTest, ReadClearAccessedDirty) {
    ASSERT_TRUE(table().map(VirtAddr(0x10000), PhysAddr(0x80000000), 8 * KiB, Pte::Read | Pte::User).ok());
    bool a = false, d = false;
    ASSERT_TRUE(table().read_clear_ad(VirtAddr(0x10000), 8 * KiB, &a, &d).ok());
    EXPECT_TRUE(a && d) << "leaves start with A and D preset";
    ASSERT_TRUE(table().read_clear_ad(VirtAddr(0x10000), 8 * KiB, &a, &d).ok());
    EXPECT_FALSE(a || d) << "bits were cleared";
    // Simulate the hardware setting A on the second page.
    unsigned level = 0;
    (void)level;
    auto l = table().lookup(VirtAddr(0x11000));
    ASSERT_TRUE(l.ok());
    EXPECT_FALSE(l->pte.accessed());
    EXPECT_EQ(table().read_clear_ad(VirtAddr(0x30000), 4 * KiB, &a, &d).error(), Error::NotFound);
}

TEST_F(PageTableTest, FreeTablesBelowReleasesUserTablesOnly) {
    ASSERT_TRUE(table().map(VirtAddr(0x10000), PhysAddr(0x80000000), 4 * KiB, Pte::Read | Pte::User).ok());
    ASSERT_TRUE(table().map(VirtAddr(0x7fff0000), PhysAddr(0x80000000), 4 * KiB, Pte::Read | Pte::User).ok());
    ASSERT_TRUE(table().map(VirtAddr(DM), PhysAddr(0), 4 * KiB, Pte::Read).ok());
    std::vector<uint64_t> freed;
    table().free_tables_below(
        VirtAddr(uint64_t(1) << 38),
        [](void* ctx, PhysAddr pa) { static_cast<std::vector<uint64_t>*>(ctx)->push_back(pa.raw()); },
        &freed);
    EXPECT_EQ(freed.size(), 4u) << "two L1 tables and two L0 tables for the two user pages";
    EXPECT_EQ(table().lookup(VirtAddr(0x10000)).error(), Error::NotFound);
    EXPECT_TRUE(table().lookup(VirtAddr(DM)).ok()) << "kernel half untouched";
}

}  // namespace
