// Rights cannot grow, capabilities cannot be forged, badges cannot be
// changed, and nothing a task writes to memory becomes a capability.
#include "abi/boot.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/hostile/suites.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, W = abi::RIGHT_WRITE, X = abi::RIGHT_EXEC, RW = R | W;
constexpr uint64_t SPARE_VA = LOCAL_MAP_END - 0x3000'0000;

// Copies `src` with `mask` and returns the rights the copy got, or the
// copy's error (as 0x100 + Error).
uint64_t copy_rights(unsigned src, uint64_t mask) {
    auto dst = CapSlot::alloc();
    if (!dst.ok()) return 0x100 + uint64_t(dst.error());
    Status s = sys::cap_copy(src, 0, dst->slot(), mask);
    if (!s.ok()) return 0x100 + uint64_t(s.error());
    auto info = sys::cap_identify(dst->slot());
    return info.ok() ? info->rights : 0x100 + uint64_t(info.error());
}

// The copy either fails or has no right its source lacks.
bool no_escalation(unsigned src, uint64_t src_rights, uint64_t mask) {
    const uint64_t got = copy_rights(src, mask);
    return got >= 0x100 || (got & ~src_rights) == 0;
}

void copies_never_gain_rights(unity::Runner& r) {
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, ro.slot(), R));
    const uint64_t masks[] = {abi::RIGHTS_ALL,        0xff,  0xffff'ffff, ~uint64_t(0),
                              uint64_t(1) << 32 | RW, RW | X};
    for (uint64_t m : masks) {
        r.check(no_escalation(ro.slot(), R, m), __FILE__, __LINE__,
                "read-only frame copied with mask %#lx got %#lx", m, copy_rights(ro.slot(), m));
        r.check(no_escalation(f.slot(), RW, m), __FILE__, __LINE__,
                "R+W frame copied with mask %#lx got %#lx", m, copy_rights(f.slot(), m));
    }
    EXPECT_EQ_U(copy_rights(ro.slot(), abi::RIGHTS_ALL), R);
    EXPECT_EQ_U(copy_rights(f.slot(), 0), 0);  // a cap with no rights at all is allowed, and useless
    // What the read-only copy refuses to do.
    EXPECT_ERR(sys::map(0, ro.slot(), SPARE_VA, RW), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, ro.slot(), SPARE_VA, R | X), Error::InvalidArgument);
    ASSERT_OK(sys::map(0, ro.slot(), SPARE_VA, R));
    EXPECT_ERR(sys::protect(ro.slot(), RW), Error::InvalidArgument);
    ASSERT_OK(sys::unmap(ro.slot()));
}

