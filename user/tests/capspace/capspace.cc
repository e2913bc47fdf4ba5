// Capability spaces (docs/syscalls.md, "Capability space"): slots far into
// a space work as any other, slots past its end are refused everywhere,
// and a task whose space would pass its kernel memory limit gets
// OutOfSlots, without taking from another task, its memory coming back
// when it goes.
#include "abi/cap.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "user/tests/capspace/suites.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/levels.h"
#include "user/tests/common/util.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
// Far into our space (its directory grows to reach it, and stays so),
// and further on, within the same directory.
constexpr uint64_t FAR = 1'000'000, FURTHER = 1'040'000;
// Where the run of frames below is mapped.
constexpr uint64_t RUN_VA = 0x2c'0000'0000;

// A capability made far into our space is there, is used from there as
// a source and a destination, and goes.
void a_capability_far_into_the_space_works(unity::Runner& r) {
    ASSERT_OK(sys::endpoint_create(FAR));
    ASSERT_VALUE(id, sys::cap_identify(FAR));
    EXPECT_EQ_U(id.type, abi::CapType::Endpoint);
    EXPECT_EQ_U(id.rights, abi::RIGHTS_ALL);
    EXPECT_ERR(sys::endpoint_create(FAR), Error::Busy);
    EXPECT_ERR(sys::cap_identify(FAR + 1), Error::InvalidCap);  // beside it, empty
    // A badged copy near us, its child; the original moved further on.
    ASSERT_VALUE(near, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(FAR, 0, near.slot(), abi::RIGHTS_ALL, 7));
    ASSERT_OK(sys::cap_move(FAR, FURTHER));
    EXPECT_ERR(sys::cap_identify(FAR), Error::InvalidCap);
    ASSERT_VALUE(moved, sys::cap_identify(FURTHER));
    EXPECT_EQ_U(moved.type, abi::CapType::Endpoint);
    ASSERT_VALUE(copy, sys::cap_identify(near.slot()));
    EXPECT_EQ_U(copy.word, 7);  // the badge
    // The copy is still its child: revoking the original from far away removes it.
    ASSERT_OK(sys::cap_revoke(FURTHER));
    EXPECT_ERR(sys::cap_identify(near.slot()), Error::InvalidCap);
    ASSERT_OK(sys::cap_delete(FURTHER));
    EXPECT_ERR(sys::cap_identify(FURTHER), Error::InvalidCap);

    // A Frame there maps, and its mapping goes with it.
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(sys::cap_copy(f.slot(), 0, FAR + 2, abi::RIGHTS_ALL));
    ASSERT_OK(sys::map(0, FAR + 2, RUN_VA, RW));
    auto* word = reinterpret_cast<volatile uint64_t*>(RUN_VA);
    *word = 0xfa7;
    EXPECT_EQ_U(*word, 0xfa7);
    ASSERT_OK(sys::cap_delete(FAR + 2));
    EXPECT_TRUE(!readable(VirtAddr(RUN_VA)));

    uint64_t kind = 0;
    EXPECT_OK(sys::kernel_verify(&kind));
}

// The Memory range that holds `pfn` (nullptr when none does).
const FrameAllocator::Range* range_of(Pfn pfn) {
    for (unsigned i = 0; i < frames().nr_ranges(); i++) {
        const FrameAllocator::Range& m = frames().range(i);
        if (pfn.raw() >= m.first_pfn && pfn.raw() < m.end_pfn) return &m;
    }
    return nullptr;
}

