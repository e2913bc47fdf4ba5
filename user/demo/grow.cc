// `grow`: declares a heap Region with the pager and lets it fill by demand-
// zero page faults: every page reads as zero when first touched, then keeps
// the pattern written to it; the pager's count of this task's frames grows
// by exactly the pages touched. Also every Region error the protocol lists.
// argv[1]: the heap size in pages (default 512 = 2 MiB). Unity output.
#include "abi/pager.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/utest.h"
#include "testrunner/testrunner.h"
#include "user/demo/pattern.h"

namespace {

constexpr uint64_t PAGE = 4096;
constexpr uint64_t HEAP = uint64_t(abi::PagerRegion::Heap);
constexpr uint64_t STACK = uint64_t(abi::PagerRegion::Stack);
// Where the regions go: far from the image (0x10000) and from the stack the
// pager gives (top at 0x3f00000000).
constexpr uint64_t HEAP_VA = 0x08'0000'0000;
constexpr uint64_t EXTRA_VA = 0x0c'0000'0000;
constexpr uint64_t MAX_HEAP_PAGES = 16384;

constinit const pager::ArgBlock* g_args = nullptr;
constinit uint64_t g_pages = 512;
constinit bool g_heap_declared = false;

uint64_t* page_at(uint64_t base, uint64_t i) { return reinterpret_cast<uint64_t*>(base + i * PAGE); }

void test_argument_block(unity::Runner& r) {
    ASSERT_TRUE(g_args != nullptr);
    EXPECT_TRUE(demo::same_string(g_args->argv[0], "grow"));
    EXPECT_TRUE(g_args->argc == 2);  // the manifest passes the heap size
    EXPECT_EQ_U(pager::arg_number(*g_args, 1, 0), g_pages);
}

void test_region_refuses_bad_arguments(unity::Runner& r) {
    EXPECT_ERR(pager::region(EXTRA_VA + 8, PAGE, HEAP), Error::BadAlignment);
    EXPECT_ERR(pager::region(EXTRA_VA, PAGE + 1, HEAP), Error::BadAlignment);
    EXPECT_ERR(pager::region(EXTRA_VA, PAGE, HEAP | (abi::PAGER_REGION_HUGEPAGE << 1)),
               Error::InvalidArgument);
    EXPECT_ERR(pager::region(EXTRA_VA, PAGE, abi::PAGER_REGION_HUGEPAGE), Error::InvalidArgument);  // no kind
    EXPECT_ERR(pager::region(EXTRA_VA, 0, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(0, PAGE, HEAP), Error::InvalidArgument);  // below USER_BASE
    EXPECT_ERR(pager::region(abi::USER_END, PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(abi::USER_END - PAGE, 2 * PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(0xffffffc000000000ull, PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(~uint64_t(0) - PAGE + 1, 2 * PAGE, HEAP), Error::InvalidArgument);  // wraps
    EXPECT_ERR(pager::region(EXTRA_VA, PAGE, 0), Error::InvalidArgument);
    EXPECT_ERR(pager::region(EXTRA_VA, PAGE, 99), Error::InvalidArgument);
}

void test_heap_region_is_declared_once(unity::Runner& r) {
    ASSERT_OK(pager::region(HEAP_VA, g_pages * PAGE, HEAP));
    g_heap_declared = true;
    EXPECT_ERR(pager::region(HEAP_VA, g_pages * PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(HEAP_VA + PAGE, PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(HEAP_VA - PAGE, 2 * PAGE, HEAP), Error::InvalidArgument);
    EXPECT_ERR(pager::region(HEAP_VA + (g_pages - 1) * PAGE, 2 * PAGE, HEAP), Error::InvalidArgument);
}

// The first touch of each page is a read: the pager maps a zeroed frame.
void test_fresh_pages_read_as_zero(unity::Runner& r) {
    ASSERT_TRUE(g_heap_declared);
    ASSERT_VALUE(before, pager::self_stats());
    for (uint64_t i = 0; i < g_pages; i++) {
        uint64_t bad = demo::first_nonzero(page_at(HEAP_VA, i), demo::WORDS_PER_PAGE);
        if (!r.check(bad == demo::WORDS_PER_PAGE, __FILE__, __LINE__, "page %lu word %lu not zero", i, bad))
            return;
    }
    ASSERT_VALUE(after, pager::self_stats());
    EXPECT_EQ_U(after.held - before.held, g_pages);
    uprintf("grow: %lu pages faulted in, task holds %lu frames (quota %lu)\n", g_pages, after.held,
            after.quota);
}

void test_pages_keep_what_is_written(unity::Runner& r) {
    ASSERT_TRUE(g_heap_declared);
    for (uint64_t i = 0; i < g_pages; i++)
        demo::fill_pattern(page_at(HEAP_VA, i), demo::WORDS_PER_PAGE, i + 1);
    for (uint64_t i = 0; i < g_pages; i++) {
        uint64_t bad = demo::pattern_mismatch(page_at(HEAP_VA, i), demo::WORDS_PER_PAGE, i + 1);
        if (!r.check(bad == demo::WORDS_PER_PAGE, __FILE__, __LINE__, "page %lu word %lu lost", i, bad))
            return;
    }
}

// A region next to the heap, touched by writes first (store faults), and a
// stack region: both served the same way.
void test_more_regions_grow_on_writes(unity::Runner& r) {
    const uint64_t next = HEAP_VA + g_pages * PAGE;
    ASSERT_OK(pager::region(next, 16 * PAGE, HEAP));
    // STACK is the kind, in its place: the check pairs it with `start` by spelling alone.
    // NOLINTNEXTLINE(readability-suspicious-call-argument)
    ASSERT_OK(pager::region(EXTRA_VA, 8 * PAGE, STACK));
    ASSERT_VALUE(before, pager::self_stats());
    for (uint64_t i = 0; i < 16; i++) {
        uint64_t* p = page_at(next, i);
        *reinterpret_cast<volatile uint64_t*>(p + 7) = i;
        EXPECT_TRUE(demo::first_nonzero(p, 7) == 7);
        EXPECT_TRUE(demo::first_nonzero(p + 8, demo::WORDS_PER_PAGE - 8) == demo::WORDS_PER_PAGE - 8);
    }
    // A stack grows down: touch it from the top.
    for (uint64_t i = 8; i-- > 0;) demo::fill_pattern(page_at(EXTRA_VA, i), demo::WORDS_PER_PAGE, i);
    for (uint64_t i = 0; i < 8; i++)
        EXPECT_TRUE(demo::pattern_mismatch(page_at(EXTRA_VA, i), demo::WORDS_PER_PAGE, i) ==
                    demo::WORDS_PER_PAGE);
    ASSERT_VALUE(after, pager::self_stats());
    EXPECT_EQ_U(after.held - before.held, 24);
    // The heap was not disturbed.
    EXPECT_TRUE(demo::pattern_mismatch(page_at(HEAP_VA, 0), demo::WORDS_PER_PAGE, 1) == demo::WORDS_PER_PAGE);
}

// At most 8 regions per task; the ninth is refused with NoMemory.
void test_region_table_is_bounded(unity::Runner& r) {
    unsigned made = 3;  // heap, its neighbour, the stack
    Error e = Error::None;
    for (uint64_t i = 0; i < 16 && e == Error::None; i++) {
        e = pager::region(EXTRA_VA + (16 + i * 2) * PAGE, PAGE, HEAP).error();
        if (e == Error::None) made++;
    }
    EXPECT_TRUE(e == Error::NoMemory);
    EXPECT_TRUE(made == 8);
    uprintf("grow: %u regions declared, then: %s\n", made, error_name(e));
}

}  // namespace

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!pager::start_test_task(arg, r, &g_args)) return 1;
    g_pages = pager::arg_number(*g_args, 1, 512);
    if (g_pages == 0 || g_pages > MAX_HEAP_PAGES) g_pages = 512;
    RUN_TEST(r, test_argument_block);
    RUN_TEST(r, test_region_refuses_bad_arguments);
    RUN_TEST(r, test_heap_region_is_declared_once);
    RUN_TEST(r, test_fresh_pages_read_as_zero);
    RUN_TEST(r, test_pages_keep_what_is_written);
    RUN_TEST(r, test_more_regions_grow_on_writes);
    RUN_TEST(r, test_region_table_is_bounded);
    return r.finish() ? 1 : 0;
}
