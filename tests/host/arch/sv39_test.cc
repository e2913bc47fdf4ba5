// Hardware layouts checked against the RISC-V privileged spec (20211203):
// figure 4.23 (Sv39 PTE), 4.12 (satp), table 4.2 (scause), 4.4.1 (canonical).
#include "arch/riscv/sv39.h"

#include <gtest/gtest.h>

#include "arch/riscv/scause.h"

using namespace riscv;
using namespace riscv::sv39;

TEST(Sv39Pte, BitPositionsMatchSpec) {
    EXPECT_EQ(Pte::V::mask, 1u << 0);
    EXPECT_EQ(Pte::R::mask, 1u << 1);
    EXPECT_EQ(Pte::W::mask, 1u << 2);
    EXPECT_EQ(Pte::X::mask, 1u << 3);
    EXPECT_EQ(Pte::U::mask, 1u << 4);
    EXPECT_EQ(Pte::G::mask, 1u << 5);
    EXPECT_EQ(Pte::A::mask, 1u << 6);
    EXPECT_EQ(Pte::D::mask, 1u << 7);
    EXPECT_EQ(Pte::RSW::mask, 3u << 8);
    EXPECT_EQ(Pte::PPN::mask, ((uint64_t(1) << 44) - 1) << 10);  // bits 53:10
    EXPECT_EQ(Pte::Reserved::mask, uint64_t(0x3ff) << 54);       // bits 63:54
}

TEST(Sv39Pte, LeafEncodesPpnAndPermissions) {
    Pte p = Pte::leaf(PhysAddr(0x80200000), Pte::Read | Pte::Exec | Pte::Global);
    EXPECT_EQ(p.raw, (uint64_t(0x80200) << 10) | 0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80);
    EXPECT_TRUE(p.is_leaf());
    EXPECT_FALSE(p.is_table());
    EXPECT_TRUE(p.readable());
    EXPECT_FALSE(p.writable());
    EXPECT_TRUE(p.executable());
    EXPECT_TRUE(p.global());
    EXPECT_FALSE(p.user());
    EXPECT_EQ(p.phys().raw(), 0x80200000u);
}

TEST(Sv39Pte, TablePointerHasNoPermissions) {
    Pte t = Pte::table(PhysAddr(0x87fff000));
    EXPECT_TRUE(t.valid());
    EXPECT_TRUE(t.is_table());
    EXPECT_FALSE(t.is_leaf());
    EXPECT_EQ(t.phys().raw(), 0x87fff000u);
    EXPECT_EQ(t.raw & 0x3ff, 1u);
}

TEST(Sv39Pte, ReservedEncodingsDetected) {
    EXPECT_TRUE(Pte{Pte::V::mask | Pte::W::mask}.reserved_encoding());  // W without R
    EXPECT_TRUE(Pte{Pte::V::mask | Pte::R::mask | (uint64_t(1) << 60)}.reserved_encoding());
    EXPECT_FALSE(Pte::leaf(PhysAddr(0), Pte::Read | Pte::Write).reserved_encoding());
    EXPECT_FALSE(Pte{}.valid());
}

TEST(Sv39Va, VpnSlicesAndLevelSizes) {
    VirtAddr va(0xffffffc080201000);
    EXPECT_EQ(vpn(va, 2), 258u);  // direct-map slot of physical 0x80000000
    EXPECT_EQ(vpn(va, 1), 1u);
    EXPECT_EQ(vpn(va, 0), 1u);
    EXPECT_EQ(vpn(VirtAddr(0xffffffff80200000), 2), 510u);
    EXPECT_EQ(level_size(0), 4096u);
    EXPECT_EQ(level_size(1), 2u << 20);
    EXPECT_EQ(level_size(2), 1u << 30);
}

TEST(Sv39Va, CanonicalAddresses) {
    EXPECT_TRUE(is_canonical(VirtAddr(0)));
    EXPECT_TRUE(is_canonical(VirtAddr(0x3fffffffff)));
    EXPECT_FALSE(is_canonical(VirtAddr(0x4000000000)));
    EXPECT_TRUE(is_canonical(VirtAddr(0xffffffc000000000)));
    EXPECT_FALSE(is_canonical(VirtAddr(0xffffff8000000000)));
    EXPECT_FALSE(is_canonical(VirtAddr(0x8000000000000000)));
}

TEST(Satp, FieldsMatchSpec) {
    Satp s = Satp::sv39(PhysAddr(0x80205000), 0x1234);
    EXPECT_EQ(s.raw, (uint64_t(8) << 60) | (uint64_t(0x1234) << 44) | 0x80205);
    EXPECT_EQ(s.mode(), Satp::MODE_SV39);
    EXPECT_EQ(s.asid(), 0x1234);
    EXPECT_EQ(s.root().raw(), 0x80205000u);
}

TEST(Scause, DecodesExceptionsAndInterrupts) {
    EXPECT_STREQ(Scause{13}.name(), "load page fault");
    EXPECT_STREQ(Scause{15}.name(), "store/AMO page fault");
    EXPECT_STREQ(Scause{2}.name(), "illegal instruction");
    EXPECT_STREQ(Scause{8}.name(), "environment call from U-mode");
    EXPECT_STREQ(Scause{10}.name(), "reserved exception");
    Scause timer{(uint64_t(1) << 63) | 5};
    EXPECT_TRUE(timer.is_interrupt());
    EXPECT_EQ(timer.code(), 5u);
    EXPECT_STREQ(timer.name(), "supervisor timer interrupt");
    EXPECT_TRUE(Scause{12}.is_page_fault());
    EXPECT_FALSE(Scause{5}.is_page_fault());
}

TEST(Sstatus, BitPositionsMatchSpec) {
    EXPECT_EQ(Sstatus::SIE::mask, 1u << 1);
    EXPECT_EQ(Sstatus::SPIE::mask, 1u << 5);
    EXPECT_EQ(Sstatus::SPP::mask, 1u << 8);
    EXPECT_EQ(Sstatus::SUM::mask, 1u << 18);
    EXPECT_EQ(Sstatus::MXR::mask, 1u << 19);
}
