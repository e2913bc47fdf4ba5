// Map, Unmap, Protect, ReadClearAD in the calling task's own address space.
// (Faults through mappings, and mappings in other tasks: faults.cc.)
#include "abi/boot.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, X = abi::RIGHT_EXEC, RW = R | W;

// A page-aligned address in the LocalMap window far from anything LocalMap
// hands out during this program's run.
constexpr uint64_t SPARE_VA = LOCAL_MAP_END - 0x1000'0000;

void map_gives_readable_writable_memory(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    const uint64_t va = SPARE_VA;
    ASSERT_OK(sys::map(abi::SLOT_SELF_TASK, f.slot(), va, RW));  // our own Task cap, or 0
    auto* p = reinterpret_cast<volatile uint64_t*>(va);
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) p[i] = i * 0x9e3779b97f4a7c15ull;
    bool same = true;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) same = same && p[i] == i * 0x9e3779b97f4a7c15ull;
    EXPECT_TRUE(same);
    // A second mapping of the same frames (through a copy) sees the data.
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0), R));
    EXPECT_EQ_U(m.as<uint64_t>()[1], 0x9e3779b97f4a7c15ull);
    ASSERT_OK(sys::unmap(f.slot()));
}

void map_large_block(unity::Runner& r) {
    // Order 9: one 2 MiB leaf when the address is 2 MiB aligned.
    ASSERT_VALUE(f, frames().alloc(Order(9), RW));
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(9)));
    EXPECT_EQ_U(m.addr().raw() & ((2u << 20) - 1), 0);
    auto* p = m.as<uint64_t>();
    p[0] = 1;
    p[(2u << 20) / 8 - 1] = 2;
    EXPECT_EQ_U(p[0] + p[(2u << 20) / 8 - 1], 3);
    // And at an address that is only 4 KiB aligned: 4 KiB leaves.
    ASSERT_VALUE(c, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, c.slot(), abi::RIGHTS_ALL));
    ASSERT_OK(sys::map(0, c.slot(), SPARE_VA + PAGE_SIZE, R));
    EXPECT_EQ_U(reinterpret_cast<volatile uint64_t*>(SPARE_VA + PAGE_SIZE)[(2u << 20) / 8 - 1], 2);
}

// A 2 MiB block mapped where a single page was mapped before keeps the
// page table that page left (empty after its unmap): a leaf written over
// that table's entry would lose the table for good, still charged to us.
// Round after round, our kernel memory stays as the first round left it.
void large_mapping_over_an_emptied_table_keeps_it(unity::Runner& r) {
    ASSERT_VALUE(small, frames().alloc(Order(0), RW));
    ASSERT_VALUE(big, frames().alloc(Order(9), RW));
    const uint64_t va = SPARE_VA + 0x0800'0000;  // 2 MiB aligned, used by nothing else
    uint64_t used_after_first = 0;
    for (unsigned round = 0; round < 3; round++) {
        ASSERT_OK(sys::map(0, small.slot(), va, RW));
        ASSERT_OK(sys::unmap(small.slot()));
        ASSERT_OK(sys::map(0, big.slot(), va, RW));
        auto* p = reinterpret_cast<volatile uint64_t*>(va);
        p[0] = round;
        p[(2u << 20) / 8 - 1] = round + 1;
        EXPECT_EQ_U(p[0] + p[(2u << 20) / 8 - 1], 2 * round + 1);
        ASSERT_OK(sys::unmap(big.slot()));
        ASSERT_VALUE(k, sys::kmem_info());
        if (round == 0)
            used_after_first = k.used;
        else
            EXPECT_EQ_U(k.used, used_after_first);
    }
    EXPECT_OK(sys::kernel_verify());
}

void map_address_errors(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(f2, frames().alloc(Order(1), RW));
    const unsigned s = f.slot();
    EXPECT_ERR(sys::map(0, s, SPARE_VA + 8, RW), Error::BadAlignment);
    EXPECT_ERR(sys::map(0, s, SPARE_VA + 0x800, RW), Error::BadAlignment);
    EXPECT_ERR(sys::map(0, s, 0, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, s, abi::USER_END, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, s, KERNEL_HALF_VA, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, s, KERNEL_TEXT_VA, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, s, NONCANONICAL_VA, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, s, ~uint64_t(0) & ~(PAGE_SIZE - 1), RW), Error::InvalidArgument);
    // Two pages starting at the last user page run out of the user half.
    EXPECT_ERR(sys::map(0, f2.slot(), abi::USER_END - PAGE_SIZE, RW), Error::InvalidArgument);
    // The last user page itself is fine.
    EXPECT_OK(sys::map(0, s, abi::USER_END - PAGE_SIZE, RW));
}

void map_rights_errors(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, ro.slot(), R));
    EXPECT_ERR(sys::map(0, ro.slot(), SPARE_VA, RW), Error::InvalidArgument);  // beyond the cap's
    EXPECT_ERR(sys::map(0, f.slot(), SPARE_VA, R | X), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, f.slot(), SPARE_VA, W), Error::InvalidArgument);  // W without R
    EXPECT_ERR(sys::map(0, f.slot(), SPARE_VA, RW | abi::RIGHT_GRANT), Error::InvalidArgument);
    EXPECT_TRUE(!readable(VirtAddr(SPARE_VA)));  // nothing was mapped
    EXPECT_OK(sys::map(0, ro.slot(), SPARE_VA, R));
    // Into a task through a Task cap without Write.
    ASSERT_VALUE(task_ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(abi::SLOT_SELF_TASK, 0, task_ro.slot(), R));
    EXPECT_ERR(sys::map(task_ro.slot(), f.slot(), SPARE_VA + PAGE_SIZE, RW), Error::NoRights);
}

