// `hog`: takes order-0 frames until the pager refuses. With the small quota
// the demo manifest gives it, the refusal must be a clean OverQuota exactly
// at the quota (NoMemory or TryAgain only if the machine really ran short),
// while the other programs keep running; then it gives everything back and
// the pager's count of its frames returns to where it started. Unity output.
//
// `hog exhaust` (with a quota above the machine's memory) runs the machine
// out instead: one demand fault first, which leaves the pager's demand-zero
// cache holding frames minted ahead; then blocks of order 4 down to 0 until
// each is refused, which must be for want of memory (NoMemory or TryAgain)
// and only once the pager has given back what its caches held (meminfo's
// minted count is 0 then); then everything goes back.
//
// `hog slots` keeps every frame's capability, each moved from the slot it
// arrived in to one of its own further up its capability space (as a task
// holding frames to map later does), until something refuses: with a
// quota far above what its kernel memory limit lets its capability space
// hold, that is the kernel (CapMove: OutOfSlots), not the pager; then it
// frees everything, which revokes the copies it kept.
//
// `hog tables` spends its kernel memory instead: single pages 2 MiB apart
// (AllocBatch of one page each, so every one needs a page table of its
// own) until the kernel refuses, which must be for its own limit (the
// kernel memory limit the pager gave it: OverQuota) with the kernel's pool
// far from empty; then a demand fault at an address whose page tables it
// cannot afford. The pager's FAULT_MAP reply fails and it ends the task;
// the test (qemu.pager.kmem_limit) checks that, that every frame comes
// back, and that grow, running beside it, is not disturbed.
#include "abi/pager.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "testrunner/testrunner.h"
#include "user/demo/pattern.h"

namespace {

// More blocks than any quota or machine of the tests gives; the loops stop
// there at the latest, so a pager that never refuses fails the test
// instead of hanging.
constexpr unsigned MAX_FRAMES = 4096;
// The exhaust mode's heap page (demand-zero), far from image and stack.
constexpr uint64_t HEAP_VA = 0x08'0000'0000;
constexpr unsigned EXHAUST_TOP_ORDER = 4;

constinit const pager::ArgBlock* g_args = nullptr;
constinit unsigned g_slot = 0;
constinit uint64_t g_pfns[MAX_FRAMES] = {};
constinit uint8_t g_orders[MAX_FRAMES] = {};
constinit unsigned g_nr_pfns = 0;
constinit pager::SelfStats g_start = {};
constinit Error g_refusal = Error::None;

void test_argument_block(unity::Runner& r) {
    ASSERT_TRUE(g_args != nullptr);
    EXPECT_TRUE(demo::same_string(g_args->argv[0], "hog"));
}

void test_quota_is_the_manifests(unity::Runner& r) {
    ASSERT_VALUE(self, pager::self_stats());
    g_start = self;
    EXPECT_TRUE(self.quota > 0 && self.quota <= 1024);
    EXPECT_TRUE(self.held > 0 && self.held < self.quota);  // image and stack count
    uprintf("hog: quota %lu frames, %lu held at start\n", self.quota, self.held);
}

void test_block_beyond_the_quota_is_refused(unity::Runner& r) {
    EXPECT_ERR(pager::alloc(g_slot, 10), Error::OverQuota);  // 1024 frames
    EXPECT_ERR(sys::cap_identify(g_slot), Error::InvalidCap);
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held);
}

// Takes blocks of `order` until the pager refuses one (its error in
// g_refusal) or MAX_FRAMES blocks are held; false (reported) if our copy
// of a capability could not be deleted. Only the pfn is kept: our copy of
// each capability is deleted at once, so one slot serves any number of
// blocks (Free takes the pfn). Adds the frames taken to *frames.
bool take_until_refused(unity::Runner& r, unsigned order, uint64_t* frames) {
    while (g_nr_pfns < MAX_FRAMES) {
        Result<pager::Block> b = pager::alloc(g_slot, order);
        if (!b.ok()) {
            g_refusal = b.error();
            return true;
        }
        g_orders[g_nr_pfns] = uint8_t(order);
        g_pfns[g_nr_pfns++] = b->pfn;
        *frames += uint64_t(1) << order;
        const Status s = sys::cap_delete(g_slot);
        if (!r.check(s.ok(), __FILE__, __LINE__, "cap_delete: %s", error_name(s.error()))) return false;
    }
    return true;
}

