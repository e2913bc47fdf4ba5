// Slot numbers that name nothing, capabilities of the wrong type, unknown
// system call numbers and arguments that only a truncating kernel would
// accept.
#include "runtime/slots.h"

#include "abi/boot.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/hostile/suites.h"

// A thread started here ends its task at once.
extern "C" [[noreturn]] void sys_exit_now() { sys::exit(0); }

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
constexpr uint64_t SPARE_VA = LOCAL_MAP_END - 0x2000'0000;

// What every probe below may use as its other, valid arguments.
struct Fixture {
    unsigned frame;     // an unmapped Frame (R+W)
    unsigned memory;    // a Memory cap
    uint64_t pfn;       // a frame of `memory` never handed out
    unsigned endpoint;  // an Endpoint
    unsigned empty;     // an empty slot
};

// One use of a slot argument: the call, with the slot in one position and
// valid values elsewhere. `want` is the type that position needs
// (Null: any type).
struct Probe {
    const char* name;
    abi::CapType want;
    Error (*call)(const Fixture& f, uint64_t slot);
};

const Probe PROBES[] = {
    {"CapIdentify", abi::CapType::Null,
     [](const Fixture&, uint64_t s) { return sys::cap_identify(s).error(); }},
    {"CapCopy.src", abi::CapType::Null,
     [](const Fixture& f, uint64_t s) { return sys::cap_copy(s, 0, f.empty, abi::RIGHTS_ALL).error(); }},
    {"CapCopy.task", abi::CapType::Task,
     [](const Fixture& f, uint64_t s) {
         return sys::cap_copy(f.frame, s, f.empty, abi::RIGHTS_ALL).error();
     }},
    {"CapMove", abi::CapType::Null,
     [](const Fixture& f, uint64_t s) { return sys::cap_move(s, f.empty).error(); }},
    {"CapDelete", abi::CapType::Null, [](const Fixture&, uint64_t s) { return sys::cap_delete(s).error(); }},
    {"CapRevoke", abi::CapType::Null, [](const Fixture&, uint64_t s) { return sys::cap_revoke(s).error(); }},
    {"MintFrame.memory", abi::CapType::Memory,
     [](const Fixture& f, uint64_t s) { return sys::memory_mint_frame(s, f.pfn, 0, RW, f.empty).error(); }},
    {"MemoryDonate", abi::CapType::Memory,
     [](const Fixture& f, uint64_t s) { return sys::memory_donate(s, f.pfn, 2).error(); }},
    {"MemoryInfo", abi::CapType::Memory,
     [](const Fixture&, uint64_t s) { return sys::memory_info(s).error(); }},
    {"Map.task", abi::CapType::Task,
     [](const Fixture& f, uint64_t s) {
         return sys::map(s ? s : abi::MAX_CAP_SLOTS, f.frame, SPARE_VA, RW).error();
     }},
    {"Map.frame", abi::CapType::Frame,
     [](const Fixture&, uint64_t s) { return sys::map(0, s, SPARE_VA, R).error(); }},
    {"Unmap", abi::CapType::Frame, [](const Fixture&, uint64_t s) { return sys::unmap(s).error(); }},
    {"Protect", abi::CapType::Frame, [](const Fixture&, uint64_t s) { return sys::protect(s, R).error(); }},
    {"ReadClearAD", abi::CapType::Frame,
     [](const Fixture&, uint64_t s) { return sys::read_clear_ad(s).error(); }},
    {"ThreadStart", abi::CapType::Thread,
     [](const Fixture&, uint64_t s) { return sys::thread_start(s, 0x10000, CHILD_STACK_TOP, 0).error(); }},
    {"ThreadSetFault.thread", abi::CapType::Thread,
     [](const Fixture& f, uint64_t s) { return sys::thread_set_fault(s, f.endpoint).error(); }},
    {"ThreadSetFault.endpoint", abi::CapType::Endpoint,
     [](const Fixture&, uint64_t s) {
         return sys::thread_set_fault(abi::SLOT_SELF_THREAD, s ? s : abi::MAX_CAP_SLOTS).error();
     }},
    {"TaskKill", abi::CapType::Task,
     [](const Fixture&, uint64_t s) { return sys::task_kill(s ? s : abi::MAX_CAP_SLOTS).error(); }},
};

