// `frames`, second half: bad requests of every kind (each must get its
// documented error and change nothing, and the pager must keep serving),
// zeroed blocks, AllocBatch, and the pager's accounting of this task.
#include "abi/cap.h"
#include "mm/mmzone.h"
#include "runtime/console.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/demo/frames.h"
#include "user/demo/pattern.h"

namespace frames {

namespace {

constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
// The kernel image starts at 0x8020_0000: frames no task is ever granted.
constexpr uint64_t KERNEL_PFN = 0x80200;

// After a refused request: nothing landed in the grant slot, the pager's
// check of its own state passes, and it still grants and takes back an
// order-0 block.
bool still_serving(unity::Runner& r) {
    Error e = sys::cap_identify(grant_slot()).error();
    if (!r.check(e == Error::InvalidCap, __FILE__, __LINE__, "a refused request left a capability (%s)",
                 error_name(e)))
        return false;
    e = pager::verify().error();
    if (!r.check(e == Error::None, __FILE__, __LINE__, "the pager's check: %s", error_name(e))) return false;
    Result<pager::Block> b = pager::alloc(grant_slot(), 0);
    if (!r.check(b.ok(), __FILE__, __LINE__, "pager stopped serving: %s", error_name(b.error())))
        return false;
    return exercise_block(r, *b);
}

void test_alloc_refuses_bad_arguments(unity::Runner& r) {
    const unsigned s = grant_slot();
    EXPECT_ERR(pager::alloc(s, mm::MAX_ORDER), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 1000), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, ~uint64_t(0)), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, 7), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, mm::MAX_NR_ZONES), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, abi::PAGER_ANY, 9), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, abi::PAGER_ANY, mm::MAX_NUMNODES), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, 0, 9), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc(s, 0, abi::PAGER_ANY, abi::PAGER_ANY, uint64_t(1) << 40), Error::InvalidArgument);
    still_serving(r);
}

void test_free_refuses_what_it_must(unity::Runner& r) {
    ASSERT_VALUE(b, pager::alloc(grant_slot(), 2));
    EXPECT_ERR(pager::free(b.pfn, mm::MAX_ORDER), Error::InvalidArgument);
    EXPECT_ERR(pager::free(b.pfn, 1), Error::WrongOrder);
    EXPECT_ERR(pager::free(b.pfn, 3), Error::WrongOrder);
    EXPECT_ERR(pager::free(KERNEL_PFN, 0), Error::NotOwned);
    EXPECT_ERR2(pager::free(uint64_t(1) << 40, 0), Error::NotOwned, Error::InvalidArgument);
    // The refusals changed nothing: the block is still ours, whole.
    ASSERT_VALUE(cap, sys::cap_identify(grant_slot()));
    EXPECT_EQ_U(cap.word, b.pfn << 8 | 2);
    EXPECT_OK(pager::free(b.pfn, 2));
    EXPECT_ERR(pager::free(b.pfn, 2), Error::DoubleFree);
    still_serving(r);
}

// PAGER_ZERO must clear what the previous holder left in the block.
void test_zeroed_blocks_are_zero(unity::Runner& r) {
    const uint64_t words = 4 * demo::WORDS_PER_PAGE;
    void* va = reinterpret_cast<void*>(BLOCK_VA);
    for (int round = 0; round < 4; round++) {
        ASSERT_VALUE(dirty, pager::alloc(grant_slot(), 2));
        ASSERT_OK(sys::map(0, grant_slot(), BLOCK_VA, RW));
        demo::fill_pattern(va, words, dirty.pfn);
        ASSERT_OK(pager::free(dirty.pfn, 2));
        ASSERT_VALUE(clean, pager::alloc(grant_slot(), 2, abi::PAGER_ANY, abi::PAGER_ANY, abi::PAGER_ZERO));
        ASSERT_OK(sys::map(0, grant_slot(), BLOCK_VA, RW));
        uint64_t bad = demo::first_nonzero(va, words);
        EXPECT_TRUE(bad == words);
        if (round == 0) uprintf("frames: dirty block %#lx, zeroed block %#lx\n", dirty.pfn, clean.pfn);
        ASSERT_OK(pager::free(clean.pfn, 2));
    }
}

