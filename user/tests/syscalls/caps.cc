// CapIdentify, CapCopy, CapMove, CapDelete, CapRevoke.
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

constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

uint64_t frame_word(const Frame& f) { return (f.pfn.raw() << 8) | f.order.raw(); }

void identify_initial_slots(unity::Runner& r) {
    ASSERT_VALUE(task, sys::cap_identify(abi::SLOT_SELF_TASK));
    EXPECT_EQ_U(task.type, abi::CapType::Task);
    ASSERT_VALUE(thread, sys::cap_identify(abi::SLOT_SELF_THREAD));
    EXPECT_EQ_U(thread.type, abi::CapType::Thread);
    ASSERT_VALUE(ep, sys::cap_identify(abi::SLOT_ROOT_FAULT_EP));
    EXPECT_EQ_U(ep.type, abi::CapType::Endpoint);
    EXPECT_EQ_U(ep.rights & (abi::RIGHT_READ | abi::RIGHT_WRITE), abi::RIGHT_READ | abi::RIGHT_WRITE);

    const abi::BootInfo* boot = rt::boot_info();
    ASSERT_TRUE(boot->nr_image_pages > 0);
    for (uint32_t i = 0; i < boot->nr_image_pages; i++) {
        ASSERT_VALUE(page, sys::cap_identify(boot->image[i].slot));
        EXPECT_EQ_U(page.type, abi::CapType::Frame);
        EXPECT_EQ_U(page.rights, boot->image[i].rights);
        EXPECT_EQ_U(page.word & 0xff, 0);  // order 0
    }
    ASSERT_TRUE(boot->nr_memory > 0);
    for (uint32_t i = 0; i < boot->nr_memory; i++) {
        ASSERT_VALUE(mem, sys::cap_identify(boot->memory[i].slot));
        EXPECT_EQ_U(mem.type, abi::CapType::Memory);
        EXPECT_EQ_U(mem.word, boot->memory[i].first_pfn);
    }
}

void identify_rejects_bad_slots(unity::Runner& r) {
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::cap_identify(abi::SLOT_NULL), Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(abi::CAP_SLOTS), Error::InvalidCap);       // empty
    EXPECT_ERR(sys::cap_identify(abi::ROOT_CAP_SLOTS), Error::InvalidCap);  // empty, its leaf never made
    EXPECT_ERR(sys::cap_identify(abi::MAX_CAP_SLOTS - 1), Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(abi::MAX_CAP_SLOTS), Error::InvalidCap);  // past the space
    EXPECT_ERR(sys::cap_identify(~uint64_t(0)), Error::InvalidCap);
    // Slot numbers are not truncated: 2^32 + 1 is not slot 1.
    EXPECT_ERR(sys::cap_identify((uint64_t(1) << 32) | abi::SLOT_SELF_TASK), Error::InvalidCap);
}

void copy_masks_rights(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, ro.slot(), abi::RIGHT_READ));
    ASSERT_VALUE(info, sys::cap_identify(ro.slot()));
    EXPECT_EQ_U(info.type, abi::CapType::Frame);
    EXPECT_EQ_U(info.rights, abi::RIGHT_READ);
    EXPECT_EQ_U(info.word, frame_word(f));
    // Copying the read-only copy with every right asked for gives no more.
    ASSERT_VALUE(again, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ro.slot(), 0, again.slot(), abi::RIGHTS_ALL));
    ASSERT_VALUE(info2, sys::cap_identify(again.slot()));
    EXPECT_EQ_U(info2.rights, abi::RIGHT_READ);
}

void copy_errors(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(dst, CapSlot::alloc());
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(empty.slot(), 0, dst.slot(), abi::RIGHTS_ALL), Error::InvalidCap);
    EXPECT_ERR(sys::cap_copy(f.slot(), 0, f.slot(), abi::RIGHTS_ALL), Error::Busy);
    EXPECT_ERR(sys::cap_copy(f.slot(), 0, abi::SLOT_SELF_TASK, abi::RIGHTS_ALL), Error::Busy);
    // A badge only on an unbadged endpoint.
    EXPECT_ERR(sys::cap_copy(f.slot(), 0, dst.slot(), abi::RIGHTS_ALL, 5), Error::InvalidArgument);
    // The destination table must be a Task cap.
    EXPECT_ERR(sys::cap_copy(f.slot(), f.slot(), dst.slot(), abi::RIGHTS_ALL), Error::WrongType);
    EXPECT_ERR(sys::cap_copy(f.slot(), empty.slot(), dst.slot(), abi::RIGHTS_ALL), Error::InvalidCap);
    // Nothing was installed by any of the failures.
    EXPECT_ERR(sys::cap_identify(dst.slot()), Error::InvalidCap);
}

