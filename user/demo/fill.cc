// `fill SEED [PERCENT [huge] [hold] [time]]`: the task of the scale
// tests (tests/qemu/scale.cmake) and benchmarks (tools/bench scale). It
// declares a heap Region of PERCENT (default 100) of what its quota has
// left, asking for huge pages with `huge` (abi::PAGER_REGION_HUGEPAGE),
// and lets demand-zero faults fill all of it: every page is written (a word every 512 bytes,
// from SEED, which differs between tasks, so that a frame two
// tasks share or a page that aliases another shows) and then read back; the pager's
// count of its frames grows by exactly the pages touched. With a quota of
// all free memory (`quota=100%`) that is nearly the machine's memory (the
// allocator keeps its watermark reserve: PERCENT 95); four of them at
// `quota=25%` share it. The pager then checks that everything came back.
// It reports how many of the pages came in 2 MiB frames: with `huge` at
// least HUGE_SHARE_MIN percent must. With `hold` it then names its first
// 2 MiB of heap (`LEAVES va count size`, which qemu_test.py
// --check-user-leaves checks in its page table through QEMU's monitor)
// and waits. With `time` it reports the instructions its faults took
// (rdinstret around each first store: the trap, the pager's work with the
// zeroing, the mapping and the return): the first and the last
// TIMED_FAULTS, and all of them. Unity output.
#include "abi/pager.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/utest.h"
#include "testrunner/testrunner.h"
#include "user/demo/pattern.h"

namespace {

constexpr uint64_t PAGE = 4096;
constexpr uint64_t WORDS_WRITTEN = 8;  // per page, PAGE / WORDS_WRITTEN bytes apart
constexpr uint64_t STRIDE = PAGE / WORDS_WRITTEN / sizeof(uint64_t);
// The heap: from 4 GiB up to the stack the pager gives (top at
// 0x3f00000000), room for 248 GiB.
constexpr uint64_t HEAP_VA = 0x01'0000'0000;
constexpr uint64_t HEAP_LIMIT = 0x3e'0000'0000;

constinit const pager::ArgBlock* g_args = nullptr;
constinit uint64_t g_seed = 0;
constinit uint64_t g_percent = 100;
constinit bool g_huge = false;
constinit bool g_hold = false;
constinit bool g_time = false;
constexpr uint64_t TIMED_FAULTS = 10000;
constinit uint64_t g_first_spent = 0, g_last_spent = 0, g_all_spent = 0;
constexpr uint64_t HUGE_SHARE_MIN = 90;
constinit uint64_t g_pages = 0;
constinit uint64_t g_free_at_start = 0;
constinit pager::SelfStats g_start = {};

uint64_t* word_at(uint64_t page, uint64_t k) {
    return reinterpret_cast<uint64_t*>(HEAP_VA + page * PAGE) + k * STRIDE;
}

void test_heap_takes_what_the_quota_leaves(unity::Runner& r) {
    ASSERT_VALUE(self, pager::self_stats());
    ASSERT_VALUE(mem, pager::meminfo());
    g_start = self;
    ASSERT_TRUE(self.quota > self.held);
    g_pages = (self.quota - self.held) * g_percent / 100;
    g_free_at_start = mem.free + mem.minted;
    ASSERT_TRUE(g_pages * PAGE <= HEAP_LIMIT - HEAP_VA);
    const uint64_t kind = uint64_t(abi::PagerRegion::Heap) | (g_huge ? abi::PAGER_REGION_HUGEPAGE : 0);
    ASSERT_OK(pager::region(HEAP_VA, g_pages * PAGE, kind));
}

// Faults page p in with its first store, and tells what that took.
uint64_t fault_in(uint64_t p) {
    const uint64_t before = read_instret();
    *word_at(p, 0) = 0;
    return read_instret() - before;
}

void test_every_page_faults_in_and_takes_the_pattern(unity::Runner& r) {
    const uint64_t start = read_instret();
    for (uint64_t p = 0; p < g_pages; p++) {
        if (g_time) {
            const uint64_t spent = fault_in(p);
            if (p < TIMED_FAULTS) g_first_spent += spent;
            if (p + TIMED_FAULTS >= g_pages) g_last_spent += spent;
        }
        for (uint64_t k = 0; k < WORDS_WRITTEN; k++) {
            volatile uint64_t* w = word_at(p, k);
            if (*w != 0) {
                r.fail(__FILE__, __LINE__, "fault in", "a fresh page does not read as zero");
                uprintf("fill: page %lu word %lu reads %#lx when fresh\n", p, k * STRIDE, uint64_t(*w));
                return;
            }
            *w = demo::pattern_word(g_seed, p * WORDS_WRITTEN + k);
        }
    }
    g_all_spent = read_instret() - start;
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held + g_pages);
    // pages = 512 * huge + small and blocks = huge + small.
    const uint64_t blocks = self.blocks - g_start.blocks;
    const uint64_t huge = (g_pages - blocks) / 511;
    const uint64_t share = g_pages ? huge * 512 * 100 / g_pages : 0;
    uprintf("fill: %lu pages in %lu blocks, %lu%% of them in %lu 2 MiB frames\n", g_pages, blocks, share,
            huge);
    if (g_huge) EXPECT_TRUE(share >= HUGE_SHARE_MIN);
}