void test_batch_refuses_bad_arguments(unity::Runner& r) {
    EXPECT_ERR(pager::alloc_batch(0, BATCH_VA), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(1000, BATCH_VA), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(abi::PAGER_BATCH_MAX + 1, BATCH_VA), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(~uint64_t(0), BATCH_VA), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(1, BATCH_VA + 8), Error::BadAlignment);
    EXPECT_ERR(pager::alloc_batch(1, 0xffffffc000000000ull), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(4, abi::USER_END - uint64_t(2) * 4096), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(1, 0), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(1, BATCH_VA, uint64_t(1) << 40), Error::InvalidArgument);
    EXPECT_ERR(pager::alloc_batch(1, BATCH_VA, abi::PAGER_EXEC), Error::InvalidArgument);  // Alloc only
    still_serving(r);
}

// PAGER_EXEC: the capability also allows executing, and a copy maps R+X;
// without it, X is refused.
void test_exec_frames(unity::Runner& r) {
    ASSERT_VALUE(b, pager::alloc(grant_slot(), 1, abi::PAGER_ANY, abi::PAGER_ANY, abi::PAGER_EXEC));
    ASSERT_VALUE(cap, sys::cap_identify(grant_slot()));
    EXPECT_EQ_U(cap.rights, abi::RIGHT_READ | abi::RIGHT_WRITE | abi::RIGHT_EXEC);
    EXPECT_OK(sys::map(0, grant_slot(), BLOCK_VA, abi::RIGHT_READ | abi::RIGHT_EXEC));
    EXPECT_OK(pager::free(b.pfn, 1));
    ASSERT_VALUE(plain, pager::alloc(grant_slot(), 0));
    EXPECT_ERR(sys::map(0, grant_slot(), BLOCK_VA, abi::RIGHT_READ | abi::RIGHT_EXEC),
               Error::InvalidArgument);
    EXPECT_OK(pager::free(plain.pfn, 0));
    still_serving(r);
}

// A batch that runs into a mapped page fails whole: afterwards the pages
// before it are still free to map.
void test_batch_is_all_or_nothing(unity::Runner& r) {
    ASSERT_VALUE(b, pager::alloc(grant_slot(), 0));
    ASSERT_OK(sys::map(0, grant_slot(), BATCH_VA + uint64_t(3) * 4096, RW));
    EXPECT_ERR(pager::alloc_batch(4, BATCH_VA), Error::Busy);
    ASSERT_VALUE(n, pager::alloc_batch(3, BATCH_VA));
    EXPECT_EQ_U(n, 3);
    EXPECT_OK(pager::free(b.pfn, 0));
}

void test_batch_maps_usable_frames(unity::Runner& r) {
    const uint64_t va = BATCH_VA + uint64_t(64) * 4096;
    ASSERT_VALUE(before, pager::self_stats());
    ASSERT_VALUE(n, pager::alloc_batch(8, va, abi::PAGER_ZERO));
    EXPECT_EQ_U(n, 8);
    ASSERT_VALUE(after, pager::self_stats());
    EXPECT_EQ_U(after.held - before.held, 8);
    void* p = reinterpret_cast<void*>(va);
    const uint64_t words = 8 * demo::WORDS_PER_PAGE;
    EXPECT_TRUE(demo::first_nonzero(p, words) == words);
    demo::fill_pattern(p, words, va);
    EXPECT_TRUE(demo::pattern_mismatch(p, words, va) == words);
    // The same range again is taken.
    EXPECT_ERR(pager::alloc_batch(1, va), Error::Busy);
}

