// The pager's capability slots: its table is abi::ROOT_CAP_SLOTS long,
// one slot per block it grants or maps.
#include "pager.h"

namespace pager {

namespace {
constexpr unsigned WORDS = abi::ROOT_CAP_SLOTS / 64;
constinit uint64_t g_used[WORDS] = {};
constinit unsigned g_in_use = 0;
constinit unsigned g_hint = FIRST_DYNAMIC_SLOT / 64;  // a word that may have a free slot

// Index of the lowest set bit (v != 0), by halving.
unsigned low_bit(uint64_t v) {
    unsigned n = 0;
    if (!(v & 0xffffffffull)) {
        v >>= 32;
        n += 32;
    }
    if (!(v & 0xffff)) {
        v >>= 16;
        n += 16;
    }
    if (!(v & 0xff)) {
        v >>= 8;
        n += 8;
    }
    if (!(v & 0xf)) {
        v >>= 4;
        n += 4;
    }
    if (!(v & 0x3)) {
        v >>= 2;
        n += 2;
    }
    if (!(v & 0x1)) n += 1;
    return n;
}
}  // namespace

Result<unsigned> slot_alloc() {
    for (unsigned k = 0; k < WORDS; k++) {
        unsigned w = g_hint + k < WORDS ? g_hint + k : g_hint + k - WORDS;
        uint64_t free = ~g_used[w];
        if (w == FIRST_DYNAMIC_SLOT / 64) free &= ~((uint64_t(1) << (FIRST_DYNAMIC_SLOT % 64)) - 1);
        if (w < FIRST_DYNAMIC_SLOT / 64 || !free) continue;
        unsigned b = low_bit(free);
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
    for (unsigned k = 0; k < WORDS; k++) {
        unsigned w = g_hint + k < WORDS ? g_hint + k : g_hint + k - WORDS;
        if (w < FIRST_DYNAMIC_SLOT / 64) continue;
        uint64_t free = ~g_used[w];
        if (w == FIRST_DYNAMIC_SLOT / 64) free &= ~((uint64_t(1) << (FIRST_DYNAMIC_SLOT % 64)) - 1);
        // Bit b of `run` says n free slots start at b (within this word).
        uint64_t run = free;
        for (unsigned len = 1; len < n && run; len++) run &= run >> 1;
        if (n == 64) run = free == ~uint64_t(0) ? 1 : 0;
        if (!run) continue;
        unsigned b = low_bit(run);
        uint64_t bits = n == 64 ? ~uint64_t(0) : ((uint64_t(1) << n) - 1) << b;
        g_used[w] |= bits;
        g_in_use += n;
        return w * 64 + b;
    }
    return Error::NoMemory;
}

void slot_free(unsigned slot) {
    uint64_t bit = uint64_t(1) << (slot % 64);
    if (g_used[slot / 64] & bit) {
        g_used[slot / 64] &= ~bit;
        g_in_use--;
        if (slot / 64 < g_hint && slot >= FIRST_DYNAMIC_SLOT) g_hint = slot / 64;
    }
}

unsigned slots_in_use() { return g_in_use; }

}  // namespace pager
