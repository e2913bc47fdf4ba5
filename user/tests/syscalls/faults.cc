// Fault delivery: a child's faults reach its fault endpoint (the hub) as a
// Call with kind, address, access and pc; RESUME retries the instruction,
// MAP maps the frame sent with the reply and retries, KILL (or having no
// fault endpoint) ends the task and nothing else.
// Revocation and Protect take effect in the child's address space.
#include <utility>

#include "runtime/fault.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/syscalls/suites.h"

extern "C" char fault_store_pc[], fault_csr_pc[];

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
// Where children fault: nothing is mapped there until the root says so.
constexpr uint64_t CHILD_VA = 0x5000'0000;
constexpr uint64_t MAGIC = 0x5a5a'0000'0000'0001ull;

// Stores MAGIC at `va` (the store's pc is fault_store_pc), reads it back
// and reports it, then reads the next page.
__attribute__((noinline)) int child_store_report_read_next(uint64_t va) {
    asm volatile(".globl fault_store_pc\nfault_store_pc:\n\tsd %0, 0(%1)" : : "r"(MAGIC), "r"(va) : "memory");
    (void)report(*reinterpret_cast<volatile uint64_t*>(va));
    (void)*reinterpret_cast<volatile uint64_t*>(va + PAGE_SIZE);
    (void)report(0xdead);  // only if the root resumed the second fault
    return 0;
}

int child_store(uint64_t va) {
    *reinterpret_cast<volatile uint64_t*>(va) = 1;
    (void)report(0xdead);
    return 0;
}

// Reads `va`, asks the root (which may change the mapping), reads again.
int child_read_ask_read(uint64_t va) {
    uint64_t v = *reinterpret_cast<volatile uint64_t*>(va);
    (void)ask(v);
    (void)report(*reinterpret_cast<volatile uint64_t*>(va));
    return 0;
}

// Writes 1 to `va`, asks the root, writes 2, reports.
int child_write_ask_write(uint64_t va) {
    auto* p = reinterpret_cast<volatile uint64_t*>(va);
    p[0] = 1;
    (void)ask(1);
    p[0] = 2;
    (void)report(p[0]);
    return 0;
}

__attribute__((noinline)) int child_privileged_csr(uint64_t) {
    uint64_t v;
    asm volatile(".globl fault_csr_pc\nfault_csr_pc:\n\tcsrr %0, sstatus" : "=r"(v));
    (void)report(v);
    return 0;
}

int child_write_own_text(uint64_t va) {
    *reinterpret_cast<volatile uint32_t*>(va) = 0;
    (void)report(0xdead);
    return 0;
}

int child_jump(uint64_t va) {
    reinterpret_cast<void (*)()>(va)();
    (void)report(0xdead);
    return 0;
}

// Waits on the hub for a fault of child `id` and checks it.
bool expect_fault(unity::Runner& r, Hub* h, HubEvent& ev, unsigned id, abi::FaultKind kind, uint64_t addr,
                  abi::FaultAccess access) {
    auto got = h->wait();
    if (!r.check(got.ok(), __FILE__, __LINE__, "hub wait: %s", error_name(got.error()))) return false;
    ev = std::move(got.value());
    if (!r.check(ev.fault, __FILE__, __LINE__, "expected a fault, got words %#lx %#lx (badge %#lx)",
                 ev.msg.w[0], ev.msg.w[1], ev.badge))
        return false;
    r.check(ev.id == id, __FILE__, __LINE__, "fault from child %u, expected %u", ev.id, id);
    r.check(ev.f.kind == kind, __FILE__, __LINE__, "fault kind %s, expected %s", fault_kind_name(ev.f.kind),
            fault_kind_name(kind));
    r.check(ev.f.addr == addr, __FILE__, __LINE__, "fault address %#lx, expected %#lx", ev.f.addr, addr);
    r.check(ev.f.access == access, __FILE__, __LINE__, "fault access %lu, expected %lu",
            uint64_t(ev.f.access), uint64_t(access));
    return r.check(ev.reply.valid(), __FILE__, __LINE__, "a fault arrives as a Call");
}

void page_fault_delivered_and_resumed(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(10));
    ASSERT_OK(c.start(child_store_report_read_next, CHILD_VA));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 10, abi::FaultKind::PageFault, CHILD_VA, abi::FaultAccess::Write)) return;
    EXPECT_EQ_U(ev.f.pc, reinterpret_cast<uint64_t>(fault_store_pc));
    EXPECT_EQ_U(ev.badge, FAULT_BADGE | 10);
    const uint64_t thread_id = ev.f.thread;
    // Give it a frame and let it retry the store.
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(sys::map(c.task(), f.slot(), CHILD_VA, RW));
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_RESUME)));
    ASSERT_VALUE(rep, h->wait());
    ASSERT_TRUE(!rep.fault);
    EXPECT_EQ_U(rep.msg.w[0], MAGIC);
    // The store landed in our frame.
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0), R));
    EXPECT_EQ_U(m.as<uint64_t>()[0], MAGIC);
    // The next page faults too, as a read from the same thread.
    HubEvent ev2;
    if (!expect_fault(r, h, ev2, 10, abi::FaultKind::PageFault, CHILD_VA + PAGE_SIZE, abi::FaultAccess::Read))
        return;
    EXPECT_EQ_U(ev2.f.thread, thread_id);
    ASSERT_OK(h->answer(ev2, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

void fault_kill_ends_only_that_task(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(11));
    ASSERT_OK(c.start(child_store, CHILD_VA));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 11, abi::FaultKind::PageFault, CHILD_VA, abi::FaultAccess::Write)) return;
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
    EXPECT_ERR(sys::task_kill(c.task()), Error::DeadObject);
    EXPECT_OK(sys::null());  // and we are still here
}

