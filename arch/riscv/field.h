// Typed register layouts: a field is declared by its bit position and
// width, never by a C bitfield or union (their layout is up to the
// compiler). Used for Sv39 PTEs, satp, scause and sstatus.
#pragma once

#include <stdint.h>

namespace riscv {

template <unsigned Lo, unsigned Width>
struct Field {
    static_assert(Width > 0 && Lo + Width <= 64);
    static constexpr unsigned lo = Lo;
    static constexpr unsigned width = Width;
    static constexpr uint64_t mask = (Width == 64 ? ~uint64_t(0) : ((uint64_t(1) << Width) - 1)) << Lo;

    static constexpr uint64_t get(uint64_t reg) { return (reg & mask) >> Lo; }
    static constexpr uint64_t set(uint64_t reg, uint64_t v) { return (reg & ~mask) | ((v << Lo) & mask); }
    static constexpr bool fits(uint64_t v) { return ((v << Lo) >> Lo) == v && (v >> Width) == 0; }
};

}  // namespace riscv
