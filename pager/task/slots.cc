// The pager's capability slots: its table is abi::ROOT_CAP_SLOTS long,
// one slot per block it grants or maps.
#include "pager.h"

namespace pager {

namespace {
constexpr unsigned WORDS = abi::ROOT_CAP_SLOTS / 64;
constinit uint64_t g_used[WORDS] = {};
constinit unsigned g_in_use = 0;
}  // namespace

Result<unsigned> slot_alloc() {
    for (unsigned w = FIRST_DYNAMIC_SLOT / 64; w < WORDS; w++) {
        uint64_t free = ~g_used[w];
        if (w == FIRST_DYNAMIC_SLOT / 64) free &= ~((uint64_t(1) << (FIRST_DYNAMIC_SLOT % 64)) - 1);
        if (!free) continue;
        unsigned b = 0;
        while (!((free >> b) & 1)) b++;
        g_used[w] |= uint64_t(1) << b;
        g_in_use++;
        return w * 64 + b;
    }
    return Error::NoMemory;
}

void slot_free(unsigned slot) {
    uint64_t bit = uint64_t(1) << (slot % 64);
    if (g_used[slot / 64] & bit) {
        g_used[slot / 64] &= ~bit;
        g_in_use--;
    }
}

unsigned slots_in_use() { return g_in_use; }

}  // namespace pager
