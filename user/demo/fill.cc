// `fill SEED [PERCENT]`: the task of the scale tests (tests/qemu/scale.cmake).
// It declares a heap Region of PERCENT (default 100) of what its quota has
// left and lets demand-zero faults fill all of it: every page is written (a word every 512 bytes,
// from SEED, which differs between tasks, so that a frame two
// tasks share or a page that aliases another shows) and then read back; the pager's
// count of its frames grows by exactly the pages touched. With a quota of
// all free memory (`quota=100%`) that is nearly the machine's memory (the
// allocator keeps its watermark reserve: PERCENT 95); four of them at
// `quota=25%` share it. The pager then checks that everything came back.
// Unity output.
#include "abi/pager.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
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
    ASSERT_OK(pager::region(HEAP_VA, g_pages * PAGE, uint64_t(abi::PagerRegion::Heap)));
}

void test_every_page_faults_in_and_takes_the_pattern(unity::Runner& r) {
    for (uint64_t p = 0; p < g_pages; p++) {
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
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held + g_pages);
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
    Result<const pager::ArgBlock*> args = pager::start_task(arg);
    if (!args.ok()) {
        r.fail(__FILE__, __LINE__, "start", "no argument block");
        r.finish();
        return 1;
    }
    g_args = *args;
    g_seed = pager::arg_number(**args, 1, 0);
    g_percent = pager::arg_number(**args, 2, 100);
    if (g_percent == 0 || g_percent > 100) g_percent = 100;
    RUN_TEST(r, test_heap_takes_what_the_quota_leaves);
    RUN_TEST(r, test_every_page_faults_in_and_takes_the_pattern);
    RUN_TEST(r, test_every_page_keeps_its_pattern);
    RUN_TEST(r, test_pager_state_is_consistent);
    return r.finish() ? 1 : 0;
}