void fault_without_handler_ends_the_task(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(12, false));
    ASSERT_OK(c.start(child_store, CHILD_VA));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
    EXPECT_ERR(sys::task_kill(c.task()), Error::DeadObject);
}

void revoke_unmaps_in_child(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(13));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    {
        ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0)));
        m.as<uint64_t>()[0] = 0x1234;
    }
    ASSERT_VALUE(copy, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(f.slot(), 0, copy.slot(), R));
    ASSERT_OK(sys::map(c.task(), copy.slot(), CHILD_VA, R));
    ASSERT_OK(c.start(child_read_ask_read, CHILD_VA));
    ASSERT_VALUE(ask_ev, h->wait());
    ASSERT_TRUE(!ask_ev.fault);
    EXPECT_EQ_U(ask_ev.msg.w[0], 0x1234);
    // Revoking the parent removes the copy and with it the child's mapping.
    ASSERT_OK(sys::cap_revoke(f.slot()));
    EXPECT_ERR(sys::cap_identify(copy.slot()), Error::InvalidCap);
    ASSERT_OK(h->answer(ask_ev, sys::Msg{}));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 13, abi::FaultKind::PageFault, CHILD_VA, abi::FaultAccess::Read)) return;
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

void protect_takes_effect_in_child(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(14));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(sys::map(c.task(), f.slot(), CHILD_VA, RW));
    ASSERT_OK(c.start(child_write_ask_write, CHILD_VA));
    ASSERT_VALUE(ask_ev, h->wait());
    ASSERT_TRUE(!ask_ev.fault);
    ASSERT_OK(sys::protect(f.slot(), R));
    ASSERT_OK(h->answer(ask_ev, sys::Msg{}));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 14, abi::FaultKind::PageFault, CHILD_VA, abi::FaultAccess::Write)) return;
    ASSERT_OK(sys::protect(f.slot(), RW));
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_RESUME)));
    ASSERT_VALUE(rep, h->wait());
    ASSERT_TRUE(!rep.fault);
    EXPECT_EQ_U(rep.msg.w[0], 2);
}

void illegal_instruction_is_reported(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(15));
    ASSERT_OK(c.start(child_privileged_csr, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.fault);
    EXPECT_EQ_U(ev.f.kind, abi::FaultKind::IllegalInstruction);
    EXPECT_EQ_U(ev.f.pc, reinterpret_cast<uint64_t>(fault_csr_pc));
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

void write_to_text_faults(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(16));
    const uint64_t text = reinterpret_cast<uint64_t>(&child_jump);
    ASSERT_OK(c.start(child_write_own_text, text));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 16, abi::FaultKind::PageFault, text, abi::FaultAccess::Write)) return;
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    // The text is unchanged (it is shared with us).
    EXPECT_EQ_U(*reinterpret_cast<volatile uint32_t*>(text) == 0, false);
}

void execute_from_data_faults(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(17));
    ASSERT_VALUE(page, SharedMemory::create());
    page.as<uint16_t>()[0] = 0x8082;  // c.ret: harmless, were it executable
    ASSERT_OK(c.map(page));
    ASSERT_OK(c.start(child_jump, page.addr().raw()));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 17, abi::FaultKind::PageFault, page.addr().raw(), abi::FaultAccess::Exec))
        return;
    EXPECT_EQ_U(ev.f.pc, page.addr().raw());
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
}

// Once ReadClearAD has cleared a task's A/D bits, its page faults take the
// path that first asks whether the fault is only an A/D update (hardware
// without Svadu): accesses to the cleared page still work, and a fault on
// an unmapped page still reaches the handler as before.
void faults_after_read_clear_ad(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(19));
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_OK(sys::map(c.task(), f.slot(), CHILD_VA, RW));
    ASSERT_TRUE(sys::read_clear_ad(f.slot()).ok());  // A and D cleared
    ASSERT_OK(c.start(child_store_report_read_next, CHILD_VA));
    ASSERT_VALUE(rep, h->wait());
    ASSERT_TRUE(!rep.fault);
    EXPECT_EQ_U(rep.msg.w[0], MAGIC);  // the store and the load worked
    ASSERT_VALUE(used, sys::read_clear_ad(f.slot()));
    EXPECT_TRUE(used.accessed);
    EXPECT_TRUE(used.dirty);
    HubEvent ev;
    if (!expect_fault(r, h, ev, 19, abi::FaultKind::PageFault, CHILD_VA + PAGE_SIZE, abi::FaultAccess::Read))
        return;
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

