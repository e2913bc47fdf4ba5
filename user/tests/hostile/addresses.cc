// Addresses and sizes no task may use: kernel and non-canonical addresses,
// misaligned ones, ranges that wrap, absurd orders and frame numbers.
#include "abi/boot.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/util.h"
#include "user/tests/hostile/suites.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

// Page-aligned addresses outside the user half.
constexpr uint64_t OUTSIDE[] = {
    0,                  // below USER_BASE
    abi::USER_END,      // the first address above it
    uint64_t(1) << 39,  // not canonical for Sv39
    NONCANONICAL_VA,
    uint64_t(1) << 63,
    KERNEL_HALF_VA,            // direct map
    0xffff'ffc0'8000'0000ull,  // RAM in the direct map
    0xffff'ffe0'0000'0000ull,  // vmemmap
    KERNEL_TEXT_VA,            // the kernel image
    0xffff'ffff'ffff'f000ull,  // the last page
};

void map_outside_user_space_is_refused(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    for (uint64_t va : OUTSIDE) {
        const Error e = sys::map(0, f.slot(), va, R).error();
        r.check(e == Error::InvalidArgument, __FILE__, __LINE__, "Map at %#lx: got '%s'", va, error_name(e));
    }
    // Misaligned, in every bit below the page size.
    for (unsigned bit = 0; bit < PAGE_SHIFT; bit++) {
        const uint64_t va = LOCAL_MAP_END - 0x100'0000 + (uint64_t(1) << bit);
        EXPECT_ERR(sys::map(0, f.slot(), va, R), Error::BadAlignment);
    }
    // A block that would run past the end of the user half, or wrap.
    ASSERT_VALUE(big, frames().alloc(Order(4), RW));
    EXPECT_ERR(sys::map(0, big.slot(), abi::USER_END - 8 * PAGE_SIZE, R), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, big.slot(), 0xffff'ffff'ffff'f000ull, R), Error::InvalidArgument);
    // None of that mapped anything.
    EXPECT_ERR(sys::unmap(f.slot()), Error::NotFound);
    EXPECT_ERR(sys::unmap(big.slot()), Error::NotFound);
    // Into another task as well.
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
    for (uint64_t va : OUTSIDE) EXPECT_ERR(sys::map(task.slot(), f.slot(), va, R), Error::InvalidArgument);
    ASSERT_OK(sys::task_kill(task.slot()));
}

void debug_write_of_kernel_memory_is_refused(unity::Runner& r) {
    for (uint64_t va : OUTSIDE) {
        const Error e = sys::debug_write(va, 64).error();
        r.check(e == Error::OutOfRange || e == Error::InvalidArgument, __FILE__, __LINE__,
                "DebugWrite of %#lx: got '%s'", va, error_name(e));
    }
    // Ranges that start in user memory and end in the kernel, or wrap.
    const uint64_t text = 0x10000;
    const uint64_t lens[] = {uint64_t(1) << 63, ~uint64_t(0), abi::USER_END};
    for (uint64_t len : lens) EXPECT_ERR(sys::debug_write(text, len), Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(abi::USER_END - 16, 32), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(~uint64_t(0) - 15, 32), Error::OutOfRange, Error::InvalidArgument);
    // Our own stack and boot info page can be printed, unmapped holes not.
    EXPECT_ERR2(sys::debug_write(abi::ROOT_STACK_TOP - abi::ROOT_STACK_PAGES * PAGE_SIZE - 16, 32),
                Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(abi::ROOT_BOOTINFO_VA + PAGE_SIZE - 8, 16), Error::OutOfRange,
                Error::InvalidArgument);
}

void absurd_orders_and_frames_are_refused(unity::Runner& r) {
    const FrameAllocator::Range& range = frames().range(0);
    ASSERT_VALUE(dst, CapSlot::alloc());
    const unsigned mem = range.slot, d = dst.slot();
    const uint64_t orders[] = {abi::FRAME_ORDER_MAX + 1, 32,          63, 64, 65, 255, 256, uint64_t(1) << 32,
                               (uint64_t(1) << 32) | 3,  ~uint64_t(0)};
    for (uint64_t order : orders) {
        const Error e = sys::memory_mint_frame(mem, 0, order, RW, d).error();
        r.check(e == Error::InvalidArgument, __FILE__, __LINE__, "order %#lx: got '%s'", order,
                error_name(e));
    }
    // Frame numbers outside the range, beyond physical memory, and blocks
    // whose end wraps around zero.
    const uint64_t pfns[] = {0,
                             1,
                             range.first_pfn - 1,
                             range.end_pfn,
                             uint64_t(1) << 44,
                             uint64_t(1) << 52,
                             (uint64_t(1) << 63),
                             ~uint64_t(0)};
    for (uint64_t pfn : pfns) {
        const Error e = sys::memory_mint_frame(mem, pfn, 0, RW, d).error();
        r.check(e == Error::OutOfRange, __FILE__, __LINE__, "pfn %#lx: got '%s'", pfn, error_name(e));
    }
    const uint64_t top18 = ~uint64_t(0) & ~((uint64_t(1) << abi::FRAME_ORDER_MAX) - 1);
    EXPECT_ERR(sys::memory_mint_frame(mem, top18, abi::FRAME_ORDER_MAX, RW, d), Error::OutOfRange);
    EXPECT_ERR(sys::memory_mint_frame(mem, ~uint64_t(0), 0, RW, d), Error::OutOfRange);
    EXPECT_ERR(sys::cap_identify(d), Error::InvalidCap);
    // Donations of nothing, of everything and more, and wrapping ones.
    ASSERT_VALUE(info, sys::memory_info(mem));
    const uint64_t end = info.first_pfn + info.pages;
    EXPECT_TRUE(!sys::memory_donate(mem, info.first_pfn, info.pages + 1).ok());
    EXPECT_TRUE(!sys::memory_donate(mem, ~uint64_t(0) - 1, 4).ok());
    EXPECT_TRUE(!sys::memory_donate(mem, end - 2, ~uint64_t(0)).ok());
    EXPECT_TRUE(!sys::memory_donate(mem, 0, end).ok());
    // A frame minted at the start of the range blocks its donation.
    ASSERT_OK(sys::memory_mint_frame(mem, info.first_pfn, 0, R, d));
    EXPECT_ERR(sys::memory_donate(mem, info.first_pfn, 4), Error::Busy);
    ASSERT_OK(sys::cap_delete(d));
    ASSERT_VALUE(after, sys::memory_info(mem));
    EXPECT_EQ_U(after.first_pfn, info.first_pfn);
    EXPECT_EQ_U(after.pages, info.pages);
}

void absurd_thread_start_is_refused(unity::Runner& r) {
    ASSERT_VALUE(task, CapSlot::alloc());
    ASSERT_VALUE(thread, CapSlot::alloc());
    ASSERT_OK(sys::task_create(task.slot(), thread.slot()));
    const uint64_t sp = CHILD_STACK_TOP;
    for (uint64_t va : OUTSIDE) {
        EXPECT_ERR(sys::thread_start(thread.slot(), va, sp, 0), Error::InvalidArgument);
        // USER_END itself is a fine initial stack pointer (the stack grows down).
        if (va != abi::USER_END)
            EXPECT_ERR(sys::thread_start(thread.slot(), 0x10000, va, 0), Error::InvalidArgument);
    }
    const uint64_t priorities[] = {abi::PRIORITY_MAX + 1, 1000, uint64_t(1) << 40, ~uint64_t(0)};
    for (uint64_t p : priorities)
        EXPECT_ERR(sys::thread_start(thread.slot(), 0x10000, sp, 0, p), Error::InvalidArgument);
    EXPECT_TRUE(!thread_dead(thread.slot()));
    ASSERT_OK(sys::task_kill(task.slot()));
    EXPECT_TRUE(thread_dead(thread.slot()));
}

}  // namespace

void run_address_tests(unity::Runner& r) {
    RUN_TEST(r, map_outside_user_space_is_refused);
    RUN_TEST(r, debug_write_of_kernel_memory_is_refused);
    RUN_TEST(r, absurd_orders_and_frames_are_refused);
    RUN_TEST(r, absurd_thread_start_is_refused);
}
