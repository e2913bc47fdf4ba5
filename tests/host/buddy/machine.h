// A simulated machine for the pager's memory-management tests: mem_map
// as a host array, a MemoryLayout built from zone descriptions (with
// holes and several nodes), pageblock storage, and a Buddy on top.
// Shared by the unit tests, the fuzz target and the benchmarks.
#pragma once

#include <gtest/gtest.h>
#include <stdint.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "buddy/buddy.h"
#include "buddy/lru.h"

namespace mm::test {

struct ZoneDef {
    uint8_t nid;
    ZoneType type;
    uint64_t start;  // first pfn
    uint64_t pages;  // spanned
};

struct HoleDef {
    uint64_t start, end;  // [start, end) frames without RAM
};

struct MachineDef {
    std::vector<ZoneDef> zones;
    std::vector<HoleDef> holes;
    uint8_t nr_nodes = 1;
    // distance[a][b]; when empty, 10 on the diagonal and 20 elsewhere.
    std::vector<std::vector<uint8_t>> distance;
    BuddyConfig config = default_config();

    // Small test machines: no per-cpu cache, fixed min_free_kbytes.
    static BuddyConfig default_config() {
        BuddyConfig c;
        c.pcp_batch = 0;
        c.pcp_high = 0;
        c.min_free_kbytes = 128;
        return c;
    }
};

class Machine {
public:
    // Builds mem_map (every descriptor reserved, zone and node set) and
    // initialises the allocator; frames are not handed over yet.
    explicit Machine(const MachineDef& def);

    // free_all_bootmem: hands every present frame of every zone over.
    void hand_over();

    Buddy& buddy() { return *buddy_; }
    const Buddy& buddy() const { return *buddy_; }
    Lru& lru() { return lru_; }
    const MemoryLayout& layout() const { return layout_; }
    Page* page(uint64_t pfn) { return buddy_->page(Pfn(pfn)); }
    bool is_hole(uint64_t pfn) const;
    const MachineDef& def() const { return def_; }
    Status init_status() const { return init_status_; }
    uint64_t first_pfn() const { return first_; }
    uint64_t end_pfn() const { return first_ + memmap_.size(); }

    // verify() with the reason as a string ("" when consistent).
    std::string check();

private:
    MachineDef def_;
    MemoryLayout layout_{};
    uint64_t first_ = 0;
    std::vector<Page> memmap_;
    std::vector<uint8_t> pageblocks_;
    std::unique_ptr<Buddy> buddy_;
    Lru lru_;
    Status init_status_;
};

// Text output of an introspection function, as a string.
std::string capture(void (*fn)(const Buddy&, TextSink), const Buddy& b);

// One zone of `pages` frames from pfn `start` on node 0.
// The first pfn of the test machines (single_zone's default start).
inline constexpr uint64_t BASE = 0x80000;
MachineDef single_zone(uint64_t pages, uint64_t start = BASE, ZoneType type = ZoneType::Normal);
// single_zone(4096) with a per-cpu cache: refills of `batch` frames, at most `high` per list.
MachineDef with_pcp(uint32_t batch, uint32_t high);
// DMA32 and Normal, 2048 frames each, from pfn 0x80000 on node 0.
MachineDef two_zones();

// A zero hook (BuddyConfig::zero) that records its calls.
struct ZeroLog {
    std::vector<std::pair<uint64_t, unsigned>> calls;  // pfn, order
    static void zero(void* ctx, Pfn pfn, Order order) {
        static_cast<ZeroLog*>(ctx)->calls.push_back({pfn.raw(), order.raw()});
    }
};

// The fixture most allocator tests start from: one Normal zone of 4096
// frames from BASE, handed to the allocator.
struct OneZoneTest : ::testing::Test {
    Machine m{single_zone(4096)};
    Buddy& b = m.buddy();
    const Zone& z = b.zone(0, ZoneType::Normal);
    void SetUp() override { m.hand_over(); }
};

}  // namespace mm::test
