// Randomized model-based test: memblock against a byte map of a small
// address window where every 256-byte granule is either "not memory",
// "memory of node n", and separately "reserved" or not.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "bootmem/memblock.h"

namespace mm {
namespace {

constexpr uint64_t BASE = 0x80000000;
constexpr uint64_t GRANULE = 0x100;
constexpr size_t GRANULES = 1024;  // a 256 KiB window
constexpr int NOT_MEMORY = -1;

struct Model {
    std::vector<int> node = std::vector<int>(GRANULES, NOT_MEMORY);
    std::vector<bool> reserved = std::vector<bool>(GRANULES, false);

    uint64_t memory_bytes() const {
        uint64_t n = 0;
        for (int v : node) n += v != NOT_MEMORY ? GRANULE : 0;
        return n;
    }
    uint64_t reserved_in_memory() const {
        uint64_t n = 0;
        for (size_t i = 0; i < GRANULES; i++) n += (reserved[i] && node[i] != NOT_MEMORY) ? GRANULE : 0;
        return n;
    }
    // Regions as memblock should hold them: maximal runs of one node.
    std::vector<MemRange> memory_runs() const {
        std::vector<MemRange> out;
        for (size_t i = 0; i < GRANULES;) {
            if (node[i] == NOT_MEMORY) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < GRANULES && node[j] == node[i]) j++;
            out.push_back({PhysRange{PhysAddr(BASE + i * GRANULE), (j - i) * GRANULE}, unsigned(node[i])});
            i = j;
        }
        return out;
    }
    std::vector<MemRange> free_runs() const {
        std::vector<MemRange> out;
        for (size_t i = 0; i < GRANULES;) {
            if (node[i] == NOT_MEMORY || reserved[i]) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < GRANULES && node[j] == node[i] && !reserved[j]) j++;
            out.push_back({PhysRange{PhysAddr(BASE + i * GRANULE), (j - i) * GRANULE}, unsigned(node[i])});
            i = j;
        }
        return out;
    }
};

bool same(const MemRange& a, const MemRange& b) { return a.range == b.range && a.nid == b.nid; }

void check(const Memblock& mb, const Model& m, int step) {
    auto runs = m.memory_runs();
    ASSERT_EQ(mb.memory().count(), runs.size()) << "step " << step;
    for (size_t i = 0; i < runs.size(); i++) {
        MemRange got{mb.memory()[i].range(), mb.memory()[i].nid};
        ASSERT_TRUE(same(got, runs[i])) << "step " << step << " region " << i;
    }
    ASSERT_EQ(mb.phys_mem_size(), m.memory_bytes()) << step;
    ASSERT_EQ(mb.reserved_in_memory(), m.reserved_in_memory()) << step;
    // Reserved list: sorted, disjoint, non-touching, matching the map.
    uint64_t reserved_bytes = 0;
    for (size_t i = 0; i < mb.reserved().count(); i++) {
        const MemblockRegion& r = mb.reserved()[i];
        ASSERT_GT(r.size, 0u);
        if (i) {
            ASSERT_GT(r.base.raw(), mb.reserved()[i - 1].end().raw()) << step;
        }
        for (uint64_t a = r.base.raw(); a < r.end().raw(); a += GRANULE)
            ASSERT_TRUE(m.reserved[(a - BASE) / GRANULE]) << step;
        reserved_bytes += r.size;
    }
    size_t model_reserved = 0;
    for (bool b : m.reserved) model_reserved += b;
    ASSERT_EQ(reserved_bytes, model_reserved * GRANULE) << step;
    auto free_runs = m.free_runs();
    std::vector<MemRange> walked;
    RangeDiffWalk w = mb.free_ranges();
    MemRange r;
    while (w.next(r)) walked.push_back(r);
    ASSERT_EQ(walked.size(), free_runs.size()) << step;
    for (size_t i = 0; i < walked.size(); i++) ASSERT_TRUE(same(walked[i], free_runs[i])) << step;
    std::vector<MemRange> back;
    RangeDiffWalk wd = mb.free_ranges(NUMA_NO_NODE, WalkOrder::Descending);
    while (wd.next(r)) back.push_back(r);
    ASSERT_EQ(back.size(), walked.size()) << step;
    for (size_t i = 0; i < back.size(); i++)
        ASSERT_TRUE(same(back[i], walked[walked.size() - 1 - i])) << step;
}