void test_unknown_requests_are_refused(unity::Runner& r) {
    const uint64_t ops[] = {0, 6, 7, 0xff, 0x1000, uint64_t(1) << 63, ~uint64_t(0)};
    for (uint64_t op : ops) {
        pager::RawReply rep = pager::request(op, 1, 2, 3, 4, 5, grant_slot());
        r.check(rep.error == Error::InvalidArgument || rep.error == Error::Unsupported, __FILE__, __LINE__,
                "op %#lx: got '%s'", op, error_name(rep.error));
        r.check(!rep.cap_received, __FILE__, __LINE__, "op %#lx handed out a capability", op);
    }
    EXPECT_ERR(Status(pager::request(uint64_t(abi::PagerOp::Stats), 99).error), Error::InvalidArgument);
    still_serving(r);
}

void test_stats_describe_this_task(unity::Runner& r) {
    ASSERT_VALUE(self, pager::self_stats());
    EXPECT_EQ_U(self.quota, MANIFEST_QUOTA);
    EXPECT_TRUE(self.held > 0);  // image and stack count
    EXPECT_TRUE(self.held <= self.quota);
    ASSERT_VALUE(mem, pager::meminfo());
    EXPECT_TRUE(mem.managed > 0);
    EXPECT_TRUE(mem.free <= mem.managed);
    EXPECT_TRUE(mem.granted >= self.held);
    EXPECT_TRUE(mem.granted + mem.free <= mem.managed);
    uprintf(
        "frames: pager manages %lu frames, %lu free, %lu granted, %lu on LRU; this task holds %lu of %lu\n",
        mem.managed, mem.free, mem.granted, mem.lru, self.held, self.quota);
    EXPECT_OK(pager::print_stats());
}

void test_accounting_follows_grants(unity::Runner& r) {
    ASSERT_VALUE(before, pager::self_stats());
    ASSERT_VALUE(b, pager::alloc(grant_slot(), 3));
    ASSERT_VALUE(during, pager::self_stats());
    EXPECT_EQ_U(during.held - before.held, 8);
    EXPECT_EQ_U(during.blocks - before.blocks, 1);
    ASSERT_OK(pager::free(b.pfn, 3));
    ASSERT_VALUE(after, pager::self_stats());
    EXPECT_EQ_U(after.held, before.held);
    EXPECT_EQ_U(after.blocks, before.blocks);
}

// PAGER_STAT_VERIFY: with blocks of several orders held and a batch
// mapped, the pager's check and the kernel's both find their state
// consistent, and again once everything went back.
void test_pager_and_kernel_checks_pass(unity::Runner& r) {
    ASSERT_VALUE(b, pager::alloc(grant_slot(), 4));
    ASSERT_VALUE(n, pager::alloc_batch(5, BATCH_VA + uint64_t(128) * 4096));
    EXPECT_EQ_U(n, 5);
    EXPECT_OK(pager::verify());
    EXPECT_OK(sys::kernel_verify());
    ASSERT_OK(pager::free(b.pfn, 4));
    EXPECT_OK(pager::verify());
    EXPECT_OK(sys::kernel_verify());
}

}  // namespace

void run_error_tests(unity::Runner& r) {
    RUN_TEST(r, test_alloc_refuses_bad_arguments);
    RUN_TEST(r, test_free_refuses_what_it_must);
    RUN_TEST(r, test_zeroed_blocks_are_zero);
    RUN_TEST(r, test_batch_refuses_bad_arguments);
    RUN_TEST(r, test_batch_is_all_or_nothing);
    RUN_TEST(r, test_batch_maps_usable_frames);
    RUN_TEST(r, test_exec_frames);
    RUN_TEST(r, test_unknown_requests_are_refused);
    RUN_TEST(r, test_stats_describe_this_task);
    RUN_TEST(r, test_accounting_follows_grants);
    RUN_TEST(r, test_pager_and_kernel_checks_pass);
}

}  // namespace frames
