// The Sv39 walker over a fake physical memory (fake_phys.h): where walks
// stop, the tables they make, and their errors.
#include "arch/riscv/walk.h"

#include <gtest/gtest.h>

#include "tests/host/arch/fake_phys.h"

using namespace riscv::sv39;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
// Entries 3 of the root, 5 of the level-1 table, 7 of the last-level one.
constexpr VirtAddr VA(3 * GiB + 5 * 2 * MiB + 7 * 4 * KiB + 0x123);

class WalkTest : public ::testing::Test {
protected:
    void SetUp() override { root = phys.alloc().value(); }
    Walker walker(bool give_back = true) { return Walker(root, phys.memory(give_back)); }
    Pte* root_table() { return phys.table(root); }
    // Every entry of every table the fake memory holds, for "nothing changed".
    std::vector<uint64_t> snapshot() {
        std::vector<uint64_t> all;
        for (uint64_t f = 0; f < 8; f++) {
            const Pte* t = phys.table(PhysAddr(FakePhys::BASE + f * 4096));
            for (unsigned i = 0; i < PTES_PER_TABLE; i++) all.push_back(t[i].raw);
        }
        return all;
    }

    FakePhys phys;
    PhysAddr root;
};

TEST_F(WalkTest, MakeEntryMakesTheMissingTables) {
    auto e = walker().make_entry(VA, 0);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(phys.held(), 3u) << "the root and two new tables";
    const Pte l2 = root_table()[3];
    ASSERT_TRUE(l2.is_table());
    const Pte l1 = phys.table(l2.phys())[5];
    ASSERT_TRUE(l1.is_table());
    EXPECT_EQ(*e, &phys.table(l1.phys())[7]);
    EXPECT_FALSE((*e)->valid()) << "the entry itself is left to the caller";
    EXPECT_EQ(l2.phys().raw() & 0xfff, 0u);
    EXPECT_GE(l2.phys().raw(), FakePhys::BASE) << "tables hold physical addresses, not host pointers";
}

TEST_F(WalkTest, MakeEntryReusesTablesThatExist) {
    Pte* first = walker().make_entry(VA, 0).value();
    Pte* again = walker().make_entry(VA + 4 * KiB, 0).value();
    EXPECT_EQ(again, first + 1);
    EXPECT_EQ(phys.held(), 3u);
    EXPECT_EQ(walker().entry(VA, 0).value(), first);
}

TEST_F(WalkTest, EntryAtTheRootNeedsNoTable) {
    Pte* e = walker().make_entry(VA, ROOT_LEVEL).value();
    EXPECT_EQ(e, &root_table()[3]);
    EXPECT_EQ(walker().entry(VA, ROOT_LEVEL).value(), e);
    EXPECT_EQ(phys.held(), 1u);
}

TEST_F(WalkTest, MakeEntryAtAMiddleLevelMakesOnlyTheTablesAbove) {
    Pte* e = walker().make_entry(VA, 1).value();
    EXPECT_EQ(phys.held(), 2u);
    EXPECT_EQ(e, &phys.table(root_table()[3].phys())[5]);
}

TEST_F(WalkTest, NoTableIsNotFound) {
    EXPECT_EQ(walker().entry(VA, 0).error(), Error::NotFound);
    EXPECT_EQ(walker().entry(VA, 1).error(), Error::NotFound);
    EXPECT_EQ(walker().leaf(VA).error(), Error::NotFound);
    // A table at level 1 but none below it.
    ASSERT_TRUE(walker().make_entry(VA, 1).ok());
    EXPECT_EQ(walker().entry(VA, 0).error(), Error::NotFound);
    EXPECT_TRUE(walker().entry(VA, 1).ok());
    EXPECT_EQ(phys.held(), 2u) << "entry() makes nothing";
}

TEST_F(WalkTest, AWrongLevelIsRefused) {
    EXPECT_EQ(walker().entry(VA, LEVELS).error(), Error::InvalidArgument);
    EXPECT_EQ(walker().make_entry(VA, LEVELS).error(), Error::InvalidArgument);
    EXPECT_EQ(walker().make_entry(VA, ~0u).error(), Error::InvalidArgument);
    EXPECT_EQ(phys.held(), 1u);
}

TEST_F(WalkTest, ALeafWhereATableIsExpectedIsBusy) {
    // A 2 MiB leaf at level 1 and a 1 GiB leaf in the root.
    *walker().make_entry(VA, 1).value() = Pte::leaf(PhysAddr(0x40000000), Pte::Read);
    root_table()[4] = Pte::leaf(PhysAddr(0), Pte::Read);
    const size_t held = phys.held();
    const auto before = snapshot();
    EXPECT_EQ(walker().entry(VA, 0).error(), Error::Busy);
    EXPECT_EQ(walker().make_entry(VA, 0).error(), Error::Busy);
    EXPECT_EQ(walker().make_entry(VirtAddr(4 * GiB), 0).error(), Error::Busy);
    EXPECT_EQ(walker().make_entry(VirtAddr(4 * GiB), 1).error(), Error::Busy);
    EXPECT_EQ(phys.held(), held) << "no table made";
    EXPECT_EQ(snapshot(), before);
}

