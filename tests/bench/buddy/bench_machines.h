// Allocator states the benchmarks start from, shared by the Google
// Benchmark program and the callgrind driver so both measure the same
// thing.
#pragma once

#include <memory>
#include <vector>

#include "tests/host/buddy/machine.h"

namespace mm::bench {

inline constexpr uint64_t BENCH_PAGES = 65536;  // 256 MiB, one Normal zone

// The pager's default configuration: per-cpu cache on, Linux-derived
// watermarks. All memory free.
inline std::unique_ptr<test::Machine> default_machine() {
    test::MachineDef d = test::single_zone(BENCH_PAGES);
    d.config = BuddyConfig{};
    auto m = std::make_unique<test::Machine>(d);
    m->hand_over();
    return m;
}

// No per-cpu cache; every order-0 list entry's buddy is allocated, so an
// alloc+free pair is one list pop and one list push with no merge.
inline std::unique_ptr<test::Machine> warm_order0_machine() {
    test::MachineDef d = test::single_zone(BENCH_PAGES);
    d.config.pcp_batch = d.config.pcp_high = 0;
    auto m = std::make_unique<test::Machine>(d);
    m->hand_over();
    std::vector<Pfn> all;
    for (;;) {
        auto r = m->buddy().alloc(AllocRequest::of(0, GFP_MEMALLOC));
        if (!r.ok()) break;
        all.push_back(*r);
    }
    for (Pfn p : all)
        if (p.raw() % 2 == 0) (void)m->buddy().free(p, Order(0));
    return m;
}

// No per-cpu cache; memory is allocated as order-4 blocks and every
// eighth is freed again (well above the watermarks, no two free blocks
// adjacent), so an order-3 pair splits once and merges once.
inline std::unique_ptr<test::Machine> one_split_machine() {
    test::MachineDef d = test::single_zone(BENCH_PAGES);
    d.config.pcp_batch = d.config.pcp_high = 0;
    auto m = std::make_unique<test::Machine>(d);
    m->hand_over();
    std::vector<Pfn> all;
    for (;;) {
        auto r = m->buddy().alloc(AllocRequest::of(4, GFP_MEMALLOC));
        if (!r.ok()) break;
        all.push_back(*r);
    }
    for (size_t i = 0; i < all.size(); i += 8) (void)m->buddy().free(all[i], Order(4));
    return m;
}

// No per-cpu cache, all memory free in max-order blocks: an order-3 pair
// splits seven times and merges seven times.
inline std::unique_ptr<test::Machine> deep_split_machine() {
    test::MachineDef d = test::single_zone(BENCH_PAGES);
    d.config.pcp_batch = d.config.pcp_high = 0;
    auto m = std::make_unique<test::Machine>(d);
    m->hand_over();
    return m;
}

}  // namespace mm::bench