// A FAULT_MAP answer: w1 = address, w2 = rights, the frame in `cap`.
sys::Msg map_verdict(uint64_t va, uint64_t rights) {
    sys::Msg m;
    m.w[0] = abi::FAULT_MAP;
    m.w[1] = va;
    m.w[2] = rights;
    return m;
}

// FAULT_MAP: the reply maps the frame it carries into the faulting task
// (through our capability, as Map would) and the store is retried. A reply
// that cannot map returns Map's error and changes nothing: the same Reply
// capability works afterwards, and ReplyRecv does not go on to receive.
void fault_map_reply_maps_and_resumes(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(18));
    ASSERT_OK(c.start(child_store_report_read_next, CHILD_VA));
    HubEvent ev;
    if (!expect_fault(r, h, ev, 18, abi::FaultKind::PageFault, CHILD_VA, abi::FaultAccess::Write)) return;
    ASSERT_VALUE(f, frames().alloc(Order(0), RW));
    ASSERT_VALUE(ro, frames().alloc(Order(0), R));
    const unsigned reply = ev.reply.slot();
    auto answer = [&](unsigned cap, const sys::Msg& m) {
        return sys::reply(abi::IpcInfo::make(0, cap, 0, 0, reply), m);
    };
    EXPECT_ERR(answer(0, map_verdict(CHILD_VA, RW)), Error::InvalidArgument);  // no frame
    EXPECT_ERR(answer(abi::SLOT_SELF_THREAD, map_verdict(CHILD_VA, RW)), Error::WrongType);
    ASSERT_VALUE(empty, CapSlot::alloc());
    EXPECT_ERR(answer(empty.slot(), map_verdict(CHILD_VA, RW)), Error::InvalidCap);
    EXPECT_ERR(answer(f.slot(), map_verdict(CHILD_VA + 8, RW)), Error::BadAlignment);
    EXPECT_ERR(answer(f.slot(), map_verdict(0xffff'ffc0'0000'0000ull, RW)),
               Error::InvalidArgument);  // kernel half
    EXPECT_ERR(answer(ro.slot(), map_verdict(CHILD_VA, RW)),
               Error::InvalidArgument);  // beyond the frame's rights
    EXPECT_ERR(answer(f.slot(), map_verdict(CHILD_VA, 0x100)), Error::InvalidArgument);
    ASSERT_OK(sys::map(c.task(), ro.slot(), CHILD_VA, R));
    EXPECT_ERR(answer(f.slot(), map_verdict(CHILD_VA, RW)), Error::Busy);  // a page is there
    ASSERT_OK(sys::unmap(ro.slot()));
    ASSERT_OK(sys::map(c.task(), f.slot(), CHILD_VA + 4 * PAGE_SIZE, RW));
    EXPECT_ERR(answer(f.slot(), map_verdict(CHILD_VA, RW)), Error::Busy);  // the frame is mapped already
    ASSERT_OK(sys::unmap(f.slot()));
    // ReplyRecv reports the error and does not receive (the child is still
    // blocked, so a receive would wait forever).
    ASSERT_VALUE(rx_slot, CapSlot::alloc());
    auto rr = sys::reply_recv(abi::IpcInfo::make(h->ep(), f.slot(), 0, rx_slot.slot(), reply),
                              map_verdict(CHILD_VA + 1, RW));
    EXPECT_ERR(rr, Error::BadAlignment);
    // The same Reply capability, now with a good answer, through ReplyRecv:
    // the next message is the child's report of what it stored.
    auto got = sys::reply_recv(abi::IpcInfo::make(h->ep(), f.slot(), 0, rx_slot.slot(), reply),
                               map_verdict(CHILD_VA, RW));
    slots().free(ev.reply.release());  // spent
    ASSERT_TRUE(got.ok());
    EXPECT_EQ_U(got->msg.w[0], MAGIC);
    EXPECT_TRUE(!got->info.is_call());
    // The mapping was made through our capability: Unmap takes it away.
    ASSERT_OK(sys::unmap(f.slot()));
    ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0), R));
    EXPECT_EQ_U(m.as<uint64_t>()[0], MAGIC);
    // The child reads the next page: fault, and we end it.
    HubEvent ev2;
    if (!expect_fault(r, h, ev2, 18, abi::FaultKind::PageFault, CHILD_VA + PAGE_SIZE, abi::FaultAccess::Read))
        return;
    ASSERT_OK(h->answer(ev2, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

}  // namespace

void run_fault_tests(unity::Runner& r) {
    RUN_TEST(r, page_fault_delivered_and_resumed);
    RUN_TEST(r, fault_kill_ends_only_that_task);
    RUN_TEST(r, fault_map_reply_maps_and_resumes);
    RUN_TEST(r, faults_after_read_clear_ad);
    RUN_TEST(r, fault_without_handler_ends_the_task);
    RUN_TEST(r, revoke_unmaps_in_child);
    RUN_TEST(r, protect_takes_effect_in_child);
    RUN_TEST(r, illegal_instruction_is_reported);
    RUN_TEST(r, write_to_text_faults);
    RUN_TEST(r, execute_from_data_faults);
}
