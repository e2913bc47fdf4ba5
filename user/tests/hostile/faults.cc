// A child task that touches what it must not: kernel memory, addresses
// that are not canonical, other tasks' memory, privileged instructions.
// Each attempt reaches the root (its fault handler) as a fault message with
// the right kind, address and access, and only the child ends.
#include <utility>

#include "abi/boot.h"
#include "runtime/fault.h"
#include "runtime/frames.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/common/hub.h"
#include "user/tests/common/util.h"
#include "user/tests/hostile/suites.h"

extern "C" char hostile_ebreak_pc[], hostile_amo_pc[], hostile_sret_pc[], hostile_satp_pc[],
    hostile_unimp_pc[];

namespace {

int child_load(uint64_t va) {
    (void)report(*reinterpret_cast<volatile uint64_t*>(va));
    return 0;
}

int child_store(uint64_t va) {
    *reinterpret_cast<volatile uint64_t*>(va) = 0x0bad;
    (void)report(0xdead);
    return 0;
}

int child_jump(uint64_t va) {
    reinterpret_cast<void (*)()>(va)();
    (void)report(0xdead);
    return 0;
}

__attribute__((noinline)) int child_ebreak(uint64_t) {
    asm volatile(".globl hostile_ebreak_pc\nhostile_ebreak_pc:\n\tebreak");
    (void)report(0xdead);
    return 0;
}

// An atomic on an address that is not 8-byte aligned.
__attribute__((noinline)) int child_misaligned_amo(uint64_t va) {
    uint64_t old;
    asm volatile(".globl hostile_amo_pc\nhostile_amo_pc:\n\tamoadd.d %0, %1, (%2)"
                 : "=r"(old)
                 : "r"(uint64_t(1)), "r"(va + 4)
                 : "memory");
    (void)report(old);
    return 0;
}

__attribute__((noinline)) int child_sret(uint64_t) {
    asm volatile(".globl hostile_sret_pc\nhostile_sret_pc:\n\tsret");
    (void)report(0xdead);
    return 0;
}

__attribute__((noinline)) int child_write_satp(uint64_t) {
    asm volatile(".globl hostile_satp_pc\nhostile_satp_pc:\n\tcsrw satp, zero");
    (void)report(0xdead);
    return 0;
}

// An instruction that is no instruction (all zero bits).
__attribute__((noinline)) int child_unimp(uint64_t) {
    asm volatile(".globl hostile_unimp_pc\nhostile_unimp_pc:\n\t.4byte 0");
    (void)report(0xdead);
    return 0;
}

// A system call with the stack pointer at `bad_sp`: the kernel never uses
// the caller's stack, so the call works; reports its result.
__attribute__((noinline)) int child_ecall_bad_stack(uint64_t bad_sp) {
    uint64_t result;
    asm volatile(
        "mv s1, sp\n\t"  // s1: preserved across a call (t0..t6 are not)
        "mv sp, %1\n\t"
        "li a7, 0\n\t"  // Sys::Null
        "ecall\n\t"
        "mv sp, s1\n\t"
        "mv %0, a0"
        : "=r"(result)
        : "r"(bad_sp)
        : "s1", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
          "memory");
    (void)report(result, 0x600d);
    return 0;
}

int child_count(uint64_t counter_va) {
    auto* counter = reinterpret_cast<volatile uint64_t*>(counter_va);
    for (;;) counter[0] = counter[0] + 1;
}

struct Expected {
    abi::FaultKind kind;
    uint64_t addr;  // checked unless `any_addr`
    abi::FaultAccess access;
    uint64_t pc;  // checked when nonzero
    bool any_addr = false;
    bool any_access = false;  // the ABI names no access for instruction faults
};

// Starts a child running fn(arg), waits for its fault, checks it, kills
// the child and makes sure it is gone.
void expect_child_fault(unity::Runner& r, unsigned id, ChildFn fn, uint64_t arg, const Expected& want,
                        const SharedMemory* shared = nullptr) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(id));
    if (shared) ASSERT_OK(c.map(*shared));
    ASSERT_OK(c.start(fn, arg));
    ASSERT_VALUE(ev, h->wait());
    if (!r.check(ev.fault, __FILE__, __LINE__, "child %u (arg %#lx): no fault but words %#lx %#lx", id, arg,
                 ev.msg.w[0], ev.msg.w[1]))
        return;
    r.check(ev.id == id, __FILE__, __LINE__, "fault from child %u, expected %u", ev.id, id);
    r.check(ev.f.kind == want.kind, __FILE__, __LINE__, "arg %#lx: kind %s, expected %s", arg,
            fault_kind_name(ev.f.kind), fault_kind_name(want.kind));
    r.check(want.any_addr || ev.f.addr == want.addr, __FILE__, __LINE__, "address %#lx, expected %#lx",
            ev.f.addr, want.addr);
    r.check(want.any_access || ev.f.access == want.access, __FILE__, __LINE__,
            "arg %#lx: access %lu, expected %lu", arg, uint64_t(ev.f.access), uint64_t(want.access));
    r.check(!want.pc || ev.f.pc == want.pc, __FILE__, __LINE__, "pc %#lx, expected %#lx", ev.f.pc, want.pc);
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    EXPECT_TRUE(wait_thread_dead(c.thread()));
}