void test_take_until_refused(unity::Runner& r) {
    uint64_t frames = 0;
    ASSERT_TRUE(take_until_refused(r, 0, &frames));
    ASSERT_VALUE(self, pager::self_stats());
    uprintf("hog: took %u frames, then: %s (holding %lu of %lu)\n", g_nr_pfns, error_name(g_refusal),
            self.held, self.quota);
    ASSERT_TRUE(g_nr_pfns < MAX_FRAMES);
    if (g_refusal == Error::OverQuota) {
        EXPECT_EQ_U(self.held, self.quota);
        EXPECT_EQ_U(g_nr_pfns, self.quota - g_start.held);
    } else {
        EXPECT_ERR2(Status(g_refusal), Error::NoMemory, Error::TryAgain);
    }
}

void test_refusal_is_stable(unity::Runner& r) {
    ASSERT_TRUE(g_refusal != Error::None);
    EXPECT_ERR(pager::alloc(g_slot, 0), g_refusal);
    EXPECT_ERR(pager::alloc_batch(1, 0x10'0000'0000), g_refusal);
    EXPECT_ERR(sys::cap_identify(g_slot), Error::InvalidCap);
}

void test_room_comes_back_after_a_free(unity::Runner& r) {
    ASSERT_TRUE(g_nr_pfns > 0);
    ASSERT_OK(pager::free(g_pfns[--g_nr_pfns], 0));
    ASSERT_VALUE(b, pager::alloc(g_slot, 0));
    g_orders[g_nr_pfns] = 0;
    g_pfns[g_nr_pfns++] = b.pfn;
    ASSERT_OK(sys::cap_delete(g_slot));
}

// Frees every block taken, the last first; false (reported) at the first
// refusal.
bool free_everything(unity::Runner& r) {
    while (g_nr_pfns > 0) {
        --g_nr_pfns;
        uint64_t pfn = g_pfns[g_nr_pfns];
        Status s = pager::free(pfn, g_orders[g_nr_pfns]);
        if (!r.check(s.ok(), __FILE__, __LINE__, "free pfn %#lx: %s", pfn, error_name(s.error())))
            return false;
    }
    return true;
}

void test_give_everything_back(unity::Runner& r) {
    if (!free_everything(r)) return;
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held);
    EXPECT_EQ_U(self.blocks, g_start.blocks);
    // And the pager still serves this task.
    ASSERT_VALUE(b, pager::alloc(g_slot, 0));
    EXPECT_OK(pager::free(b.pfn, 0));
}

// --- hog exhaust ------------------------------------------------------------

void test_quota_is_above_the_memory(unity::Runner& r) {
    ASSERT_VALUE(self, pager::self_stats());
    g_start = self;
    ASSERT_VALUE(mem, pager::meminfo());
    EXPECT_TRUE(self.quota > mem.managed);
}

void test_demand_fault_leaves_frames_minted_ahead(unity::Runner& r) {
    ASSERT_OK(pager::region(HEAP_VA, 4096, uint64_t(abi::PagerRegion::Heap)));
    *reinterpret_cast<volatile uint64_t*>(HEAP_VA) = 0x686f67;
    EXPECT_EQ_U(*reinterpret_cast<volatile uint64_t*>(HEAP_VA), 0x686f67u);
    ASSERT_VALUE(mem, pager::meminfo());
    EXPECT_TRUE(mem.minted > 0);
}

