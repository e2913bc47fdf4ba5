// Null, Yield, KernelInfo, DebugWrite.
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/regs.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

void null_returns_none(unity::Runner& r) { EXPECT_OK(sys::null()); }

void yield_returns_none(unity::Runner& r) { EXPECT_OK(sys::yield()); }

void kernel_info_reports_pool(unity::Runner& r) {
    ASSERT_VALUE(info, sys::kernel_info());
    EXPECT_TRUE(info.pool_total > 0);
    EXPECT_TRUE(info.pool_free > 0);
    EXPECT_TRUE(info.pool_free <= info.pool_total);
}

// KERNEL_INFO_KMEM: the root task's account has no limit; any other a0
// is refused.
void kernel_info_reports_the_kmem_account(unity::Runner& r) {
    ASSERT_VALUE(k, sys::kmem_info());
    EXPECT_EQ_U(k.limit, 0);
    EXPECT_TRUE(k.task_base >= uint64_t(2) * 4096);  // at least the cap table and the root table
    EXPECT_ERR(sys::status(sys::call(abi::Sys::KernelInfo, 5)), Error::InvalidArgument);
    // KERNEL_INFO_IRQ: a line past any controller's.
    EXPECT_ERR(sys::status(sys::call(abi::Sys::KernelInfo, abi::KERNEL_INFO_IRQ, 1 << 20)),
               Error::InvalidArgument);
    EXPECT_ERR(sys::status(sys::call(abi::Sys::KernelInfo, ~uint64_t(0))), Error::InvalidArgument);
}

// KERNEL_INFO_VERIFY: the kernel's check of its own state finds nothing
// wrong in a running system (the ktest suite `verify` shows it finds what
// is wrong).
void kernel_info_verify_finds_the_state_consistent(unity::Runner& r) { EXPECT_OK(sys::kernel_verify()); }

void kernel_info_clock_advances(unity::Runner& r) {
    ASSERT_VALUE(before, sys::kernel_info());
    spin_us(30000);
    ASSERT_VALUE(after, sys::kernel_info());
    EXPECT_TRUE(after.ticks > before.ticks);
}

void debug_write_prints(unity::Runner& r) {
    static const char text[] = "debug_write: hello from user space\n";
    console_flush();
    EXPECT_OK(sys::debug_write(text, sizeof text - 1));
    EXPECT_OK(sys::debug_write(text, 0));
}

// 4096 bytes are allowed, 4097 are not. The buffer holds carriage returns
// and one newline, so the log only gains an empty line.
void debug_write_length_limit(unity::Runner& r) {
    ASSERT_VALUE(mem, SharedMemory::create(Order(1)));
    char* buf = mem.as<char>();
    for (unsigned i = 0; i < 8192; i++) buf[i] = '\r';
    buf[abi::DEBUG_WRITE_MAX - 1] = '\n';
    console_flush();
    EXPECT_OK(sys::debug_write(buf, abi::DEBUG_WRITE_MAX));
    EXPECT_ERR(sys::debug_write(buf, abi::DEBUG_WRITE_MAX + 1), Error::InvalidArgument);
    EXPECT_ERR(sys::debug_write(buf, ~uint64_t(0)), Error::InvalidArgument);
}

void debug_write_rejects_unreadable_memory(unity::Runner& r) {
    ASSERT_VALUE(mem, SharedMemory::create(Order(0)));
    char* page = mem.as<char>();
    page[PAGE_SIZE - 1] = '\r';
    // Unmapped, kernel, non-canonical, and a range running off a mapped page.
    EXPECT_ERR2(sys::debug_write(LOCAL_MAP_END - PAGE_SIZE, 1), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(KERNEL_TEXT_VA, 16), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(KERNEL_HALF_VA, 16), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(NONCANONICAL_VA, 16), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::debug_write(page + PAGE_SIZE - 1, 2), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_OK(sys::debug_write(page + PAGE_SIZE - 1, 1));
    // A range that wraps around the top of the address space.
    EXPECT_ERR2(sys::debug_write(~uint64_t(0) - 7, 16), Error::OutOfRange, Error::InvalidArgument);
}

// Ordinary calls change a0..a3, return t0..t6 as zeros, and change
// nothing else (Yield switches to other tasks and
// back in between).
void registers_preserved_by_ordinary_calls(unity::Runner& r) {
    const uint32_t results = (0xfu << REG_A0) | T_REGS;  // a0..a3, t0..t6
    const abi::Sys calls[] = {abi::Sys::Null, abi::Sys::Yield, abi::Sys::KernelInfo, abi::Sys::CapIdentify};
    // a0 = 1: CapIdentify's slot, and KernelInfo's KERNEL_INFO_KMEM.
    static_assert(abi::SLOT_SELF_TASK == abi::KERNEL_INFO_KMEM);
    const uint64_t args[7] = {abi::SLOT_SELF_TASK, 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666};
    uint64_t regs[64];
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const uint32_t changed = changed_registers(uint64_t(calls[i]), args, 0x5eed0000 + i, regs);
        r.check((changed & ~results) == 0, __FILE__, __LINE__,
                "Sys %lu changed registers outside a0..a3: %#x", uint64_t(calls[i]), changed & ~results);
        EXPECT_EQ_U(regs[32 + REG_A0], 0);  // succeeded
        EXPECT_TRUE(t_regs_zero(regs));
    }
    // A failing call, and an unknown number, change no more.
    const uint64_t bad[7] = {0xffff, 0, 0, 0, 0, 0, 0};
    uint32_t changed = changed_registers(uint64_t(abi::Sys::CapIdentify), bad, 0xbad, regs);
    EXPECT_EQ_U(changed & ~results, 0);
    EXPECT_EQ_U(regs[32 + REG_A0], uint64_t(Error::InvalidCap));
    EXPECT_TRUE(t_regs_zero(regs));
}

}  // namespace

void run_misc_tests(unity::Runner& r) {
    RUN_TEST(r, null_returns_none);
    RUN_TEST(r, yield_returns_none);
    RUN_TEST(r, kernel_info_reports_pool);
    RUN_TEST(r, kernel_info_reports_the_kmem_account);
    RUN_TEST(r, kernel_info_verify_finds_the_state_consistent);
    RUN_TEST(r, kernel_info_clock_advances);
    RUN_TEST(r, debug_write_prints);
    RUN_TEST(r, debug_write_length_limit);
    RUN_TEST(r, debug_write_rejects_unreadable_memory);
    RUN_TEST(r, registers_preserved_by_ordinary_calls);
}