constexpr uint64_t KERNEL_ADDRESSES[] = {KERNEL_TEXT_VA, KERNEL_HALF_VA, 0xffff'ffc0'8000'0000ull,
                                         0xffff'ffe0'0000'0000ull, 0xffff'ffff'ffff'fff8ull};

void reading_kernel_memory_faults(unity::Runner& r) {
    for (uint64_t va : KERNEL_ADDRESSES)
        expect_child_fault(r, 60, child_load, va, {abi::FaultKind::PageFault, va, abi::FaultAccess::Read, 0});
}

void writing_kernel_memory_faults(unity::Runner& r) {
    for (uint64_t va : KERNEL_ADDRESSES)
        expect_child_fault(r, 61, child_store, va,
                           {abi::FaultKind::PageFault, va, abi::FaultAccess::Write, 0});
}

void executing_kernel_memory_faults(unity::Runner& r) {
    expect_child_fault(r, 62, child_jump, KERNEL_TEXT_VA,
                       {abi::FaultKind::PageFault, KERNEL_TEXT_VA, abi::FaultAccess::Exec, KERNEL_TEXT_VA});
}

// Non-canonical addresses fault too (a page fault in Sv39; the kernel may
// report it as an access fault); null and the top of the user half as well.
void odd_addresses_fault(unity::Runner& r) {
    const uint64_t noncanonical[] = {NONCANONICAL_VA, abi::USER_END, uint64_t(1) << 63};
    for (uint64_t va : noncanonical) {
        ASSERT_VALUE(h, hub());
        ASSERT_VALUE(c, h->child(63));
        ASSERT_OK(c.start(child_load, va));
        ASSERT_VALUE(ev, h->wait());
        ASSERT_TRUE(ev.fault);
        EXPECT_TRUE(ev.f.kind == abi::FaultKind::PageFault || ev.f.kind == abi::FaultKind::AccessFault);
        EXPECT_EQ_U(ev.f.access, abi::FaultAccess::Read);
        ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
    }
    expect_child_fault(r, 64, child_load, 0, {abi::FaultKind::PageFault, 0, abi::FaultAccess::Read, 0});
    expect_child_fault(r, 64, child_store, 8, {abi::FaultKind::PageFault, 8, abi::FaultAccess::Write, 0});
}

// Memory the child was never given: the root's own pages at the same
// addresses (shared text excepted), its stack and boot info.
void other_tasks_memory_faults(unity::Runner& r) {
    ASSERT_VALUE(mine, SharedMemory::create());
    mine.as<uint64_t>()[0] = 0x5ec7e7;
    const uint64_t private_va = mine.addr().raw();
    expect_child_fault(r, 65, child_load, private_va,
                       {abi::FaultKind::PageFault, private_va, abi::FaultAccess::Read, 0});
    expect_child_fault(r, 65, child_load, abi::ROOT_BOOTINFO_VA,
                       {abi::FaultKind::PageFault, abi::ROOT_BOOTINFO_VA, abi::FaultAccess::Read, 0});
    expect_child_fault(r, 65, child_store, abi::ROOT_STACK_TOP - 64,
                       {abi::FaultKind::PageFault, abi::ROOT_STACK_TOP - 64, abi::FaultAccess::Write, 0});
    EXPECT_EQ_U(mine.as<uint64_t>()[0], 0x5ec7e7);
}