void test_every_page_keeps_its_pattern(unity::Runner& r) {
    for (uint64_t p = 0; p < g_pages; p++) {
        for (uint64_t k = 0; k < WORDS_WRITTEN; k++) {
            const uint64_t want = demo::pattern_word(g_seed, p * WORDS_WRITTEN + k);
            const uint64_t got = *static_cast<volatile uint64_t*>(word_at(p, k));
            if (got != want) {
                r.fail(__FILE__, __LINE__, "read back", "a page lost its pattern");
                uprintf("fill: page %lu word %lu reads %#lx, wrote %#lx\n", p, k * STRIDE, got, want);
                return;
            }
        }
    }
    uprintf("fill: %lu pages (%lu MiB) written and checked, %lu%% of the memory free when it began\n",
            g_pages, g_pages * PAGE >> 20, g_free_at_start ? g_pages * 100 / g_free_at_start : 0);
}

void test_pager_state_is_consistent(unity::Runner& r) { EXPECT_OK(pager::verify()); }

}  // namespace

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!pager::start_test_task(arg, r, &g_args)) return 1;
    g_seed = pager::arg_number(*g_args, 1, 0);
    g_percent = pager::arg_number(*g_args, 2, 100);
    if (g_percent == 0 || g_percent > 100) g_percent = 100;
    for (unsigned i = 3; i < g_args->argc; i++) {
        g_huge |= demo::same_string(g_args->argv[i], "huge");
        g_hold |= demo::same_string(g_args->argv[i], "hold");
        g_time |= demo::same_string(g_args->argv[i], "time");
    }
    RUN_TEST(r, test_heap_takes_what_the_quota_leaves);
    RUN_TEST(r, test_every_page_faults_in_and_takes_the_pattern);
    RUN_TEST(r, test_every_page_keeps_its_pattern);
    RUN_TEST(r, test_pager_state_is_consistent);
    if (g_time && g_pages >= 2 * TIMED_FAULTS) {
        const uint64_t first = g_first_spent / TIMED_FAULTS, last = g_last_spent / TIMED_FAULTS;
        const uint64_t diff = last > first ? last - first : first - last;
        uprintf(
            "fill: the first %lu faults took %lu instructions each, the last %lu took %lu (%s%lu.%lu%%)\n",
            TIMED_FAULTS, first, TIMED_FAULTS, last, last >= first ? "+" : "-", diff * 100 / first,
            diff * 1000 / first % 10);
    }
    if (g_time)
        uprintf("fill: %lu pages faulted in and written in %lu instructions, %lu a page\n", g_pages,
                g_all_spent, g_pages ? g_all_spent / g_pages : 0);
    const bool failed = r.finish();
    if (g_hold) {
        // The 2 MiB chunks that lie wholly in the heap, to be looked at
        // from outside while this task runs on.
        uprintf("LEAVES %lx %lx %lx\n", HEAP_VA, g_pages * PAGE / (uint64_t(1) << 21), uint64_t(1) << 21);
        console_flush();
        for (;;)
            asm volatile("" ::: "memory");  // a loop with no effect may be dropped (C++ forward progress)
    }
    return failed ? 1 : 0;
}
