// The fuzzer's arguments: interesting values of every kind, and the
// shadow of its own capability table they are drawn from.
#include "user/fuzz/fuzz.h"

extern "C" char __image_start[], __image_end[];  // user.ld

namespace fuzz {

namespace {

constinit World g_world{};

// A word the kernel must take apart carefully wherever it lands.
constexpr uint64_t EDGES[] = {
    0,
    1,
    2,
    3,
    7,
    8,
    15,
    16,
    63,
    64,
    65,
    255,
    256,
    4095,
    4096,
    4097,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    uint64_t(1) << 32,
    uint64_t(1) << 38,
    uint64_t(1) << 39,
    uint64_t(1) << 44,
    uint64_t(1) << 52,
    uint64_t(1) << 62,
    uint64_t(1) << 63,
    ~uint64_t(0) >> 1,
    ~uint64_t(0) - 4095,
    ~uint64_t(0) - 1,
    ~uint64_t(0),
};

}  // namespace

World& world() { return g_world; }

bool in_fuzz_range(const World& w, uint64_t slot) {
    if (slot >= w.fuzz_first && slot < w.fuzz_end) return true;
    for (unsigned i = 0; i < w.nr_extra; i++)
        if (w.extra[i] == slot) return true;
    return false;
}

void identify(World& w, uint64_t slot) {
    if (slot >= MAX_TABLE) return;
    SlotInfo& s = w.shadow[slot];
    auto c = sys::cap_identify(slot);
    if (!c.ok()) {
        s = SlotInfo{};
        return;
    }
    if (c->type != s.type) s.self = false;  // arrived some other way
    s.type = c->type;
    s.rights = uint8_t(c->rights);
    s.order = uint8_t(c->word & 0xff);
    if (c->type == abi::CapType::Frame) saw_pfn(w, c->word >> 8);
}

void refresh_all(World& w) {
    for (unsigned s = w.fuzz_first; s < w.fuzz_end; s++) identify(w, s);
    for (unsigned i = 0; i < w.nr_extra; i++) identify(w, w.extra[i]);
}

void touch(World& w, uint64_t slot) {
    if (!in_fuzz_range(w, slot) || w.nr_touched == sizeof w.touched / sizeof w.touched[0]) return;
    w.touched[w.nr_touched++] = slot;
}

void refresh_touched(World& w) {
    for (unsigned i = 0; i < w.nr_touched; i++) identify(w, w.touched[i]);
    w.nr_touched = 0;
}

namespace {

uint64_t fuzz_slot(World& w) { return w.fuzz_first + w.rng.below(w.fuzz_end - w.fuzz_first); }

// A slot of the fuzz range whose shadow passes `ok`, searched from a random
// start; 0 when none does.
template <typename Ok>
uint64_t find(World& w, Ok ok) {
    const unsigned n = w.fuzz_end - w.fuzz_first;
    const unsigned start = unsigned(w.rng.below(n));
    for (unsigned i = 0; i < n; i++) {
        const unsigned s = w.fuzz_first + (start + i) % n;
        if (ok(w.shadow[s])) return s;
    }
    return 0;
}

}  // namespace

uint64_t any_slot(World& w) {
    switch (w.rng.below(12)) {
        case 0:
            return 0;
        case 1:
            return 1 + w.rng.below(7);  // the fixed slots: self, pager, echo, shared
        case 2: {
            // Past the capability space, refused everywhere; and for a
            // child, which may fill any slot of its own, slots far into
            // it, whose leaves it makes (or cannot: OutOfSlots).
            const uint64_t past[] = {abi::MAX_CAP_SLOTS, abi::MAX_CAP_SLOTS + 1, uint64_t(1) << 32,
                                     uint64_t(1) << 63, ~uint64_t(0)};
            const uint64_t far[] = {w.nr_slots, 4095, 4096, 65535, abi::MAX_CAP_SLOTS - 1};
            return w.role == Role::Child && w.rng.chance(50) ? w.rng.pick(far) : w.rng.pick(past);
        }
        case 3:
            return empty_slot(w);
        default:
            return fuzz_slot(w);
    }
}

uint64_t slot_of(World& w, abi::CapType type) {
    if (w.rng.chance(85))
        if (uint64_t s = find(w, [type](const SlotInfo& i) { return i.type == type; })) return s;
    return any_slot(w);
}

uint64_t empty_slot(World& w) {
    if (w.rng.chance(90))
        if (uint64_t s = find(w, [](const SlotInfo& i) { return i.type == abi::CapType::Null; })) return s;
    return w.rng.chance(50) ? fuzz_slot(w) : any_slot(w);
}

bool may_destroy(const World& w, uint64_t slot) {
    if (w.role == Role::Child) return slot != 0;  // a child may ruin itself
    return in_fuzz_range(w, slot) && !w.shadow[slot].self;
}

uint64_t victim_slot(World& w) {
    for (int tries = 0; tries < 4; tries++) {
        const uint64_t s = w.rng.chance(80) ? fuzz_slot(w) : any_slot(w);
        if (s == 0 || s >= w.nr_slots || may_destroy(w, s)) return s;
    }
    return 0;
}

uint64_t end_endpoint(World& w) {
    if (w.rng.chance(20)) return 0;
    if (uint64_t s = find(w, [](const SlotInfo& i) { return i.type == abi::CapType::Endpoint; }))
        if (w.rng.chance(80)) return s;
    return fuzz_slot(w);
}

bool is_child_task(const World& w, uint64_t slot) {
    for (unsigned i = 0; i < w.nr_child_tasks; i++)
        if (w.child_tasks[i] == slot) return true;
    return false;
}

uint64_t task_slot(World& w) {
    // 0 (our own), a Task cap of ours, a child's, or anything else.
    switch (w.rng.below(6)) {
        case 0:
            return 0;
        case 1:
            return abi::SLOT_SELF_TASK;
        case 2:
            if (w.nr_child_tasks) return w.child_tasks[w.rng.below(w.nr_child_tasks)];
            return 0;
        default:
            return slot_of(w, abi::CapType::Task);
    }
}

uint64_t window_address(World& w) {
    const uint64_t page = WINDOW + w.rng.below(RANDOM_SIZE / PAGE_SIZE) * PAGE_SIZE;
    return w.rng.chance(90) ? page : page + w.rng.pick(EDGES) % PAGE_SIZE;
}

uint64_t address(World& w) {
    int on_stack = 0;
    const uint64_t own[] = {
        reinterpret_cast<uint64_t>(__image_start),  // our text
        reinterpret_cast<uint64_t>(&g_world),       // our data
        reinterpret_cast<uint64_t>(&on_stack),
        reinterpret_cast<uint64_t>(__image_end) - PAGE_SIZE,
        PFN_ARRAY_VA,
        CR_PAGE_VA,
        REGION_VA,
    };
    const uint64_t odd[] = {
        0,
        abi::USER_BASE,
        abi::USER_BASE - PAGE_SIZE,
        abi::USER_END - PAGE_SIZE,
        abi::USER_END,
        abi::USER_END + PAGE_SIZE,
        0x0000'8000'0000'0000ull,  // not canonical
        0x0000'4000'0000'0000ull,
        0xffff'ffc0'0000'0000ull,  // the kernel half: the direct map
        0xffff'ffff'8020'0000ull,  // the kernel's text
        0xffff'ffe0'0000'0000ull,  // vmemmap
        ~uint64_t(0) - PAGE_SIZE + 1,
        uint64_t(1) << 63,
        WINDOW + RANDOM_SIZE - PAGE_SIZE,
    };
    switch (w.rng.below(10)) {
        case 0:
        case 1:
            return w.rng.pick(own) + (w.rng.chance(20) ? w.rng.pick(EDGES) % 64 : 0);
        case 2:
        case 3:
            return w.rng.pick(odd);
        case 4:
            return w.rng.pick(EDGES);
        default:
            return window_address(w);
    }
}

uint64_t count(World& w) {
    const uint64_t counts[] = {0, 1, 2, 3, 8, 63, 64, 65, 128, 4096, 4097, uint64_t(1) << 32, ~uint64_t(0)};
    return w.rng.chance(60) ? 1 + w.rng.below(abi::MINT_MAP_MAX) : w.rng.pick(counts);
}

uint64_t order(World& w) {
    const uint64_t orders[] = {0, 0, 0, 1, 2, 9, 10, 11, 17, 18, 19, 63, 64, ~uint64_t(0)};
    return w.rng.pick(orders);
}

uint64_t rights(World& w) {
    if (w.rng.chance(85)) return w.rng.below(16);  // every mask
    const uint64_t odd[] = {16, 31, 255, 256, uint64_t(1) << 63, ~uint64_t(0)};
    return w.rng.pick(odd);
}

uint64_t badge(World& w) {
    const uint64_t badges[] = {0,
                               0,
                               0,
                               1,
                               2,
                               0x1234,
                               uint64_t(1) << 40,
                               abi::IpcResult::BADGE_MASK,
                               abi::IpcResult::BADGE_MASK + 1,
                               ~uint64_t(0)};
    return w.rng.pick(badges);
}

void saw_pfn(World& w, uint64_t p) {
    for (unsigned i = 0; i < w.nr_pfns; i++)
        if (w.pfns[i] == p) return;
    if (w.nr_pfns < MAX_PFNS)
        w.pfns[w.nr_pfns++] = p;
    else
        w.pfns[w.rng.below(MAX_PFNS)] = p;
}

uint64_t pfn(World& w) {
    const uint64_t odd[] = {0, 0x80000, 0x80200 /* the kernel */, 0x7ffff, uint64_t(1) << 44, ~uint64_t(0)};
    if (w.boot && w.boot->nr_memory && w.rng.chance(60)) {
        const abi::BootMemory& m = w.boot->memory[w.rng.below(w.boot->nr_memory)];
        const uint64_t at[] = {m.first_pfn, m.first_pfn + m.pages - 1, m.first_pfn + m.pages, m.first_pfn - 1,
                               m.first_pfn + w.rng.below(m.pages)};
        return w.rng.pick(at);
    }
    if (w.nr_pfns && w.rng.chance(70)) return w.pfns[w.rng.below(w.nr_pfns)] + (w.rng.chance(20) ? 1 : 0);
    return w.rng.pick(odd);
}

uint64_t limit(World& w) {
    const uint64_t limits[] = {0,        1,        PAGE_SIZE,         16 * PAGE_SIZE,    64 * PAGE_SIZE,
                               1u << 20, 1u << 30, uint64_t(1) << 62, uint64_t(1) << 63, ~uint64_t(0)};
    return w.rng.pick(limits);
}

uint64_t any_word(World& w) { return w.rng.chance(50) ? w.rng.pick(EDGES) : w.rng.next(); }

}  // namespace fuzz