void privileged_instructions_fault(unity::Runner& r) {
    const auto exec = abi::FaultAccess::Exec;
    expect_child_fault(r, 66, child_unimp, 0,
                       {abi::FaultKind::IllegalInstruction, 0, exec,
                        reinterpret_cast<uint64_t>(hostile_unimp_pc), true, true});
    expect_child_fault(r, 66, child_sret, 0,
                       {abi::FaultKind::IllegalInstruction, 0, exec,
                        reinterpret_cast<uint64_t>(hostile_sret_pc), true, true});
    expect_child_fault(r, 66, child_write_satp, 0,
                       {abi::FaultKind::IllegalInstruction, 0, exec,
                        reinterpret_cast<uint64_t>(hostile_satp_pc), true, true});
    // A breakpoint is not one of the named kinds.
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(67));
    ASSERT_OK(c.start(child_ebreak, 0));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.fault);
    EXPECT_EQ_U(ev.f.kind, abi::FaultKind::Other);
    EXPECT_EQ_U(ev.f.pc, reinterpret_cast<uint64_t>(hostile_ebreak_pc));
    ASSERT_OK(h->answer(ev, fault_verdict(abi::FAULT_KILL)));
}

// The privileged spec makes a misaligned AMO a store/AMO exception; QEMU
// 7.2 raises a load-address-misaligned one, so either access is accepted.
void misaligned_atomic_faults(unity::Runner& r) {
    ASSERT_VALUE(page, SharedMemory::create());
    const uint64_t va = page.addr().raw();
    Expected want{abi::FaultKind::Misaligned, va + 4, abi::FaultAccess::Write,
                  reinterpret_cast<uint64_t>(hostile_amo_pc)};
    want.any_access = true;
    expect_child_fault(r, 68, child_misaligned_amo, va, want, &page);
    EXPECT_EQ_U(page.as<uint64_t>()[0], 0);  // the atomic did nothing
}