// Batches whose slots cross leaves (whatever their size: 64 consecutive
// frames put from 10 before a multiple of FAR on, through the window
// that places them there) fill every slot, and a refused one fills none.
void runs_across_leaves(unity::Runner& r) {
    ASSERT_VALUE(block, frames().alloc(Order(6)));
    const FrameAllocator::Range* range = range_of(block.pfn);
    ASSERT_TRUE(range != nullptr);
    const unsigned mem = range->slot;
    uint64_t pfns[abi::MINT_MAP_MAX];
    for (uint64_t i = 0; i < abi::MINT_MAP_MAX; i++) pfns[i] = block.pfn.raw() + i;
    const uint64_t into = block.pfn.raw() - range->first_pfn;  // the block's place in its range
    const uint64_t first = (into / FAR + 2) * FAR - 10;        // where its first frame goes
    const uint64_t window = first - into;
    ASSERT_OK(sys::memory_mint_frames(mem, pfns, abi::MINT_MAP_MAX, window));
    for (uint64_t i = 0; i < abi::MINT_MAP_MAX; i++) {
        ASSERT_VALUE(info, sys::cap_identify(first + i));
        EXPECT_EQ_U(info.word, pfns[i] << 8);
    }
    // Busy at its last slot: nothing minted, the slots before stay empty.
    EXPECT_ERR(sys::memory_mint_map(mem, 0, RUN_VA, pfns, abi::MINT_MAP_MAX, window - abi::MINT_MAP_MAX + 1),
               Error::Busy);
    for (uint64_t s = first - abi::MINT_MAP_MAX + 1; s < first; s++)
        EXPECT_ERR(sys::cap_identify(s), Error::InvalidCap);
    for (uint64_t i = 0; i < abi::MINT_MAP_MAX; i++) ASSERT_OK(sys::cap_delete(first + i));
    // Minted and mapped across leaves, then gone with the capabilities.
    ASSERT_OK(sys::memory_mint_map(mem, 0, RUN_VA, pfns, abi::MINT_MAP_MAX, window));
    for (uint64_t i = 0; i < abi::MINT_MAP_MAX; i++) {
        auto* word = reinterpret_cast<volatile uint64_t*>(RUN_VA + i * PAGE_SIZE);
        *word = i;
        EXPECT_EQ_U(*word, i);
    }
    for (uint64_t i = 0; i < abi::MINT_MAP_MAX; i++) ASSERT_OK(sys::cap_delete(first + i));
    EXPECT_TRUE(!readable(VirtAddr(RUN_VA)));
    uint64_t kind = 0;
    EXPECT_OK(sys::kernel_verify(&kind));
}

// Every call refuses a slot past the space, as a source or a destination,
// with InvalidCap, and nothing grows for it.
void slots_past_the_space_are_refused(unity::Runner& r) {
    const FrameAllocator::Range& range = frames().range(0);
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(empty, CapSlot::alloc());
    ASSERT_VALUE(empty2, CapSlot::alloc());
    // Their room made now (the space stays grown and would otherwise
    // move the levels compared).
    ASSERT_OK(make_slot_room(empty.slot(), empty.slot() + 1));
    ASSERT_OK(make_slot_room(empty2.slot(), empty2.slot() + 1));
    ASSERT_VALUE(start, levels());
    const uint64_t pfn = range.end_pfn - 1, pfns[2] = {pfn, pfn};
    const uint64_t past[] = {abi::MAX_CAP_SLOTS, abi::MAX_CAP_SLOTS + 1, abi::MAX_CAP_SLOTS + FAR,
                             (uint64_t(1) << 32) | abi::SLOT_SELF_TASK, ~uint64_t(0)};
    for (uint64_t s : past) {
        EXPECT_ERR(sys::cap_identify(s), Error::InvalidCap);
        EXPECT_ERR(sys::cap_copy(s, 0, empty.slot(), abi::RIGHTS_ALL), Error::InvalidCap);
        EXPECT_ERR(sys::cap_copy(ep.slot(), 0, s, abi::RIGHTS_ALL), Error::InvalidCap);
        EXPECT_ERR(sys::cap_copy(ep.slot(), s, empty.slot(), abi::RIGHTS_ALL), Error::InvalidCap);
        EXPECT_ERR(sys::cap_move(s, empty.slot()), Error::InvalidCap);
        EXPECT_ERR(sys::cap_move(ep.slot(), s), Error::InvalidCap);
        EXPECT_ERR(sys::cap_delete(s), Error::InvalidCap);
        EXPECT_ERR(sys::cap_revoke(s), Error::InvalidCap);
        EXPECT_ERR(sys::endpoint_create(s), Error::InvalidCap);
        EXPECT_ERR(sys::task_create(s, empty.slot()), Error::InvalidCap);
        EXPECT_ERR(sys::task_create(empty.slot(), s), Error::InvalidCap);
        EXPECT_ERR(sys::task_create(empty.slot(), empty2.slot(), 0, s), Error::InvalidCap);
        EXPECT_ERR(sys::memory_info(s), Error::InvalidCap);
        EXPECT_ERR(sys::memory_mint_frame(s, pfn, 0, RW, empty.slot()), Error::InvalidCap);
        EXPECT_ERR(sys::memory_mint_frame(range.slot, pfn, 0, RW, s), Error::InvalidCap);
        EXPECT_ERR(sys::memory_mint_frames(range.slot, pfns, 1, s), Error::InvalidCap);
        EXPECT_ERR(sys::memory_mint_map(range.slot, 0, RUN_VA, pfns, 1, s), Error::InvalidCap);
        EXPECT_ERR(sys::map(0, s, RUN_VA, RW), Error::InvalidCap);
        EXPECT_ERR(sys::map(s, f.slot(), RUN_VA, RW), Error::InvalidCap);
        EXPECT_ERR(sys::unmap(s), Error::InvalidCap);
        EXPECT_ERR(sys::protect(s, R), Error::InvalidCap);
        EXPECT_ERR(sys::read_clear_ad(s), Error::InvalidCap);
        EXPECT_ERR(sys::thread_start(s, 0x10000, CHILD_STACK_TOP, 0), Error::InvalidCap);
        EXPECT_ERR(sys::thread_set_fault(s, ep.slot()), Error::InvalidCap);
        EXPECT_ERR(sys::thread_set_fault(abi::SLOT_SELF_THREAD, s), Error::InvalidCap);
        EXPECT_ERR(sys::task_kill(s), Error::InvalidCap);
    }
    // A window that would end past the space.
    EXPECT_ERR(sys::memory_mint_frames(range.slot, pfns, 2, abi::MAX_CAP_SLOTS - 1), Error::InvalidCap);
    EXPECT_ERR(sys::memory_mint_map(range.slot, 0, RUN_VA, pfns, 2, abi::MAX_CAP_SLOTS - 1),
               Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(empty.slot()), Error::InvalidCap);
    EXPECT_ERR(sys::cap_identify(empty2.slot()), Error::InvalidCap);
    EXPECT_LEVELS(start);
}

