// A reference model for the buddy allocator and an operation driver that
// applies the same operation to both and checks them against each other
// after every step. Used by the randomized model test and the fuzz target.
#pragma once

#include <stdint.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "machine.h"

namespace mm::test {

// The machine model tests run on: two nodes, three zones, holes, a zone
// boundary that is not MAX_ORDER aligned, and a small per-cpu cache.
MachineDef model_machine(bool pcp);

class ModelDriver {
public:
    explicit ModelDriver(const MachineDef& def);

    // Applies operation `op` with arguments taken from `a` and `b`; returns
    // false (and sets failure()) when the allocator and the model disagree
    // or verify() finds a broken invariant.
    bool step(uint8_t op, uint32_t a, uint32_t b);

    const std::string& failure() const { return failure_; }
    Machine& machine() { return m_; }
    size_t allocated_blocks() const { return blocks_.size(); }

    // What the steps did, so a test can show it exercised every path.
    struct Counts {
        uint64_t allocs = 0, alloc_failures = 0, try_again = 0, frees = 0, bad_frees = 0;
        uint64_t lru_ops = 0, isolated = 0, bulk = 0;
    };
    const Counts& counts() const { return counts_; }

private:
    bool do_alloc(uint32_t a, uint32_t b);
    bool do_bulk(uint32_t a);
    bool do_free(uint32_t a);
    bool do_bad_free(uint32_t a, uint32_t b);
    bool do_lru(uint32_t a, uint32_t b);
    bool accept_block(uint64_t pfn, unsigned order, AllocRequest req);
    bool check_failure(AllocRequest req, Error e);
    Error expected_free_error(uint64_t pfn, unsigned order) const;
    bool fail(const std::string& why);
    bool check_all();

    Machine m_;
    uint64_t managed_ = 0;
    std::map<uint64_t, unsigned> blocks_;  // head pfn -> order, as handed out
    std::set<uint64_t> on_lru_;            // heads on a list
    std::set<uint64_t> isolated_;          // heads taken by isolate
    std::string failure_;
    Counts counts_;
};

}  // namespace mm::test