TEST_F(WalkTest, AllocationFailureLeavesNothingHalfBuilt) {
    phys.limit = 2;  // the root and one table: the second table is refused
    const auto before = snapshot();
    EXPECT_EQ(walker().make_entry(VA, 0).error(), Error::NoMemory);
    EXPECT_EQ(snapshot(), before) << "no entry changed";
    EXPECT_EQ(phys.held(), 1u) << "the table made first was given back";
    EXPECT_EQ(phys.given_back().size(), 1u);
    // With room, the same walk succeeds.
    phys.limit = 3;
    EXPECT_TRUE(walker().make_entry(VA, 0).ok());
}

TEST_F(WalkTest, AllocationFailureBelowAnExistingTable) {
    ASSERT_TRUE(walker().make_entry(VA, 1).ok());
    phys.limit = phys.held();
    const auto before = snapshot();
    EXPECT_EQ(walker().make_entry(VA, 0).error(), Error::NoMemory);
    EXPECT_EQ(snapshot(), before);
    EXPECT_TRUE(phys.given_back().empty()) << "nothing was had, so nothing given back";
}

TEST_F(WalkTest, WithoutFreeAFailedWalkKeepsItsFramesButLinksNone) {
    phys.limit = 2;
    const auto before = snapshot();
    EXPECT_EQ(walker(false).make_entry(VA, 0).error(), Error::NoMemory);
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(phys.held(), 2u) << "the frame stays with the walk's owner";
}

TEST_F(WalkTest, WithoutAllocNoTableIsMade) {
    const Walker w(root, phys.read_only());
    EXPECT_EQ(w.make_entry(VA, 0).error(), Error::NoMemory);
    EXPECT_TRUE(w.make_entry(VA, ROOT_LEVEL).ok()) << "the root's entries need no table";
    EXPECT_EQ(phys.held(), 1u);
}

TEST_F(WalkTest, LeafFindsLeavesOfEverySize) {
    *walker().make_entry(VA, 0).value() = Pte::leaf(PhysAddr(0x1000), Pte::Read);
    *walker().make_entry(VirtAddr(VA.raw() + 2 * MiB), 1).value() = Pte::leaf(PhysAddr(0x200000), Pte::Read);
    *walker().make_entry(VirtAddr(7 * GiB), 2).value() = Pte::leaf(PhysAddr(GiB), Pte::Read);
    struct Case {
        VirtAddr va;
        unsigned level;
        uint64_t pa;
    };
    for (const Case& c : {Case{VA, 0, 0x1000}, Case{VirtAddr(VA.raw() + 2 * MiB + 0x5000), 1, 0x200000},
                          Case{VirtAddr(7 * GiB + 0x12345678), 2, GiB}}) {
        auto l = walker().leaf(c.va);
        ASSERT_TRUE(l.ok()) << std::hex << c.va.raw();
        EXPECT_EQ(l->level, c.level);
        EXPECT_EQ(l->pte->phys().raw(), c.pa);
    }
    EXPECT_EQ(walker().leaf(VA + 4 * KiB).error(), Error::NotFound) << "the next page is not mapped";
}

TEST_F(WalkTest, DescendStopsWhereTheTablesEnd) {
    Slot s = walker().descend(VA, 0);
    EXPECT_EQ(s.level, ROOT_LEVEL);
    EXPECT_EQ(s.pte, &root_table()[3]);
    ASSERT_TRUE(walker().make_entry(VA, 1).ok());
    s = walker().descend(VA, 0);
    EXPECT_EQ(s.level, 1u);
    EXPECT_FALSE(s.pte->valid());
    s = walker().descend(VA, ROOT_LEVEL);
    EXPECT_EQ(s.level, ROOT_LEVEL) << "a walk stops at the level asked for";
    EXPECT_TRUE(s.pte->is_table());
}

TEST_F(WalkTest, AnEntryWithoutPermissionsAtTheLastLevelIsNoLeaf) {
    // Valid with R, W and X clear points to another table, which the last
    // level cannot (spec 4.3.2 step 4: a page fault).
    Pte* e = walker().make_entry(VA, 0).value();
    *e = Pte::table(PhysAddr(FakePhys::BASE));
    EXPECT_EQ(walker().leaf(VA).error(), Error::NotFound);
}

TEST_F(WalkTest, UpperAddressBitsSelectNothing) {
    // Bits 63:39 are the caller's to check: an address walks the same
    // tables as the one with those bits cleared.
    Pte* low = walker().make_entry(VirtAddr(0x7ffffff000ull), 0).value();
    EXPECT_EQ(walker().entry(VirtAddr(0xfffffffffffff000ull), 0).value(), low);
}

}  // namespace