void test_take_until_memory_runs_out(unity::Runner& r) {
    uint64_t frames = 0;
    for (int order = EXHAUST_TOP_ORDER; order >= 0; order--) {
        ASSERT_TRUE(take_until_refused(r, unsigned(order), &frames));
        ASSERT_TRUE(g_nr_pfns < MAX_FRAMES);
        EXPECT_ERR2(Status(g_refusal), Error::NoMemory, Error::TryAgain);
    }
    ASSERT_VALUE(mem, pager::meminfo());
    uprintf("hog: took %u blocks (%lu frames) until: %s; frames minted ahead then: %lu\n", g_nr_pfns, frames,
            error_name(g_refusal), mem.minted);
    // Refused only once the caches were given back.
    EXPECT_EQ_U(mem.minted, 0u);
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held + 1 + frames);  // + the heap page
}

void test_refusal_is_for_want_of_memory(unity::Runner& r) {
    EXPECT_ERR2(pager::alloc(g_slot, 0), Error::NoMemory, Error::TryAgain);
    EXPECT_ERR2(pager::alloc_batch(1, 0x10'0000'0000), Error::NoMemory, Error::TryAgain);
    EXPECT_ERR(sys::cap_identify(g_slot), Error::InvalidCap);
    ASSERT_VALUE(mem, pager::meminfo());
    EXPECT_EQ_U(mem.minted, 0u);
}

void test_give_everything_back_after_exhaustion(unity::Runner& r) {
    if (!free_everything(r)) return;
    // What is left is the heap page, until the task ends.
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held + 1);
    EXPECT_EQ_U(self.blocks, g_start.blocks + 1);
    // And memory is there again.
    ASSERT_VALUE(b, pager::alloc(g_slot, EXHAUST_TOP_ORDER));
    EXPECT_OK(pager::free(b.pfn, EXHAUST_TOP_ORDER));
}

// --- hog slots --------------------------------------------------------------

// Where the kept capabilities go: a slot each from here up, past what the
// runtime hands out and the IPC fields can name.
constexpr uint64_t KEPT_SLOTS = 4096;

void test_keep_capabilities_until_refused(unity::Runner& r) {
    ASSERT_VALUE(start, pager::self_stats());
    g_start = start;
    Error why = Error::None;
    while (g_nr_pfns < MAX_FRAMES) {
        Result<pager::Block> b = pager::alloc(g_slot, 0);
        if (!b.ok()) {
            why = b.error();
            break;
        }
        g_orders[g_nr_pfns] = 0;
        g_pfns[g_nr_pfns] = b->pfn;
        Status s = sys::cap_move(g_slot, KEPT_SLOTS + g_nr_pfns);
        if (!s.ok()) {
            why = s.error();
            g_nr_pfns++;  // granted, its capability left in g_slot
            (void)sys::cap_delete(g_slot);
            break;
        }
        g_nr_pfns++;
    }
    ASSERT_VALUE(self, pager::self_stats());
    ASSERT_VALUE(kmem, sys::kmem_info());
    uprintf(
        "hog: kept %u frames' capabilities, then: %s (its kernel memory: %lu of %lu bytes; holding %lu of "
        "%lu "
        "frames)\n",
        g_nr_pfns, error_name(why), kmem.used, kmem.limit, self.held, self.quota);
    EXPECT_ERR(Status(why), Error::OutOfSlots);
    EXPECT_TRUE(self.held < self.quota);
    // Each kept copy names its frame.
    for (unsigned i = 0; i + 1 < g_nr_pfns; i++) {
        auto c = sys::cap_identify(KEPT_SLOTS + i);
        if (!r.check(c.ok() && c->word == g_pfns[i] << 8, __FILE__, __LINE__, "kept slot %lu",
                     KEPT_SLOTS + i))
            return;
    }
}