void map_slot_errors(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::map(0, empty.slot(), SPARE_VA, RW), Error::InvalidCap);
    EXPECT_ERR(sys::map(0, abi::SLOT_ROOT_FAULT_EP, SPARE_VA, RW), Error::WrongType);
    EXPECT_ERR(sys::map(f.slot(), f.slot(), SPARE_VA, RW), Error::WrongType);
    EXPECT_ERR(sys::map(empty.slot(), f.slot(), SPARE_VA, RW), Error::InvalidCap);
}

void map_busy(unity::Runner& r) {
    ASSERT_VALUE(a, frames().alloc(Order(0), RW));
    ASSERT_VALUE(b, frames().alloc(Order(1), RW));
    ASSERT_OK(sys::map(0, a.slot(), SPARE_VA, RW));
    // The same cap again, anywhere.
    EXPECT_ERR(sys::map(0, a.slot(), SPARE_VA + 16 * PAGE_SIZE, RW), Error::Busy);
    // Another frame over the same page, or a block overlapping it.
    EXPECT_ERR(sys::map(0, b.slot(), SPARE_VA, RW), Error::Busy);
    EXPECT_ERR(sys::map(0, b.slot(), SPARE_VA - PAGE_SIZE, RW), Error::Busy);
    // Over the program's own text and the boot info page.
    EXPECT_ERR(sys::map(0, b.slot(), 0x10000, RW), Error::Busy);
    EXPECT_ERR(sys::map(0, b.slot(), abi::ROOT_BOOTINFO_VA, RW), Error::Busy);
    // An image page's cap, which is mapped already.
    EXPECT_ERR(sys::map(0, rt::boot_info()->image[0].slot, SPARE_VA + 8 * PAGE_SIZE, R), Error::Busy);
    // Next to it is free.
    EXPECT_OK(sys::map(0, b.slot(), SPARE_VA + PAGE_SIZE, RW));
}

void unmap_removes_mapping(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(sys::map(0, f.slot(), SPARE_VA, RW));
    *reinterpret_cast<volatile char*>(SPARE_VA) = '\r';
    EXPECT_TRUE(readable(VirtAddr(SPARE_VA)));
    ASSERT_OK(sys::unmap(f.slot()));
    EXPECT_TRUE(!readable(VirtAddr(SPARE_VA)));
    EXPECT_ERR(sys::unmap(f.slot()), Error::NotFound);
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::unmap(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::unmap(abi::SLOT_SELF_TASK), Error::WrongType);
    // The page is free for another frame now.
    ASSERT_VALUE(g, frames().alloc(Order(0), RW));
    EXPECT_OK(sys::map(0, g.slot(), SPARE_VA, RW));
}

void protect_changes_rights(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    EXPECT_ERR(sys::protect(f.slot(), R), Error::NotFound);
    ASSERT_OK(sys::map(0, f.slot(), SPARE_VA, RW));
    *reinterpret_cast<volatile char*>(SPARE_VA) = '\r';
    ASSERT_OK(sys::protect(f.slot(), R));
    EXPECT_TRUE(readable(VirtAddr(SPARE_VA)));  // still readable
    EXPECT_ERR(sys::protect(f.slot(), R | X), Error::InvalidArgument);
    EXPECT_ERR(sys::protect(f.slot(), W), Error::InvalidArgument);
    EXPECT_ERR(sys::protect(f.slot(), 0x100 | R), Error::InvalidArgument);
    ASSERT_OK(sys::protect(f.slot(), RW));
    *reinterpret_cast<volatile char*>(SPARE_VA + 1) = 'x';  // writable again
    EXPECT_EQ_U(*reinterpret_cast<volatile char*>(SPARE_VA + 1), 'x');
    ASSERT_OK(sys::unmap(f.slot()));
}

void read_clear_ad_tracks_use(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    EXPECT_ERR(sys::read_clear_ad(f.slot()), Error::NotFound);
    ASSERT_OK(sys::map(0, f.slot(), SPARE_VA, RW));
    auto* p = reinterpret_cast<volatile uint64_t*>(SPARE_VA);
    p[0] = 1;
    ASSERT_VALUE(first, sys::read_clear_ad(f.slot()));
    EXPECT_TRUE(first.accessed);
    EXPECT_TRUE(first.dirty);
    ASSERT_VALUE(cleared, sys::read_clear_ad(f.slot()));
    EXPECT_TRUE(!cleared.accessed);
    EXPECT_TRUE(!cleared.dirty);
    (void)p[1];
    ASSERT_VALUE(read, sys::read_clear_ad(f.slot()));
    EXPECT_TRUE(read.accessed);
    EXPECT_TRUE(!read.dirty);
    p[2] = 3;
    ASSERT_VALUE(written, sys::read_clear_ad(f.slot()));
    EXPECT_TRUE(written.accessed);
    EXPECT_TRUE(written.dirty);
    ASSERT_OK(sys::unmap(f.slot()));
    EXPECT_ERR(sys::read_clear_ad(abi::SLOT_SELF_THREAD), Error::WrongType);
}

}  // namespace

void run_mapping_tests(unity::Runner& r) {
    RUN_TEST(r, map_gives_readable_writable_memory);
    RUN_TEST(r, map_large_block);
    RUN_TEST(r, large_mapping_over_an_emptied_table_keeps_it);
    RUN_TEST(r, map_address_errors);
    RUN_TEST(r, map_rights_errors);
    RUN_TEST(r, map_slot_errors);
    RUN_TEST(r, map_busy);
    RUN_TEST(r, unmap_removes_mapping);
    RUN_TEST(r, protect_changes_rights);
    RUN_TEST(r, read_clear_ad_tracks_use);
}
