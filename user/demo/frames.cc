// `frames`: asks the pager for blocks of every order 0..10, from no
// particular place, from each zone, from each node and from each zone of
// each node; maps every block, writes and checks a pattern, gives it back,
// and prints where it came from. Unity output; exit status 0 when every
// test passed.
#include "user/demo/frames.h"

#include "abi/cap.h"
#include "mm/mmzone.h"
#include "runtime/console.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/demo/pattern.h"

namespace frames {

namespace {

constinit const pager::ArgBlock* g_args = nullptr;
constinit unsigned g_grant_slot = 0;

const char* zone_label(uint64_t zone) {
    if (zone == abi::PAGER_ANY) return "any";
    if (zone < mm::MAX_NR_ZONES) return mm::zone_name(mm::ZoneType(zone));
    return "?";
}

const char* node_label(uint64_t node) {
    static constexpr const char* names[] = {"0", "1", "2", "3", "4", "5", "6", "7"};
    if (node == abi::PAGER_ANY) return "any";
    return node < mm::MAX_NUMNODES ? names[node] : "?";
}

// The pfn lies where the reported zone says: DMA32 below 4 GiB, Normal above.
bool zone_holds(uint64_t zone, uint64_t pfn, uint64_t pages) {
    const uint64_t dma32_end = mm::DMA32_END_PFN.raw();
    if (zone == uint64_t(mm::ZoneType::DMA32)) return pfn + pages <= dma32_end;
    if (zone == uint64_t(mm::ZoneType::Normal)) return pfn >= dma32_end;
    return zone == uint64_t(mm::ZoneType::Movable);
}

void test_argument_block(unity::Runner& r) {
    ASSERT_TRUE(g_args != nullptr);
    EXPECT_TRUE(g_args->argc >= 1);
    EXPECT_TRUE(demo::same_string(g_args->argv[0], "frames"));
}

void test_every_order_from_anywhere(unity::Runner& r) {
    for (unsigned order = 0; order < mm::MAX_ORDER; order++) {
        ASSERT_VALUE(b, pager::alloc(grant_slot(), order));
        uprintf("frames: order %2u from anywhere: pfn %#lx node %lu zone %s\n", order, b.pfn, b.node,
                zone_label(b.zone));
        if (!exercise_block(r, b)) return;
    }
}

// What a (zone, node) pair must give: which it may refuse, and what a
// granted block must satisfy (docs/pager-protocol.md: both named = exactly
// that zone of that node; either alone = a preference, falling back to
// nearer nodes and lower zones).
struct Ask {
    uint64_t zone, node;
    bool must_serve;  // every QEMU machine has DMA32 memory on node 0
};

bool block_matches(unity::Runner& r, const Ask& a, const pager::Block& b) {
    if (a.zone != abi::PAGER_ANY && a.node != abi::PAGER_ANY)
        return r.check(b.zone == a.zone && b.node == a.node, __FILE__, __LINE__,
                       "asked zone %lu node %lu, got zone %lu node %lu", a.zone, a.node, b.zone, b.node);
    if (a.zone != abi::PAGER_ANY)
        return r.check(b.zone <= a.zone, __FILE__, __LINE__, "asked zone %lu, got the higher zone %lu",
                       a.zone, b.zone);
    if (a.node != abi::PAGER_ANY)
        return r.check(b.node == a.node, __FILE__, __LINE__, "asked node %lu (plenty free), got node %lu",
                       a.node, b.node);
    return true;
}

// Every order from one (zone, node). Returns false when the pager refused
// the pair (a zone or node this machine lacks) or a check failed.
bool sweep_pair(unity::Runner& r, const Ask& a) {
    const uint64_t flags = a.zone == uint64_t(mm::ZoneType::Movable) ? uint64_t(abi::PAGER_MOVABLE) : 0;
    uint64_t first_pfn = 0, last_node = 0, last_zone = 0;
    for (unsigned order = 0; order < mm::MAX_ORDER; order++) {
        Result<pager::Block> got = pager::alloc(grant_slot(), order, a.zone, a.node, flags);
        if (!got.ok()) {
            Error e = got.error();
            bool absent = order == 0 && e == Error::InvalidArgument;
            bool empty = e == Error::NoMemory;
            r.check(!a.must_serve && (absent || empty), __FILE__, __LINE__, "node %s zone %s order %u: %s",
                    node_label(a.node), zone_label(a.zone), order, error_name(e));
            uprintf("frames: node %s zone %s: %s at order %u\n", node_label(a.node), zone_label(a.zone),
                    absent ? "not on this machine" : error_name(e), order);
            return false;
        }
        bool ok = block_matches(r, a, *got);
        ok = exercise_block(r, *got) && ok;  // gives the block back whatever happened
        if (!ok) return false;
        if (order == 0) first_pfn = got->pfn;
        last_node = got->node;
        last_zone = got->zone;
    }
    uprintf(
        "frames: node %s zone %s: orders 0-10 served (order 0 at pfn %#lx, order 10 from node %lu zone %s)\n",
        node_label(a.node), zone_label(a.zone), first_pfn, last_node, zone_label(last_zone));
    return true;
}

void test_every_zone_and_node(unity::Runner& r) {
    const uint64_t zones[] = {abi::PAGER_ANY, uint64_t(mm::ZoneType::DMA32), uint64_t(mm::ZoneType::Normal),
                              uint64_t(mm::ZoneType::Movable)};
    bool node_seen[mm::MAX_NUMNODES] = {};
    for (uint64_t node = 0; node <= mm::MAX_NUMNODES; node++) {
        const uint64_t n = node == mm::MAX_NUMNODES ? abi::PAGER_ANY : node;
        for (uint64_t zone : zones) {
            const bool dma32_or_any = zone == abi::PAGER_ANY || zone == uint64_t(mm::ZoneType::DMA32);
            Ask a{zone, n, dma32_or_any && (n == 0 || n == abi::PAGER_ANY)};
            bool served = sweep_pair(r, a);
            if (n != abi::PAGER_ANY && zone == abi::PAGER_ANY) node_seen[n] = served;
        }
    }
    // Nodes are numbered densely: once one is refused, so is every later one.
    for (unsigned n = 1; n < mm::MAX_NUMNODES; n++) EXPECT_TRUE(!node_seen[n] || node_seen[n - 1]);
    uprintf("frames: nodes that serve:");
    for (unsigned n = 0; n < mm::MAX_NUMNODES; n++)
        if (node_seen[n]) uprintf(" %u", n);
    uprintf("\n");
}

}  // namespace

unsigned grant_slot() { return g_grant_slot; }

bool exercise_block(unity::Runner& r, const pager::Block& b) {
    const uint64_t pages = uint64_t(1) << b.order;
    bool ok = r.check((b.pfn & (pages - 1)) == 0, __FILE__, __LINE__, "pfn %#lx not aligned to order %u",
                      b.pfn, b.order) &&
              r.check(b.node < mm::MAX_NUMNODES, __FILE__, __LINE__, "node %lu", b.node) &&
              r.check(zone_holds(b.zone, b.pfn, pages), __FILE__, __LINE__, "pfn %#lx+%lu is not in zone %lu",
                      b.pfn, pages, b.zone);
    Result<sys::CapInfo> cap = sys::cap_identify(grant_slot());
    ok = ok &&
         r.check(cap.ok() && cap->type == abi::CapType::Frame, __FILE__, __LINE__, "no Frame in the slot") &&
         r.check(cap->word == (b.pfn << 8 | b.order), __FILE__, __LINE__,
                 "cap names %#lx, expected pfn %#lx order %u", cap->word, b.pfn, b.order) &&
         r.check(cap->rights == (abi::RIGHT_READ | abi::RIGHT_WRITE), __FILE__, __LINE__, "rights %lu",
                 cap->rights);
    if (ok) {
        Status m = sys::map(0, grant_slot(), BLOCK_VA, abi::RIGHT_READ | abi::RIGHT_WRITE);
        ok = r.check(m.ok(), __FILE__, __LINE__, "map order %u: %s", b.order, error_name(m.error()));
    }
    if (ok) {
        void* va = reinterpret_cast<void*>(BLOCK_VA);
        const uint64_t words = pages * demo::WORDS_PER_PAGE;
        demo::fill_pattern(va, words, b.pfn);
        uint64_t bad = demo::pattern_mismatch(va, words, b.pfn);
        ok = r.check(bad == words, __FILE__, __LINE__, "pfn %#lx: word %lu lost its pattern", b.pfn, bad);
    }
    Status f = pager::free(b.pfn, b.order);
    ok = r.check(f.ok(), __FILE__, __LINE__, "free pfn %#lx order %u: %s", b.pfn, b.order,
                 error_name(f.error())) &&
         ok;
    Error gone = sys::cap_identify(grant_slot()).error();
    return r.check(gone == Error::InvalidCap, __FILE__, __LINE__, "capability still there after Free (%s)",
                   error_name(gone)) &&
           ok;
}

void run_sweep_tests(unity::Runner& r) {
    RUN_TEST(r, test_argument_block);
    RUN_TEST(r, test_every_order_from_anywhere);
    RUN_TEST(r, test_every_zone_and_node);
}

}  // namespace frames

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!pager::start_test_task(arg, r, &frames::g_args, &frames::g_grant_slot)) return 1;
    frames::run_sweep_tests(r);
    frames::run_error_tests(r);
    return r.finish() ? 1 : 0;
}