// How far a task's space grows within a limit: copies of `ep` into slots
// `stride` apart from `stride` on, by the Task capability `task`, until one
// is refused; how many went in, and the refusal.
struct Filled {
    unsigned copies;
    Error refusal;
};
Filled fill(unsigned task, unsigned ep, uint64_t stride) {
    Filled f{0, Error::None};
    for (uint64_t s = stride; s < abi::MAX_CAP_SLOTS; s += stride) {
        f.refusal = sys::cap_copy(ep, task, s, abi::RIGHT_WRITE).error();
        if (f.refusal != Error::None) break;
        f.copies++;
    }
    return f;
}

constexpr uint64_t SMALL_LIMIT = 6 * PAGE_SIZE;
constexpr uint64_t STRIDE = 4096;  // far enough apart to lie in leaves of their own

// Two tasks with small kernel memory limits, made and never started: what
// their spaces take is charged to each, within its own limit. Filling one
// stops at OutOfSlots while the pool has plenty; the other grows as far as
// before; and when they go, everything comes back.
void a_space_stops_at_its_tasks_limit(unity::Runner& r) {
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(a, CapSlot::alloc());
    ASSERT_VALUE(a_thread, CapSlot::alloc());
    ASSERT_VALUE(b, CapSlot::alloc());
    ASSERT_VALUE(b_thread, CapSlot::alloc());
    for (unsigned s : {a.slot(), a_thread.slot(), b.slot(), b_thread.slot()})
        ASSERT_OK(make_slot_room(s, s + 1));
    ASSERT_VALUE(start, levels());
    {
        ASSERT_OK(sys::task_create(a.slot(), a_thread.slot(), SMALL_LIMIT));
        ASSERT_OK(sys::task_create(b.slot(), b_thread.slot(), SMALL_LIMIT));
        ASSERT_VALUE(before, sys::kernel_info());
        const Filled fa = fill(a.slot(), ep.slot(), STRIDE);
        EXPECT_EQ_U(fa.refusal, Error::OutOfSlots);
        EXPECT_TRUE(fa.copies > 0 && fa.copies <= SMALL_LIMIT / PAGE_SIZE);
        ASSERT_VALUE(after, sys::kernel_info());
        EXPECT_TRUE(after.pool_free > 64 * SMALL_LIMIT);  // not the pool: A's limit
        // Its leaves, and its directory grown on the way, all within its limit.
        const uint64_t taken = before.pool_free - after.pool_free;
        EXPECT_TRUE(taken >= fa.copies * PAGE_SIZE && taken <= SMALL_LIMIT);
        // A slot beyond A's directory: the directory alone passes its limit.
        EXPECT_ERR(sys::cap_copy(ep.slot(), a.slot(), FAR, abi::RIGHT_WRITE), Error::OutOfSlots);
        // A's leaves still take capabilities.
        EXPECT_OK(sys::cap_copy(ep.slot(), a.slot(), STRIDE + 1, abi::RIGHT_WRITE));
        // B grows as far as A did: A took nothing of B's.
        const Filled fb = fill(b.slot(), ep.slot(), STRIDE);
        EXPECT_EQ_U(fb.refusal, Error::OutOfSlots);
        EXPECT_EQ_U(fb.copies, fa.copies);
        uint64_t kind = 0;
        EXPECT_OK(sys::kernel_verify(&kind));
        // Their Task and Thread capabilities gone, they end.
        for (unsigned s : {a.slot(), a_thread.slot(), b.slot(), b_thread.slot()})
            EXPECT_OK(sys::cap_delete(s));
    }
    // Their spaces and our reservations for them came back.
    EXPECT_LEVELS(start);
}