// The model's choice for an allocation: highest (or lowest) aligned fit in
// a free run of `nid`, else of any node.
bool model_alloc(const Model& m, uint64_t size, uint64_t align, unsigned nid, bool top_down, uint64_t& out) {
    for (int pass = 0; pass < 2; pass++) {
        unsigned want = pass == 0 ? nid : NUMA_NO_NODE;
        if (pass == 1 && nid == NUMA_NO_NODE) break;
        bool found = false;
        for (const MemRange& fr : m.free_runs()) {
            if (want != NUMA_NO_NODE && fr.nid != want) continue;
            uint64_t lo = fr.range.base.raw(), hi = fr.range.end().raw();
            if (top_down) {
                if (hi - lo < size) continue;
                uint64_t cand = align_down(hi - size, align);
                if (cand >= lo) {
                    out = cand;
                    found = true;
                }  // keep the highest
            } else {
                uint64_t cand = align_up(lo, align);
                if (cand < hi && hi - cand >= size) {
                    out = cand;
                    return true;
                }
            }
        }
        if (found) return true;
    }
    return false;
}

class MemblockModel : public ::testing::TestWithParam<int> {};

TEST_P(MemblockModel, RandomOperationsMatchByteMap) {
    std::mt19937_64 rng(GetParam());
    Memblock mb;
    Model m;
    bool top_down = GetParam() % 2 == 0;
    mb.set_direction(top_down ? AllocDirection::TopDown : AllocDirection::BottomUp);
    auto pick = [&](uint64_t n) { return rng() % n; };
    for (int step = 0; step < 3000; step++) {
        size_t g0 = pick(GRANULES), len = 1 + pick(64);
        if (g0 + len > GRANULES) len = GRANULES - g0;
        PhysRange range{PhysAddr(BASE + g0 * GRANULE), len * GRANULE};
        switch (pick(5)) {
            case 0: {  // add, maybe overlapping another node
                unsigned nid = unsigned(pick(3));
                bool conflict = false;
                for (size_t i = g0; i < g0 + len; i++)
                    conflict |= m.node[i] != NOT_MEMORY && m.node[i] != int(nid);
                Status s = mb.add(range, nid);
                if (conflict) {
                    ASSERT_EQ(s.error(), Error::Busy) << step;
                } else if (s.ok()) {
                    for (size_t i = g0; i < g0 + len; i++) m.node[i] = int(nid);
                } else {
                    ASSERT_EQ(s.error(), Error::NoMemory) << step;
                }
                break;
            }
            case 1: {
                Status s = mb.remove(range);
                if (s.ok())
                    for (size_t i = g0; i < g0 + len; i++) m.node[i] = NOT_MEMORY;
                else
                    ASSERT_EQ(s.error(), Error::NoMemory) << step;
                break;
            }
            case 2: {
                Status s = mb.reserve(range);
                if (s.ok())
                    for (size_t i = g0; i < g0 + len; i++) m.reserved[i] = true;
                else
                    ASSERT_EQ(s.error(), Error::NoMemory) << step;
                break;
            }
            case 3: {
                Status s = mb.free(range);
                if (s.ok())
                    for (size_t i = g0; i < g0 + len; i++) m.reserved[i] = false;
                else
                    ASSERT_EQ(s.error(), Error::NoMemory) << step;
                break;
            }
            case 4: {
                uint64_t size = GRANULE * (1 + pick(16));
                uint64_t align = GRANULE << pick(5);
                unsigned nid = pick(4) == 0 ? NUMA_NO_NODE : unsigned(pick(4));
                uint64_t expect = 0;
                bool fits = model_alloc(m, size, align, nid, top_down, expect);
                auto got = mb.alloc(size, align, nid);
                if (!fits) {
                    ASSERT_EQ(got.error(), Error::NoMemory) << step;
                } else if (got.ok()) {
                    ASSERT_EQ(got->raw(), expect) << step;
                    for (uint64_t a = expect; a < expect + size; a += GRANULE)
                        m.reserved[(a - BASE) / GRANULE] = true;
                } else {
                    ASSERT_EQ(got.error(), Error::NoMemory) << step;  // reserved list full
                }
                break;
            }
        }
        check(mb, m, step);
        if (HasFatalFailure()) return;
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, MemblockModel, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace mm
