// The platform-level interrupt controller (RISC-V PLIC specification
// 1.0.0), as kernel/platform.h's interrupt controller: one context (the
// boot hart's S-mode), each source enabled with priority 1 over a
// threshold of 0 while someone holds its line.
#include "arch/riscv/layout.h"
#include "kernel/platform.h"

namespace platform {

namespace {

// Register offsets (PLIC spec, chapter 3 "Memory map").
constexpr uint64_t PRIORITY = 0x0;   // + 4 * source
constexpr uint64_t ENABLE = 0x2000;  // + 0x80 * context, a bit per source
constexpr uint64_t ENABLE_STRIDE = 0x80;
constexpr uint64_t THRESHOLD = 0x200000;  // + 0x1000 * context
constexpr uint64_t CLAIM = 0x200004;      // + 0x1000 * context: read claims, write completes
constexpr uint64_t CONTEXT_STRIDE = 0x1000;

struct Plic {
    PhysAddr base;
    uint32_t lines = 0;
    uint32_t context = 0;
};
constinit Plic g_plic{};

volatile uint32_t* reg(uint64_t offset) {
    return riscv::layout::phys_to_ptr<volatile uint32_t>(PhysAddr(g_plic.base.raw() + offset));
}

volatile uint32_t* enable_word(uint32_t line) {
    return reg(ENABLE + ENABLE_STRIDE * g_plic.context + 4 * uint64_t(line / 32));
}

}  // namespace

Status irq_controller_init(PhysRange regs, uint32_t lines, uint32_t context) {
    const uint64_t needed = CLAIM + CONTEXT_STRIDE * context + 4;
    if (lines < 2 || regs.size < needed) return Error::InvalidArgument;
    g_plic = Plic{regs.base, lines, context};
    for (uint32_t line = 1; line < lines; line++) irq_enable(line, false);
    *reg(THRESHOLD + CONTEXT_STRIDE * context) = 0;
    return {};
}

void irq_enable(uint32_t line, bool on) {
    if (line == 0 || line >= g_plic.lines) return;
    *reg(PRIORITY + 4 * uint64_t(line)) = on ? 1 : 0;
    volatile uint32_t* w = enable_word(line);
    const uint32_t bit = uint32_t(1) << (line % 32);
    *w = on ? (*w | bit) : (*w & ~bit);
}

uint32_t irq_claim() { return *reg(CLAIM + CONTEXT_STRIDE * g_plic.context); }

void irq_complete(uint32_t line) { *reg(CLAIM + CONTEXT_STRIDE * g_plic.context) = line; }

}  // namespace platform
