// The pager's capability slots: its table is abi::ROOT_CAP_SLOTS long,
// one slot per block it grants or maps.
#include "pager/pager.h"

namespace pager {

using namespace slots_detail;

namespace {

constexpr bool low_bit_ok() {
    for (unsigned b = 0; b < 64; b++)
        if (low_bit(uint64_t(1) << b) != b || low_bit(~uint64_t(0) << b) != b) return false;
    return true;
}
static_assert(low_bit_ok());

// Bit b of the result: slots b .. b+n-1 of a word with free bits `free`
// are all free (1 <= n <= 64).
uint64_t run_starts(uint64_t free, unsigned n) {
    if (n == 64) return free == ~uint64_t(0) ? 1 : 0;
    uint64_t run = free;
    for (unsigned len = 1; len < n && run; len++) run &= run >> 1;
    return run;
}
}  // namespace

Result<unsigned> slot_alloc_run(unsigned n) {
    if (n == 0 || n > 64) return Error::InvalidArgument;
    if (n == 1) return slot_alloc();
    for (unsigned w = g_hint; w < WORDS; w++) {
        const uint64_t run = run_starts(~g_bits.w[w], n);
        if (!run) continue;
        const unsigned b = low_bit(run);
        g_bits.w[w] |= n == 64 ? ~uint64_t(0) : ((uint64_t(1) << n) - 1) << b;
        return w * 64 + b;
    }
    return Error::NoMemory;
}

void slot_free(unsigned slot) {
    if (slot < FIRST_DYNAMIC_SLOT || slot >= abi::ROOT_CAP_SLOTS) return;
    const uint64_t bit = uint64_t(1) << (slot % 64);
    if (g_bits.w[slot / 64] & bit) {
        g_bits.w[slot / 64] &= ~bit;
        if (slot / 64 < g_hint) g_hint = slot / 64;
    }
}

}  // namespace pager
