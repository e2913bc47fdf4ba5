// Two machines built alike: one driven through alloc() and free(), whose
// inline fast paths serve what they can, the other through
// alloc_slowpath() and free_slowpath() only. The fast paths promise to
// make exactly the slow paths' choices, so after every step the two
// machines must be identical, descriptor by descriptor and counter by
// counter. Used by the twin test and the fuzz target fuzz_pager_fastpath.
#pragma once

#include <stdint.h>

#include <map>
#include <string>

#include "machine.h"

namespace mm::test {

// Node 0: a small DMA32 zone and a Normal zone of `normal_pages` frames
// behind a boundary that is not MAX_ORDER aligned, with holes; node 1: one
// small zone. Node 0's Normal zone is the fast zone; with a few thousand
// frames it stays comfortably above its watermarks for long stretches.
MachineDef twin_machine(bool pcp, Grouping grouping, uint64_t normal_pages);

class TwinDriver {
public:
    explicit TwinDriver(const MachineDef& def);

    // Applies operation `op` (arguments from `a` and `b`) to both machines;
    // returns false (and sets failure()) when their answers or states differ
    // or verify() finds a broken invariant in the fast machine.
    bool step(uint8_t op, uint32_t a, uint32_t b);

    const std::string& failure() const { return failure_; }
    size_t allocated_blocks() const { return blocks_.size(); }
    Machine& fast() { return fast_; }

    struct Counts {
        uint64_t allocs = 0, failures = 0, frees = 0, bad_frees = 0, lru_adds = 0;
        uint64_t orders_above_zero = 0;
    };
    const Counts& counts() const { return counts_; }

private:
    bool do_alloc(uint32_t a, uint32_t b);
    bool do_free(uint32_t a);
    bool do_bad_free(uint32_t a, uint32_t b);
    bool do_lru_add(uint32_t a);
    bool same_state();
    bool fail(const std::string& why);

    Machine fast_, slow_;
    std::map<uint64_t, unsigned> blocks_;  // head pfn -> order, as handed out
    std::string failure_;
    Counts counts_;
};

}  // namespace mm::test