// Values that name no capability of ours: beyond the capability space,
// with high bits that a truncating kernel would drop, or one of our empty
// slots.
uint64_t bad_slot(Rng& rng, unsigned empty) {
    const uint64_t v = rng.next();
    switch (v & 3) {
        case 0:
            return v | abi::MAX_CAP_SLOTS;
        case 1:
            return abi::MAX_CAP_SLOTS + (v >> 8) % 100000;
        case 2:
            return (uint64_t(1) << (32 + (v >> 4) % 32)) | ((v >> 16) % abi::ROOT_CAP_SLOTS);
        default:
            return empty;
    }
}

Result<Frame> fixture_frame() { return frames().alloc(Order(0), RW); }

void random_slots_are_refused(unity::Runner& r) {
    ASSERT_VALUE(frame, fixture_frame());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(empty, CapSlot::alloc());
    const FrameAllocator::Range& range = frames().range(0);
    const Fixture f{frame.slot(), range.slot, range.end_pfn - 1, ep.slot(), empty.slot()};
    Rng rng{0x5107'5107'5107'5107ull};
    for (unsigned i = 0; i < 4000; i++) {
        const Probe& p = PROBES[i % (sizeof PROBES / sizeof PROBES[0])];
        const uint64_t slot = bad_slot(rng, empty.slot());
        const Error e = p.call(f, slot);
        if (!r.check(e == Error::InvalidCap, __FILE__, __LINE__, "%s(slot %#lx): got '%s'", p.name, slot,
                     error_name(e)))
            break;
    }
    // Destination slots too.
    for (unsigned i = 0; i < 200; i++) {
        uint64_t slot = bad_slot(rng, abi::SLOT_NULL);
        if (slot == abi::SLOT_NULL) slot = abi::MAX_CAP_SLOTS;
        EXPECT_ERR(sys::endpoint_create(slot), Error::InvalidCap);
        EXPECT_ERR(sys::task_create(slot, empty.slot()), Error::InvalidCap);
        EXPECT_ERR(sys::cap_copy(frame.slot(), 0, slot, abi::RIGHTS_ALL), Error::InvalidCap);
        EXPECT_ERR(sys::memory_mint_frame(range.slot, f.pfn, 0, RW, slot), Error::InvalidCap);
    }
    // Nothing happened to what the probes named.
    EXPECT_ERR(sys::cap_identify(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::unmap(frame.slot()), Error::NotFound);
    ASSERT_VALUE(self, sys::cap_identify(abi::SLOT_SELF_TASK));
    EXPECT_EQ_U(self.type, abi::CapType::Task);
}

void wrong_types_are_refused(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(frame, fixture_frame());
    ASSERT_VALUE(empty, CapSlot::alloc());
    const FrameAllocator::Range& range = frames().range(0);
    const Fixture f{frame.slot(), range.slot, range.end_pfn - 1, h->ep(), empty.slot()};
    // One capability of each type; a Reply cap comes from a child's Call.
    ASSERT_VALUE(c, h->child(40));
    ASSERT_OK(c.start([](uint64_t) -> int { return ask(1).ok() ? 0 : 1; }, 0));
    ASSERT_VALUE(call, h->wait());
    ASSERT_TRUE(call.reply.valid());
    struct Typed {
        abi::CapType type;
        unsigned slot;
    };
    const Typed typed[] = {
        {abi::CapType::Task, abi::SLOT_SELF_TASK}, {abi::CapType::Thread, abi::SLOT_SELF_THREAD},
        {abi::CapType::Endpoint, h->ep()},         {abi::CapType::Frame, frame.slot()},
        {abi::CapType::Memory, range.slot},        {abi::CapType::Reply, call.reply.slot()}};
    unsigned tried = 0;
    for (const Probe& p : PROBES) {
        if (p.want == abi::CapType::Null) continue;
        for (const Typed& t : typed) {
            if (t.type == p.want) continue;
            const Error e = p.call(f, t.slot);
            r.check(e == Error::WrongType, __FILE__, __LINE__, "%s with a %s cap: got '%s'", p.name,
                    abi::cap_type_name(t.type), error_name(e));
            tried++;
        }
    }
    EXPECT_TRUE(tried >= 50);
    // The Reply cap still works after all that.
    EXPECT_OK(h->answer(call, sys::Msg{}));
}

void unknown_syscall_numbers_are_refused(unity::Runner& r) {
    const uint64_t numbers[] = {5,
                                6,
                                9,
                                15,
                                19,
                                23,
                                29,
                                34,
                                39,
                                44,
                                49,
                                56,
                                57,
                                63,
                                64,
                                255,
                                1000,
                                uint64_t(1) << 32,
                                (uint64_t(1) << 32) | uint64_t(abi::Sys::Null),
                                (uint64_t(1) << 63) | uint64_t(abi::Sys::Exit),
                                ~uint64_t(0)};
    for (uint64_t nr : numbers) {
        sys::Regs out = sys::raw(nr, 1, 2, 3, 4, 5, 6);
        r.check(out.a0 != 0, __FILE__, __LINE__, "syscall number %#lx was accepted", nr);
    }
    // Every number the list of calls (abi::TERN_SYSCALLS) leaves out, up
    // to well past its end, is unknown: InvalidArgument.
    for (uint64_t nr = 0; nr < abi::NR_SYSCALLS + 16; nr++) {
        if (abi::is_syscall(nr)) continue;
        sys::Regs out = sys::raw(nr, 1, 2, 3, 4, 5, 6);
        r.check(out.a0 == uint64_t(Error::InvalidArgument), __FILE__, __LINE__,
                "unknown syscall number %lu answered %lu", nr, out.a0);
    }
}

// Every argument is 64 bits wide: values that only fit after truncation
// to 32 (or 8) bits must be refused.
void truncated_arguments_are_refused(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(frame, fixture_frame());
    const uint64_t high = uint64_t(1) << 32;
    const FrameAllocator::Range& range = frames().range(0);
    ASSERT_VALUE(dst, CapSlot::alloc());
    EXPECT_ERR(sys::memory_mint_frame(range.slot, range.end_pfn - 1, high, RW, dst.slot()),
               Error::InvalidArgument);
    EXPECT_ERR2(sys::memory_mint_frame(range.slot, range.end_pfn - 1, 0, high | RW, dst.slot()),
                Error::InvalidArgument, Error::NoRights);
    EXPECT_ERR(sys::map(0, frame.slot(), SPARE_VA, high | R), Error::InvalidArgument);
    EXPECT_ERR(sys::map(0, frame.slot(), SPARE_VA, 0x100 | R), Error::InvalidArgument);
    EXPECT_ERR(sys::debug_write("x\n", high | 2), Error::InvalidArgument);
    // A priority of 2^32 + 1 is far above PRIORITY_MAX. The child must not
    // start (were it started, it would exit at once: no fault handler).
    ASSERT_VALUE(c, h->child(41, false));
    const uint64_t pc = reinterpret_cast<uint64_t>(&sys_exit_now);
    EXPECT_ERR(sys::thread_start(c.thread(), pc, CHILD_STACK_TOP - 16, 0, high | 1), Error::InvalidArgument);
    EXPECT_ERR(sys::thread_start(c.thread(), pc, CHILD_STACK_TOP - 16, 0, high | abi::PRIORITY_DEFAULT),
               Error::InvalidArgument);
    EXPECT_TRUE(!thread_dead(c.thread()));
}

}  // namespace

void run_slot_tests(unity::Runner& r) {
    RUN_TEST(r, random_slots_are_refused);
    RUN_TEST(r, wrong_types_are_refused);
    RUN_TEST(r, unknown_syscall_numbers_are_refused);
    RUN_TEST(r, truncated_arguments_are_refused);
}