void copy_badges_endpoints_once(unity::Runner& r) {
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(plain, sys::cap_identify(ep.slot()));
    EXPECT_EQ_U(plain.word, 0);
    ASSERT_VALUE(badged, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(ep.slot(), 0, badged.slot(), abi::RIGHTS_ALL, 0x1234));
    ASSERT_VALUE(info, sys::cap_identify(badged.slot()));
    EXPECT_EQ_U(info.type, abi::CapType::Endpoint);
    EXPECT_EQ_U(info.word, 0x1234);
    ASSERT_VALUE(rebadged, CapSlot::alloc());
    EXPECT_ERR(sys::cap_copy(badged.slot(), 0, rebadged.slot(), abi::RIGHTS_ALL, 0x99),
               Error::InvalidArgument);
    // A plain copy of a badged cap keeps the badge.
    ASSERT_OK(sys::cap_copy(badged.slot(), 0, rebadged.slot(), abi::RIGHTS_ALL, 0));
    ASSERT_VALUE(info2, sys::cap_identify(rebadged.slot()));
    EXPECT_EQ_U(info2.word, 0x1234);
}

void move_relocates_capability(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(dst, CapSlot::alloc());
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::cap_move(f.slot(), f.slot()), Error::InvalidArgument);
    EXPECT_ERR(sys::cap_move(f.slot(), abi::SLOT_SELF_THREAD), Error::Busy);
    EXPECT_ERR(sys::cap_move(empty.slot(), dst.slot()), Error::InvalidCap);
    ASSERT_OK(sys::cap_move(f.slot(), dst.slot()));
    EXPECT_ERR(sys::cap_identify(f.slot()), Error::InvalidCap);
    ASSERT_VALUE(info, sys::cap_identify(dst.slot()));
    EXPECT_EQ_U(info.type, abi::CapType::Frame);
    EXPECT_EQ_U(info.word, frame_word(f));
}

void delete_removes_only_itself(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(child, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, child.slot(), abi::RIGHTS_ALL));
    ASSERT_OK(sys::cap_delete(f.slot()));
    EXPECT_ERR(sys::cap_identify(f.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::cap_delete(f.slot()), Error::InvalidCap);
    // The copy survives its parent and still maps.
    ASSERT_VALUE(info, sys::cap_identify(child.slot()));
    EXPECT_EQ_U(info.word, frame_word(f));
    ASSERT_VALUE(m, LocalMap::map(child.slot(), Order(0)));
    m.as<uint64_t>()[0] = 7;
    EXPECT_EQ_U(m.as<uint64_t>()[0], 7);
}

void delete_unmaps(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0)));
    m.as<char>()[0] = '\r';
    EXPECT_TRUE(readable(m.addr()));
    ASSERT_OK(sys::cap_delete(m.slot()));
    EXPECT_TRUE(!readable(m.addr()));
}

void revoke_removes_descendants(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(child, CapSlot::alloc());
    ASSERT_VALUE(grandchild, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, child.slot(), abi::RIGHTS_ALL));
    ASSERT_OK(sys::cap_copy(child.slot(), 0, grandchild.slot(), abi::RIGHT_READ));
    ASSERT_OK(sys::cap_revoke(f.slot()));
    EXPECT_ERR(sys::cap_identify(child.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(grandchild.slot()), Error::InvalidCap);
    EXPECT_OK(sys::cap_identify(f.slot()));
    // Revoking with nothing derived is fine; an empty slot is not.
    EXPECT_OK(sys::cap_revoke(f.slot()));
    EXPECT_ERR(sys::cap_revoke(child.slot()), Error::InvalidCap);
}

void revoke_unmaps_descendants(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0)));  // maps a copy of f
    m.as<char>()[0] = '\r';
    EXPECT_TRUE(readable(m.addr()));
    ASSERT_OK(sys::cap_revoke(f.slot()));
    EXPECT_TRUE(!readable(m.addr()));
    EXPECT_ERR(sys::cap_identify(m.slot()), Error::InvalidCap);
}

}  // namespace

void run_cap_tests(unity::Runner& r) {
    RUN_TEST(r, identify_initial_slots);
    RUN_TEST(r, identify_rejects_bad_slots);
    RUN_TEST(r, copy_masks_rights);
    RUN_TEST(r, copy_errors);
    RUN_TEST(r, copy_badges_endpoints_once);
    RUN_TEST(r, move_relocates_capability);
    RUN_TEST(r, delete_removes_only_itself);
    RUN_TEST(r, delete_unmaps);
    RUN_TEST(r, revoke_removes_descendants);
    RUN_TEST(r, revoke_unmaps_descendants);
}