// The same from inside: a task with a limit grows its own space until
// OutOfSlots, and a Recv naming a receive slot in a leaf it cannot make
// is refused with it too. Returns 0, or the failing step.
constexpr unsigned CHILD_EP = CHILD_FREE_SLOT;
int child_fills_its_space(uint64_t) {
    Filled f = fill(0, CHILD_EP, STRIDE);
    if (f.refusal != Error::OutOfSlots || f.copies == 0) return 1;
    auto k = sys::kmem_info();
    if (!k.ok() || k->used > k->limit) return 2;
    // A receive slot in a leaf not made (IPC slots have 12 bits).
    const unsigned recv = 4000, reply = 4001;
    if (sys::cap_identify(recv).error() != Error::InvalidCap) return 3;
    auto got = sys::recv(abi::IpcInfo::make(CHILD_EP, 0, recv, reply));
    if (got.ok() || got.error() != Error::OutOfSlots) return 4;
    return 0;
}

// Runs child_fills_its_space in a child with a limit, to its end; its exit status.
Result<uint64_t> run_filler(Hub* h, unsigned ep) {
    ChildOptions opt;
    opt.fault_ep = h->ep();
    opt.fault_badge = FAULT_BADGE | 9;
    opt.end_ep = h->ep();
    opt.end_badge = FAULT_BADGE | 9;
    opt.kmem_limit = 16 * PAGE_SIZE;  // its page tables and a few leaves
    Child c = TRY(Child::create(opt));
    TRY_STATUS(c.give(ep, CHILD_EP, abi::RIGHTS_ALL));
    TRY_STATUS(c.start(child_fills_its_space, 0));
    const uint64_t status = TRY(h->wait_exit(9));
    if (!wait_thread_dead(c.thread())) return Error::Busy;
    return status;
}

void a_task_fills_its_own_space(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    // The first run makes the leaves of the slots a child takes of ours;
    // the second shows that everything the child took comes back.
    ASSERT_VALUE(first, run_filler(h, ep.slot()));
    EXPECT_EQ_U(first, 0);
    ASSERT_VALUE(start, levels());
    ASSERT_VALUE(second, run_filler(h, ep.slot()));
    EXPECT_EQ_U(second, 0);
    EXPECT_LEVELS(start);
}

// A capability sent to a receive slot whose leaf a Recv made lands there;
// one in the answer to a Call lands in a receive slot with no leaf yet,
// which the answer makes (charged to the caller).
// Below abi::IPC_SLOTS, as slots an IpcInfo names for the call's own use.
constexpr unsigned PEER_EP = CHILD_FREE_SLOT, PEER_RECV = 960, PEER_REPLY = 961, PEER_GOT = 992;
int child_calls_for_a_capability(uint64_t) {
    if (sys::cap_identify(PEER_GOT).error() != Error::InvalidCap) return 1;
    sys::Msg m;
    m.w[0] = 0xca11;
    auto got = sys::call(abi::IpcInfo::make(PEER_EP, 0, PEER_GOT), m);
    if (!got.ok() || !got->info.cap_received()) return 2;
    auto id = sys::cap_identify(PEER_GOT);
    if (!id.ok() || id->type != abi::CapType::Endpoint) return 3;
    return 0;
}

void received_capabilities_land_in_new_leaves(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(ep, CapSlot::alloc());
    ASSERT_OK(sys::endpoint_create(ep.slot()));
    ASSERT_VALUE(c, h->child(10));
    ASSERT_OK(c.give(ep.slot(), PEER_EP, abi::RIGHT_WRITE | abi::RIGHT_GRANT));
    ASSERT_OK(c.start(child_calls_for_a_capability, 0));
    // Our receive slots, in a leaf the Recv makes if it does not exist.
    ASSERT_VALUE(got, sys::recv(abi::IpcInfo::make(ep.slot(), 0, PEER_RECV, PEER_REPLY)));
    EXPECT_EQ_U(got.msg.w[0], 0xca11);
    ASSERT_TRUE(got.info.is_call());
    sys::Msg m;
    ASSERT_OK(sys::reply(abi::IpcInfo::make(0, ep.slot(), 0, 0, PEER_REPLY), m));
    ASSERT_VALUE(status, h->wait_exit(10));
    EXPECT_EQ_U(status, 0);
}

}  // namespace

void run_capspace_tests(unity::Runner& r) {
    RUN_TEST(r, a_capability_far_into_the_space_works);
    RUN_TEST(r, runs_across_leaves);
    RUN_TEST(r, slots_past_the_space_are_refused);
    RUN_TEST(r, a_space_stops_at_its_tasks_limit);
    RUN_TEST(r, a_task_fills_its_own_space);
    RUN_TEST(r, received_capabilities_land_in_new_leaves);
}