// A system call made with the stack pointer anywhere (null, kernel, not
// canonical, misaligned) works and leaves the caller running.
void ecall_with_a_bad_stack_works(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    for (uint64_t sp : {uint64_t(0), KERNEL_TEXT_VA, NONCANONICAL_VA, uint64_t(0x5000'0001)}) {
        ASSERT_VALUE(c, h->child(70));
        ASSERT_OK(c.start(child_ecall_bad_stack, sp));
        ASSERT_VALUE(ev, h->wait());
        ASSERT_TRUE(!ev.fault);
        EXPECT_EQ_U(ev.msg.w[0], 0);  // Error::None
        EXPECT_EQ_U(ev.msg.w[1], 0x600d);
        ASSERT_VALUE(status, h->wait_exit(70));
        EXPECT_EQ_U(status, 0);
    }
}

// Every kind of fault, with every kind of answer from its handler --
// kill; resume without mending anything (the fault comes again); a bogus
// FAULT_MAP (no frame, or a frame for a kernel address: refused, the
// fault still waits); no answer at all (the Reply capability deleted) --
// ends the faulting task alone: a task beside it keeps running, and the
// faulting one's end notice says it ended by a fault.
enum class Answer : uint8_t { Kill, Resume, BogusMap, NoReply };

void answer_fault(unity::Runner& r, Hub& h, HubEvent& ev, Answer how) {
    const abi::IpcInfo reply = abi::IpcInfo::make(0, 0, 0, 0, ev.reply.slot());
    switch (how) {
        case Answer::Kill:
            ASSERT_OK(h.answer(ev, fault_verdict(abi::FAULT_KILL)));
            return;
        case Answer::Resume: {
            ASSERT_OK(h.answer(ev, fault_verdict(abi::FAULT_RESUME)));
            ASSERT_VALUE(again, h.wait());  // nothing changed: the same fault
            ASSERT_TRUE(again.fault);
            EXPECT_EQ_U(again.f.pc, ev.f.pc);
            ASSERT_OK(h.answer(again, fault_verdict(abi::FAULT_KILL)));
            return;
        }
        case Answer::BogusMap: {
            sys::Msg map;
            map.w[0] = abi::FAULT_MAP;
            map.w[1] = KERNEL_TEXT_VA;
            map.w[2] = abi::RIGHT_READ | abi::RIGHT_WRITE;
            EXPECT_ERR(sys::reply(reply, map), Error::InvalidArgument);  // no frame
            ASSERT_VALUE(f, frames().alloc(Order(0)));
            EXPECT_ERR(sys::reply(abi::IpcInfo::make(0, f.slot(), 0, 0, ev.reply.slot()), map),
                       Error::InvalidArgument);                       // a kernel address
            ASSERT_OK(h.answer(ev, fault_verdict(abi::FAULT_KILL)));  // the Reply cap still works
            return;
        }
        case Answer::NoReply:
            ev.reply.reset();
            return;
    }
}

void every_fault_and_answer_leaves_the_others_running(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(counter, SharedMemory::create());
    ASSERT_VALUE(page, SharedMemory::create());
    ASSERT_VALUE(bystander, h->child(80));
    ASSERT_OK(bystander.map(counter));
    ASSERT_OK(bystander.start(child_count, counter.addr().raw()));
    volatile uint64_t* count = counter.as<volatile uint64_t>();
    struct Way {
        ChildFn fn;
        uint64_t arg;
    } const ways[] = {
        {child_load, KERNEL_HALF_VA},
        {child_store, NONCANONICAL_VA},
        {child_load, 0},
        {child_jump, KERNEL_TEXT_VA},
        {child_unimp, 0},
        {child_sret, 0},
        {child_write_satp, 0},
        {child_ebreak, 0},
        {child_misaligned_amo, page.addr().raw()},
    };
    for (const Way& way : ways) {
        for (Answer how : {Answer::Kill, Answer::Resume, Answer::BogusMap, Answer::NoReply}) {
            ASSERT_VALUE(c, h->child(81));
            ASSERT_OK(c.map(page));
            ASSERT_OK(c.start(way.fn, way.arg));
            ASSERT_VALUE(ev, h->wait());
            ASSERT_TRUE(ev.fault);
            answer_fault(r, *h, ev, how);
            ASSERT_VALUE(end, h->wait_any());
            ASSERT_TRUE(end.end);
            EXPECT_EQ_U(end.id, 81);
            EXPECT_EQ_U(end.e.how, abi::TaskEnd::Fault);
            const uint64_t before = count[0];
            for (unsigned i = 0; i < 1000 && count[0] == before; i++) (void)sys::yield();
            EXPECT_TRUE(count[0] != before);  // the bystander runs on
        }
    }
    EXPECT_TRUE(!thread_dead(bystander.thread()));
}

// An answer that is neither RESUME nor KILL must not let the child run on
// as if its fault were handled: it ends, or it faults again.
void garbage_fault_answer_is_safe(unity::Runner& r) {
    ASSERT_VALUE(h, hub());
    ASSERT_VALUE(c, h->child(69));
    ASSERT_OK(c.start(child_store, 0x5000'0000));
    ASSERT_VALUE(ev, h->wait());
    ASSERT_TRUE(ev.fault);
    sys::Msg garbage;
    for (unsigned i = 0; i < abi::MSG_WORDS; i++) garbage.w[i] = 0x7777'0000 + i;
    ASSERT_OK(h->answer(ev, garbage));
    if (wait_thread_dead(c.thread(), 50)) return;
    ASSERT_VALUE(again, h->wait());
    EXPECT_TRUE(again.fault);
    EXPECT_EQ_U(again.f.addr, 0x5000'0000);
    ASSERT_OK(h->answer(again, fault_verdict(abi::FAULT_KILL)));
}

}  // namespace

void run_fault_tests(unity::Runner& r) {
    RUN_TEST(r, reading_kernel_memory_faults);
    RUN_TEST(r, writing_kernel_memory_faults);
    RUN_TEST(r, executing_kernel_memory_faults);
    RUN_TEST(r, odd_addresses_fault);
    RUN_TEST(r, other_tasks_memory_faults);
    RUN_TEST(r, privileged_instructions_fault);
    RUN_TEST(r, misaligned_atomic_faults);
    RUN_TEST(r, garbage_fault_answer_is_safe);
    RUN_TEST(r, ecall_with_a_bad_stack_works);
    RUN_TEST(r, every_fault_and_answer_leaves_the_others_running);
}
