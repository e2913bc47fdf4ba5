// The pager's capability slots: its table is abi::ROOT_CAP_SLOTS long,
// one slot per block it grants or maps.
#include "pager.h"

namespace pager {

namespace {
constexpr unsigned WORDS = abi::ROOT_CAP_SLOTS / 64;

struct UsedBits {
    uint64_t w[WORDS];
};
constexpr UsedBits fixed_slots_used() {
    UsedBits u{};
    for (unsigned s = 0; s < FIRST_DYNAMIC_SLOT; s++) u.w[s / 64] |= uint64_t(1) << (s % 64);
    return u;
}

// Bit b of word w: slot 64w + b is in use. The fixed slots below
// FIRST_DYNAMIC_SLOT are marked used once and for all, so the searches
// need no special case for them.
constinit UsedBits g_bits = fixed_slots_used();
constinit uint64_t* const g_used = g_bits.w;
constinit unsigned g_in_use = 0;  // dynamic slots in use
constinit unsigned g_hint = 0;    // no word below it has a free slot

// Index of the lowest set bit of v (v != 0): the lowest bit isolated,
// times a de Bruijn sequence, names it in the top six bits (RV64IMAC has
// no count-trailing-zeros instruction).
constexpr uint8_t DE_BRUIJN_INDEX[64] = {
    0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
    43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
    44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
constexpr unsigned low_bit(uint64_t v) { return DE_BRUIJN_INDEX[((v & -v) * 0x03f79d71b4cb0a89ull) >> 58]; }

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

Result<unsigned> slot_alloc() {
    for (unsigned w = g_hint; w < WORDS; w++) {
        const uint64_t free = ~g_used[w];
        if (!free) continue;
        const unsigned b = low_bit(free);
        g_used[w] |= uint64_t(1) << b;
        g_in_use++;
        g_hint = w;
        return w * 64 + b;
    }
    return Error::NoMemory;
}

Result<unsigned> slot_alloc_run(unsigned n) {
    if (n == 0 || n > 64) return Error::InvalidArgument;
    if (n == 1) return slot_alloc();
    for (unsigned w = g_hint; w < WORDS; w++) {
        const uint64_t run = run_starts(~g_used[w], n);
        if (!run) continue;
        const unsigned b = low_bit(run);
        g_used[w] |= n == 64 ? ~uint64_t(0) : ((uint64_t(1) << n) - 1) << b;
        g_in_use += n;
        return w * 64 + b;
    }
    return Error::NoMemory;
}

void slot_free(unsigned slot) {
    if (slot < FIRST_DYNAMIC_SLOT || slot >= abi::ROOT_CAP_SLOTS) return;
    const uint64_t bit = uint64_t(1) << (slot % 64);
    if (g_used[slot / 64] & bit) {
        g_used[slot / 64] &= ~bit;
        g_in_use--;
        if (slot / 64 < g_hint) g_hint = slot / 64;
    }
}

unsigned slots_in_use() { return g_in_use; }

}  // namespace pager