void test_freeing_revokes_the_kept_copies(unity::Runner& r) {
    const unsigned kept = g_nr_pfns;
    if (!free_everything(r)) return;
    for (unsigned i = 0; i < kept; i++)
        if (!r.check(!sys::cap_identify(KEPT_SLOTS + i).ok(), __FILE__, __LINE__,
                     "slot %lu still holds a copy", KEPT_SLOTS + i))
            return;
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.held, g_start.held);
    // The room stays: another frame's capability fits again.
    ASSERT_VALUE(b, pager::alloc(g_slot, 0));
    EXPECT_OK(sys::cap_move(g_slot, KEPT_SLOTS));
    EXPECT_OK(pager::free(b.pfn, 0));
}

// --- hog tables -------------------------------------------------------------

constexpr uint64_t TABLES_VA = 0x10'0000'0000;
constexpr uint64_t TABLES_STEP = uint64_t(2) << 20;  // one last-level table each
constexpr uint64_t UNMAPPABLE_VA = 0x20'0000'0000;   // needs tables of its own too

int run_out_of_page_tables() {
    unsigned n = 0;
    Error why = Error::None;
    for (; n < MAX_FRAMES; n++) {
        auto r = pager::alloc_batch(1, TABLES_VA + n * TABLES_STEP);
        if (!r.ok()) {
            why = r.error();
            break;
        }
    }
    auto info = sys::kernel_info();
    auto kmem = sys::kmem_info();
    if (!info.ok() || !kmem.ok()) return 1;
    uprintf(
        "hog: %u pages mapped 2 MiB apart, then: %s (its kernel memory: %lu of %lu bytes; kernel pool: %lu "
        "bytes free)\n",
        n, error_name(why), kmem->used, kmem->limit, info->pool_free);
    if (why != Error::OverQuota || kmem->limit == 0 || kmem->used > kmem->limit ||
        info->pool_free < kmem->limit)
        return 1;
    if (!pager::region(UNMAPPABLE_VA, 4096, uint64_t(abi::PagerRegion::Heap)).ok()) return 1;
    uprintf("hog: touching %#lx, whose page tables it cannot afford\n", UNMAPPABLE_VA);
    *reinterpret_cast<volatile uint64_t*>(UNMAPPABLE_VA) = 1;
    uprintf("hog: still running after that fault\n");
    return 1;
}

}  // namespace

extern "C" int main(uint64_t arg) {
    unity::Runner r(console_sink());
    if (!pager::start_test_task(arg, r, &g_args, &g_slot)) return 1;
    if (g_args->argc > 1 && demo::same_string(g_args->argv[1], "tables")) return run_out_of_page_tables();
    if (g_args->argc > 1 && demo::same_string(g_args->argv[1], "slots")) {
        RUN_TEST(r, test_argument_block);
        RUN_TEST(r, test_keep_capabilities_until_refused);
        RUN_TEST(r, test_freeing_revokes_the_kept_copies);
        return r.finish() ? 1 : 0;
    }
    if (g_args->argc > 1 && demo::same_string(g_args->argv[1], "exhaust")) {
        RUN_TEST(r, test_argument_block);
        RUN_TEST(r, test_quota_is_above_the_memory);
        RUN_TEST(r, test_demand_fault_leaves_frames_minted_ahead);
        RUN_TEST(r, test_take_until_memory_runs_out);
        RUN_TEST(r, test_refusal_is_for_want_of_memory);
        RUN_TEST(r, test_give_everything_back_after_exhaustion);
        return r.finish() ? 1 : 0;
    }
    RUN_TEST(r, test_argument_block);
    RUN_TEST(r, test_quota_is_the_manifests);
    RUN_TEST(r, test_block_beyond_the_quota_is_refused);
    RUN_TEST(r, test_take_until_refused);
    RUN_TEST(r, test_refusal_is_stable);
    RUN_TEST(r, test_room_comes_back_after_a_free);
    RUN_TEST(r, test_give_everything_back);
    return r.finish() ? 1 : 0;
}