void object_caps_without_rights_refuse(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(50));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(task_ro, CapSlot::alloc());
    ASSERT_VALUE(thread_ro, CapSlot::alloc());
    ASSERT_VALUE(mem_ro, CapSlot::alloc());
    ASSERT_VALUE(ep_send, CapSlot::alloc());
    ASSERT_VALUE(dst, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(c.task(), 0, task_ro.slot(), R | abi::RIGHT_GRANT));
    ASSERT_OK(sys::cap_copy(c.thread(), 0, thread_ro.slot(), R));
    ASSERT_OK(sys::cap_copy(frames().range(0).slot, 0, mem_ro.slot(), R));
    ASSERT_OK(sys::cap_copy(h->ep(), 0, ep_send.slot(), W));
    EXPECT_ERR(sys::map(task_ro.slot(), f.slot(), 0x5000'0000, RW), Error::NoRights);
    EXPECT_ERR(sys::cap_copy(f.slot(), task_ro.slot(), 20, RW), Error::NoRights);
    EXPECT_ERR(sys::task_kill(task_ro.slot()), Error::NoRights);
    EXPECT_ERR(sys::thread_start(thread_ro.slot(), 0x10000, CHILD_STACK_TOP, 0), Error::NoRights);
    EXPECT_ERR(sys::thread_set_fault(thread_ro.slot(), h->ep()), Error::NoRights);
    const FrameAllocator::Range& range = frames().range(0);
    EXPECT_ERR(sys::memory_mint_frame(mem_ro.slot(), range.end_pfn - 1, 0, RW, dst.slot()), Error::NoRights);
    EXPECT_ERR(sys::recv(abi::IpcInfo::make(ep_send.slot())), Error::NoRights);
    EXPECT_ERR(sys::send(abi::IpcInfo::make(ep_send.slot(), f.slot()), sys::Msg{}),
               Error::NoRights);            // no Grant
    EXPECT_TRUE(!thread_dead(c.thread()));  // the child was never started nor killed
}

void boot_info_stays_read_only(unity::Runner& r) {
    const unsigned info_slot = abi::SLOT_ROOT_IMAGE + abi::ROOT_IMAGE_MAX_PAGES - 1;
    ASSERT_VALUE(info, sys::cap_identify(info_slot));
    EXPECT_EQ_U(info.type, abi::CapType::Frame);
    EXPECT_EQ_U(info.rights, R);
    EXPECT_EQ_U(copy_rights(info_slot, abi::RIGHTS_ALL), R);
    EXPECT_ERR(sys::protect(info_slot, RW), Error::InvalidArgument);
    // Our text cannot be made writable either.
    const unsigned text = rt::boot_info()->image[0].slot;
    EXPECT_ERR(sys::protect(text, RW | X), Error::InvalidArgument);
    ASSERT_VALUE(copy, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(text, 0, copy.slot(), abi::RIGHTS_ALL));
    EXPECT_ERR(sys::map(0, copy.slot(), SPARE_VA, RW), Error::InvalidArgument);
}

// Reports how many of the child's slots hold something, after it wrote
// capability-like garbage over its whole stack page and data.
int child_scribble_then_count(uint64_t garbage_va) {
    volatile uint64_t* g = reinterpret_cast<volatile uint64_t*>(garbage_va);
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) g[i] = 0x0202'0000'0000'0010ull | i;  // "Frame, slot i"
    uint64_t used = 0, first_bad = 0;
    for (unsigned s = 1; s < abi::CAP_SLOTS + 16; s++) {
        if (sys::cap_identify(s).ok()) {
            used++;
            if (s != abi::SLOT_SELF_TASK && s != abi::SLOT_SELF_THREAD && s != CHILD_REPORT_SLOT &&
                !first_bad)
                first_bad = s;
        }
    }
    // Nothing of the root's table is reachable from here.
    uint64_t refused = 0;
    const unsigned root_slots[] = {3, 16, 17, 96, 128, 200, 255};
    for (unsigned s : root_slots) {
        if (sys::map(0, s, 0x5000'0000, R).error() == Error::InvalidCap) refused++;
    }
    (void)report(used, first_bad, refused);
    return 0;
}

void memory_is_not_capabilities(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(page, SharedMemory::create());
    ASSERT_VALUE(c, h->child(51));
    ASSERT_OK(c.map(page));
    ASSERT_OK(c.start(child_scribble_then_count, page.addr().raw()));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(!ev.fault);
    EXPECT_EQ_U(ev.msg.w[0], 3);  // its Task, its Thread, its report endpoint
    EXPECT_EQ_U(ev.msg.w[1], 0);
    EXPECT_EQ_U(ev.msg.w[2], 7);
    // Our own empty slots stay empty whatever our memory holds.
    volatile uint64_t* g = page.as<volatile uint64_t>();
    for (unsigned i = 0; i < 16; i++) g[i] = (uint64_t(abi::CapType::Endpoint) << 56) | abi::RIGHTS_ALL;
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(sys::cap_identify(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::send(abi::IpcInfo::make(empty.slot()), sys::Msg{}), Error::InvalidCap);
}

// Sends a message dressed as a kernel fault message, and tries to re-badge
// its report capability.
int child_forge(uint64_t) {
    sys::Msg m;
    m.w[0] = abi::FAULT_TAG | uint64_t(abi::FaultKind::PageFault);
    m.w[1] = 0x1000;
    Status rebadge = sys::cap_copy(CHILD_REPORT_SLOT, 0, CHILD_FREE_SLOT, abi::RIGHTS_ALL, FAULT_BADGE | 1);
    m.w[5] = uint64_t(rebadge.error());
    (void)report(m);
    return 0;
}

void badges_cannot_be_forged(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(52));
    ASSERT_OK(c.start(child_forge, 0));
    ASSERT_VALUE(ev, h->wait());
    EXPECT_EQ_U(ev.badge, 52);  // the kernel's badge, not the words
    EXPECT_TRUE(!ev.fault);
    EXPECT_TRUE(!ev.reply.valid());  // a Send; a real fault is a Call
    EXPECT_EQ_U(ev.msg.w[5], uint64_t(Error::InvalidArgument));
}

}  // namespace

void run_rights_tests(unity::Runner& r) {
    RUN_TEST(r, copies_never_gain_rights);
    RUN_TEST(r, object_caps_without_rights_refuse);
    RUN_TEST(r, boot_info_stays_read_only);
    RUN_TEST(r, memory_is_not_capabilities);
    RUN_TEST(r, badges_cannot_be_forged);
}
