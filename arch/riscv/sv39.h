// Sv39 address translation formats (RISC-V privileged spec 20211203,
// section 4.4 "Sv39: Page-Based 39-bit Virtual-Memory System", and 4.1.11
// "Supervisor Address Translation and Protection (satp) Register").
//
// Pure: no CSR access here, so host tests check every layout against the
// spec's bit tables.
#pragma once

#include <stdint.h>

#include "arch/riscv/field.h"
#include "base/addr.h"

namespace riscv::sv39 {

inline constexpr unsigned LEVELS = 3;
inline constexpr unsigned ROOT_LEVEL = LEVELS - 1;  // levels count down to 0, whose leaves map 4 KiB
inline constexpr unsigned VA_BITS = 39;
inline constexpr unsigned PTES_PER_TABLE = 512;
// Bytes mapped by one leaf at each level: level 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB.
constexpr uint64_t level_size(unsigned level) { return uint64_t(1) << (12 + 9 * level); }

// Spec figure 4.21 (Sv39 virtual address): VPN[2] 38:30, VPN[1] 29:21, VPN[0] 20:12.
constexpr unsigned vpn(VirtAddr va, unsigned level) {
    return unsigned((va.raw() >> (12 + 9 * level)) & 0x1ff);
}

// An Sv39 address is valid only if bits 63:39 all equal bit 38 (spec 4.4.1).
constexpr bool is_canonical(VirtAddr va) {
    int64_t s = int64_t(va.raw()) >> (VA_BITS - 1);
    return s == 0 || s == -1;
}

// Spec figure 4.23 (Sv39 page table entry).
struct Pte {
    using V = Field<0, 1>;
    using R = Field<1, 1>;
    using W = Field<2, 1>;
    using X = Field<3, 1>;
    using U = Field<4, 1>;
    using G = Field<5, 1>;
    using A = Field<6, 1>;
    using D = Field<7, 1>;
    using RSW = Field<8, 2>;
    using PPN = Field<10, 44>;       // PPN[2] 53:28, PPN[1] 27:19, PPN[0] 18:10
    using Reserved = Field<54, 10>;  // must be zero without Svpbmt/Svnapot

    uint64_t raw = 0;

    // Permission bits as one value: R=1 W=2 X=4 U=8 G=16.
    enum Perm : uint64_t {
        Read = R::mask,
        Write = W::mask,
        Exec = X::mask,
        User = U::mask,
        Global = G::mask,
    };

    static constexpr Pte leaf(PhysAddr pa, uint64_t perms) {
        // A and D preset: hardware that does not manage them (Svade) would
        // otherwise fault on first access; the kernel's own mappings never
        // need the tracking.
        return Pte{PPN::set(0, pa.raw() >> 12) | perms | V::mask | A::mask | D::mask};
    }
    static constexpr Pte table(PhysAddr next) { return Pte{PPN::set(0, next.raw() >> 12) | V::mask}; }

    constexpr bool valid() const { return V::get(raw); }
    // Spec 4.3.2 step 4: a valid PTE with R, W and X all clear points to the next level.
    constexpr bool is_leaf() const { return valid() && (raw & (R::mask | W::mask | X::mask)) != 0; }
    constexpr bool is_table() const { return valid() && !is_leaf(); }
    constexpr PhysAddr phys() const { return PhysAddr(PPN::get(raw) << 12); }
    constexpr bool readable() const { return R::get(raw); }
    constexpr bool writable() const { return W::get(raw); }
    constexpr bool executable() const { return X::get(raw); }
    constexpr bool user() const { return U::get(raw); }
    constexpr bool global() const { return G::get(raw); }
    constexpr bool accessed() const { return A::get(raw); }
    constexpr bool dirty() const { return D::get(raw); }
    // W without R is reserved (spec table 4.5), as are the high bits.
    constexpr bool reserved_encoding() const {
        return valid() && ((W::get(raw) && !R::get(raw)) || Reserved::get(raw) != 0);
    }
};
static_assert(sizeof(Pte) == 8);

// Spec figure 4.12 (satp, RV64): MODE 63:60, ASID 59:44, PPN 43:0.
struct Satp {
    using PPN = Field<0, 44>;
    using ASID = Field<44, 16>;
    using MODE = Field<60, 4>;
    static constexpr uint64_t MODE_BARE = 0, MODE_SV39 = 8, MODE_SV48 = 9;

    uint64_t raw = 0;
    static constexpr Satp sv39(PhysAddr root, uint16_t asid) {
        return Satp{MODE::set(ASID::set(PPN::set(0, root.raw() >> 12), asid), MODE_SV39)};
    }
    constexpr PhysAddr root() const { return PhysAddr(PPN::get(raw) << 12); }
    constexpr uint16_t asid() const { return uint16_t(ASID::get(raw)); }
    constexpr uint64_t mode() const { return MODE::get(raw); }
};

}  // namespace riscv::sv39
