// The kernel's consistency check (kernel/obj/verify.h) on a small state
// built with the kernel's own calls: four tasks, endpoints, frames minted
// from a Memory capability and mapped, copies (one far into the capability
// space, in a leaf of its own), a fault endpoint, and threads running,
// ready, waiting to receive and waiting for a reply. The
// check finds it consistent; then one field at a time is damaged, the
// check must report it (with the right kind of finding), the field is put
// back and the check passes again. At the end everything is torn down and
// the pool is as it was.
#include "kernel/obj/verify.h"

#include "kernel/boot/boot.h"
#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/ktest/ktest.h"
#include "kernel/notify.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/task.h"
#include "kernel/paging.h"
#include "kernel/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace {

using verify::Check;

constexpr uint64_t POOL_BYTES = 2 << 20;
constexpr uint64_t MEMORY_PAGES = 32;
constexpr uint64_t LIMIT = 64 << 10;
constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;
// Slots of task A's capability space.
enum : unsigned {
    MEM = 10,
    EP = 11,
    B_TASK = 12,
    B_THREAD = 13,
    FRAME = 14,       // order 0, mapped in B at B_VA
    FRAME_COPY = 15,  // a copy of FRAME, not mapped
    FRAME2 = 16,      // order 1, mapped in A at A_VA
    C_TASK = 17,
    C_THREAD = 18,
    D_TASK = 19,
    D_THREAD = 20,
    EP2 = 21,
    NT = 22,   // a notification W waits on
    NT2 = 23,  // a notification C is bound to
    W_TASK = 24,
    W_THREAD = 25,
    IRQ_CONTROL = 26,
    IRQ = 27,            // the handler of line IRQ_LINE (when there is an interrupt controller)
    REPLY = 30,          // the Reply capability of B's Call
    SPARE = 40,          // empty, in the second leaf
    EP2_COPY = 100'000,  // a copy of EP2, in a leaf of its own
};
constexpr unsigned B_EP = 8;  // B's copy of EP, badged
constexpr uint64_t IRQ_LINE = 5;
constexpr uint64_t B_VA = 0x10000, A_VA = 0x20000;

struct World {
    bool ok;
    Task *a, *b, *c, *d;
    Task* w;  // its thread waits on a notification
    Thread *ta, *tb, *tc, *td, *tw;
    Endpoint *e, *e2;
    Notification *n, *n2;
    PhysAddr memory;
    uint64_t pool_free_at_start;
};
constinit World W{};

// A system call's handler run for `t` with arguments a0..a4; its a0.
Error call(void (*handler)(Thread*), Thread* t, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
           uint64_t a3 = 0, uint64_t a4 = 0) {
    const uint64_t args[] = {a0, a1, a2, a3, a4};
    for (unsigned i = 0; i < 5; i++) t->ctx.set_arg(i, args[i]);
    handler(t);
    return Error(t->ctx.arg(0));
}

Thread* thread_of(Task* t) { return t->threads; }

// Slot `slot` of task A, whose leaf exists.
Cap& a_slot(unsigned slot) { return *W.a->space.at(slot); }

bool consistent(unity::Runner& r, int line) {
    verify::Finding f;
    const bool ok = verify::run(&f);
    return r.check(ok, __FILE__, line, "verify: %s: %s", verify::check_name(f.check), f.message);
}

bool detects(unity::Runner& r, Check want, int line) {
    verify::Finding f;
    const bool ok = verify::run(&f);
    return r.check(!ok && f.check == want, __FILE__, line, "verify: %s (%s), expected %s",
                   ok ? "consistent" : verify::check_name(f.check), f.message, verify::check_name(want));
}

#define EXPECT_CONSISTENT() consistent(r, __LINE__)
#define EXPECT_DETECTS(check) detects(r, check, __LINE__)

// A field set to a damaged value until undo() (or the end of the scope).
template <typename T>
class Damage {
public:
    Damage(T* field, T value) : field_(field), saved_(*field) { *field = value; }
    ~Damage() { undo(); }
    void undo() { *field_ = saved_; }

private:
    T* field_;
    T saved_;
};

// Slot `slot` of task A as `change` leaves a copy of it, until undo() (or
// the end of the scope): for the typed fields, which are not addressable.
template <typename Change>
Damage<Cap> damage_cap(unsigned slot, Change change) {
    Cap damaged = a_slot(slot);
    change(damaged);
    return Damage<Cap>(&a_slot(slot), damaged);
}

bool world_ready(unity::Runner& r) { return r.check(W.ok, __FILE__, __LINE__, "the state was not built"); }

Status build() {
    // NOLINTNEXTLINE(readability-suspicious-call-argument): a size, then its alignment
    auto pool = boot_memblock().alloc(POOL_BYTES, PAGE_SIZE);
    if (!pool.ok()) return pool.error();
    TRY_STATUS(kpool::add_region(PhysRange{*pool, POOL_BYTES},
                                 [](PhysAddr pa) { return arch::phys_to_virt(pa).as<void>(); }));
    W.pool_free_at_start = kpool::stats().free_bytes;
    auto mem = boot_memblock().alloc(MEMORY_PAGES * PAGE_SIZE, MEMORY_PAGES * PAGE_SIZE);
    if (!mem.ok()) return mem.error();
    W.memory = *mem;

    W.a = TRY(tasks::create("verify-a"));
    W.ta = thread_of(W.a);
    Cap m{};
    m.type = abi::CapType::Memory;
    m.rights = RW;
    m.set_memory(W.memory.to_pfn().raw(), MEMORY_PAGES);
    caps::install(TRY(caps::empty_slot(W.a, MEM)), m, nullptr);
    TRY(caps::empty_slot(W.a, SPARE));  // its leaf, for the damage tests
    const uint64_t pfn = m.memory_first();
    Thread* ta = W.ta;
    const Error steps[] = {
        call(syscall::endpoint_create_body, ta, EP),
        call(syscall::task_create_body, ta, B_TASK, B_THREAD, LIMIT),
        call(syscall::task_create_body, ta, C_TASK, C_THREAD, LIMIT),
        call(syscall::task_create_body, ta, D_TASK, D_THREAD, LIMIT),
        call(syscall::memory_mint_frame_body, ta, MEM, pfn, 0, RW, FRAME),
        call(syscall::map_body, ta, B_TASK, FRAME, B_VA, RW),
        call(syscall::cap_copy_body, ta, FRAME, 0, FRAME_COPY, abi::RIGHTS_ALL, 0),
        call(syscall::memory_mint_frame_body, ta, MEM, pfn + 2, 1, RW, FRAME2),
        call(syscall::map_body, ta, 0, FRAME2, A_VA, RW),
        call(syscall::cap_copy_body, ta, EP, B_TASK, B_EP, abi::RIGHTS_ALL, 5),
        call(syscall::thread_set_fault_body, ta, B_THREAD, EP),
        call(syscall::endpoint_create_body, ta, EP2),
        call(syscall::cap_copy_body, ta, EP2, 0, EP2_COPY, abi::RIGHTS_ALL, 0),
        call(syscall::task_create_body, ta, W_TASK, W_THREAD, LIMIT),
        call(syscall::notification_create_body, ta, NT),
        call(syscall::notification_create_body, ta, NT2),
        call(syscall::thread_bind_notification_body, ta, C_THREAD, NT2),
    };
    for (Error e : steps)
        if (e != Error::None) return e;
    if (irq::available()) {
        Cap control{};
        control.type = abi::CapType::IrqControl;
        control.rights = abi::RIGHTS_ALL;
        caps::install(TRY(caps::empty_slot(W.a, IRQ_CONTROL)), control, nullptr);
        if (Error e = call(syscall::irq_control_get_body, ta, IRQ_CONTROL, IRQ_LINE, 0, IRQ);
            e != Error::None)
            return e;
    }
    W.b = static_cast<Task*>(a_slot(B_TASK).obj);
    W.c = static_cast<Task*>(a_slot(C_TASK).obj);
    W.d = static_cast<Task*>(a_slot(D_TASK).obj);
    W.tb = thread_of(W.b);
    W.tc = thread_of(W.c);
    W.td = thread_of(W.d);
    W.w = static_cast<Task*>(a_slot(W_TASK).obj);
    W.tw = thread_of(W.w);
    W.e = static_cast<Endpoint*>(a_slot(EP).obj);
    W.e2 = static_cast<Endpoint*>(a_slot(EP2).obj);
    W.n = static_cast<Notification*>(a_slot(NT).obj);
    W.n2 = static_cast<Notification*>(a_slot(NT2).obj);
    for (Thread* t : {W.ta, W.tb, W.tc, W.td, W.tw})
        TRY_STATUS(tasks::start_thread(t, B_VA, B_VA + PAGE_SIZE, 0, abi::PRIORITY_DEFAULT));
    // A waits on EP; B calls it and waits for the reply A now holds, A
    // runs; C waits on EP too (bound to NT2); D stays ready; W waits on NT.
    sched::unready(W.ta);
    ipc::recv(W.ta, W.e, abi::IpcInfo::make(EP, 0, 0, REPLY));
    sched::unready(W.tb);
    ipc::send(W.tb, W.e, 5, true, 0);
    sched::unready(W.tc);
    ipc::recv(W.tc, W.e, abi::IpcInfo::make(0));
    sched::unready(W.tw);
    notify::wait(W.tw, W.n);
    if (sched::current() != W.ta || W.tb->state != ThreadState::BlockedReply || a_slot(REPLY).empty() ||
        W.tw->state != ThreadState::BlockedWait || W.tc->bound != W.n2)
        return Error::Malformed;
    return {};
}

void builds_a_consistent_state(unity::Runner& r) {
    Status s = build();
    W.ok = s.ok();
    ASSERT_TRUE(r.check(W.ok, __FILE__, __LINE__, "building: %s", error_name(s.error())));
    EXPECT_CONSISTENT();
}

void finds_a_broken_free_list_in_the_pool(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    // An endpoint-sized object freed next to the endpoints: its first word
    // is the free list's link.
    auto o = kpool::alloc_object(sizeof(Endpoint));
    ASSERT_TRUE(o.ok());
    kpool::free_object(*o, sizeof(Endpoint));
    Damage<uint64_t> d(static_cast<uint64_t*>(*o), 8);
    EXPECT_DETECTS(Check::Pool);
    d.undo();
    EXPECT_CONSISTENT();
}

void finds_a_pool_page_nobody_holds(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    auto leaked = kpool::alloc_pages(1);
    ASSERT_TRUE(leaked.ok());
    EXPECT_DETECTS(Check::PoolAccount);
    kpool::free_pages(*leaked, 1);
    EXPECT_CONSISTENT();
}

void finds_an_object_header_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<bool> d(&W.e2->own_page, true);
        EXPECT_DETECTS(Check::Object);
    }
    {
        Damage<uint32_t> d(&W.e2->refs, 0);
        EXPECT_DETECTS(Check::Object);
    }
    EXPECT_CONSISTENT();
}

void finds_reference_counts_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<uint32_t> d(&W.e2->refs, W.e2->refs + 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    {
        Damage<uint32_t> d(&W.c->refs, W.c->refs - 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    {
        Damage<uint32_t> d(&W.tb->refs, W.tb->refs + 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    {
        Damage<uint32_t> d(&W.e->caps, W.e->caps + 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    EXPECT_CONSISTENT();
}

void finds_reference_counts_wrong_in_later_batches(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    verify::set_batch_limit(1);
    EXPECT_CONSISTENT();
    {
        Damage<uint32_t> d(&W.e2->refs, W.e2->refs + 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    {
        Damage<uint32_t> d(&W.a->refs, W.a->refs + 1);
        EXPECT_DETECTS(Check::RefCount);
    }
    verify::set_batch_limit(~0u);
    EXPECT_CONSISTENT();
}

void finds_an_empty_slot_with_fields(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        auto d = damage_cap(SPARE, [](Cap& c) { c.set_badge(1); });
        EXPECT_DETECTS(Check::CapEmpty);
    }
    {
        Damage<Cap*> d(&a_slot(SPARE).parent, &a_slot(EP));
        EXPECT_DETECTS(Check::CapEmpty);
    }
    EXPECT_CONSISTENT();
}

void finds_derivation_links_that_disagree(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<Cap*> d(&a_slot(FRAME).first_child, nullptr);
        EXPECT_DETECTS(Check::CapLink);
    }
    {
        // A pointer into the middle of a slot names no capability.
        Cap* inside = reinterpret_cast<Cap*>(reinterpret_cast<char*>(&a_slot(EP2)) + 8);
        Damage<Cap*> d(&a_slot(EP2_COPY).next_sibling, inside);
        EXPECT_DETECTS(Check::CapLink);
    }
    {
        Damage<Cap*> d(&a_slot(EP2).prev_sibling, &a_slot(EP));
        EXPECT_DETECTS(Check::CapLink);
    }
    EXPECT_CONSISTENT();
}

void finds_capabilities_no_root_reaches(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    // EP2 and its copy each the other's parent: every link agrees with its
    // partner, but neither is reachable from a root.
    Damage<Cap*> d1(&a_slot(EP2).parent, &a_slot(EP2_COPY));
    Damage<Cap*> d2(&a_slot(EP2_COPY).first_child, &a_slot(EP2));
    EXPECT_DETECTS(Check::CapTree);
    d1.undo();
    d2.undo();
    EXPECT_CONSISTENT();
}

void finds_typed_fields_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        // Misaligned for its order, 1.
        auto d = damage_cap(FRAME2, [](Cap& c) { c.set_frame(c.frame_pfn() + 1, c.frame_order()); });
        EXPECT_DETECTS(Check::CapFields);
    }
    {
        auto d = damage_cap(FRAME2, [](Cap& c) { c.set_frame(c.frame_pfn(), abi::FRAME_ORDER_MAX + 1); });
        EXPECT_DETECTS(Check::CapFields);
    }
    {
        Damage<uint8_t> d(&a_slot(FRAME_COPY).rights, abi::RIGHTS_ALL);  // more than its parent
        EXPECT_DETECTS(Check::CapFields);
    }
    {
        auto d = damage_cap(MEM, [](Cap& c) { c.set_memory(c.memory_first(), 0); });
        EXPECT_DETECTS(Check::CapFields);
    }
    {
        auto d = damage_cap(D_TASK, [](Cap& c) { c.set_badge(1); });  // a Task capability has none
        EXPECT_DETECTS(Check::CapFields);
    }
    EXPECT_CONSISTENT();
}

void finds_a_capability_naming_the_wrong_object(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<KObject*> d(&a_slot(D_TASK).obj, W.e);
        EXPECT_DETECTS(Check::CapObject);
    }
    {
        Damage<KObject*> d(&a_slot(REPLY).obj, W.c);
        EXPECT_DETECTS(Check::CapObject);
    }
    EXPECT_CONSISTENT();
}

void finds_mapping_records_that_disagree(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<Cap*> d(&a_slot(FRAME2).map_next, &a_slot(FRAME_COPY));
        EXPECT_DETECTS(Check::Mapping);
    }
    {
        Damage<uint64_t> d(&a_slot(FRAME_COPY).mapped_va, A_VA);
        EXPECT_DETECTS(Check::Mapping);
    }
    EXPECT_CONSISTENT();
}

void finds_page_tables_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    // The last word of a root table is an entry of the kernel half.
    uint64_t* root = arch::phys_to_virt(W.b->pt_root).as<uint64_t>();
    Damage<uint64_t> d(&root[PAGE_SIZE / 8 - 1], root[PAGE_SIZE / 8 - 1] ^ (uint64_t(1) << 8));
    EXPECT_DETECTS(Check::PageTable);
    d.undo();
    EXPECT_CONSISTENT();
}

void finds_a_mapping_its_leaves_do_not_make(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<uint8_t> d(&a_slot(FRAME2).rights, abi::RIGHT_READ);  // the leaves allow writing
        EXPECT_DETECTS(Check::Leaf);
    }
    {
        Damage<uint64_t> d(&a_slot(FRAME2).mapped_va, A_VA + 2 * PAGE_SIZE);  // nothing there
        EXPECT_DETECTS(Check::Leaf);
    }
    EXPECT_CONSISTENT();
}

void finds_a_leaf_no_mapping_records(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    // Beside B's mapped page, in the same table: no table is made.
    const VirtAddr va(B_VA + PAGE_SIZE);
    ASSERT_TRUE(
        arch::user_map(W.b->pt_root, va, W.memory + 8 * PAGE_SIZE, PAGE_SIZE, RW,
                       arch::FrameSource{[](void*) -> Result<PhysAddr> { return Error::NoMemory; }, nullptr})
            .ok());
    EXPECT_DETECTS(Check::Unrecorded);
    ASSERT_TRUE(arch::user_unmap(W.b->pt_root, W.b->asid, va, PAGE_SIZE).ok());
    EXPECT_CONSISTENT();
}

void finds_task_fields_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        char saved[sizeof W.a->name];
        for (unsigned i = 0; i < sizeof saved; i++) saved[i] = W.a->name[i];
        for (char& ch : W.a->name) ch = 'x';
        EXPECT_DETECTS(Check::Task);
        for (unsigned i = 0; i < sizeof saved; i++) W.a->name[i] = saved[i];
    }
    {
        // A leaf dropped from its directory (and its count): the
        // capabilities in it are no capabilities any more, yet links in
        // the tree still name them.
        const uint64_t i = EP2_COPY / CAP_LEAF_SLOTS;
        Damage<CapSpace::Entry> d1(&W.a->space.dir[i], CapSpace::no_leaf(i));
        Damage<uint32_t> d2(&W.a->space.nr_leaves, W.a->space.nr_leaves - 1);
        EXPECT_DETECTS(Check::CapLink);
    }
    EXPECT_CONSISTENT();
}

void finds_a_capability_leaf_out_of_place(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    CapLeaf* leaf = CapSpace::leaf_of(&a_slot(SPARE));
    {
        Damage<Task*> d(&leaf->owner, W.b);  // another task's, by its header
        EXPECT_DETECTS(Check::Task);
    }
    {
        Damage<uint64_t> d(&leaf->index, leaf->index + 1);
        EXPECT_DETECTS(Check::Task);
    }
    {
        Damage<uint32_t> d(&W.a->space.nr_leaves, W.a->space.nr_leaves + 1);
        EXPECT_DETECTS(Check::Task);
    }
    {
        Damage<uint32_t> d(&W.a->space.dir_len, W.a->space.dir_len + 1);
        EXPECT_DETECTS(Check::Task);
    }
    {
        // An entry a slot off its leaf's.
        const uint64_t i = SPARE / CAP_LEAF_SLOTS;
        Damage<CapSpace::Entry> d(&W.a->space.dir[i], W.a->space.dir[i] + sizeof(Cap));
        EXPECT_DETECTS(Check::Task);
    }
    {
        Damage<abi::CapType> d(&CapSpace::absent_leaf.slots[3].type, abi::CapType::Null);  // fillable
        EXPECT_DETECTS(Check::CapEmpty);
    }
    {
        // A leaf page the directory does not name: nothing accounts for it.
        const uint64_t i = SPARE / CAP_LEAF_SLOTS;
        Damage<CapSpace::Entry> d1(&W.a->space.dir[i], CapSpace::no_leaf(i));
        Damage<uint32_t> d2(&W.a->space.nr_leaves, W.a->space.nr_leaves - 1);
        EXPECT_DETECTS(Check::PoolAccount);
    }
    EXPECT_CONSISTENT();
}

void finds_an_asid_used_twice(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    Damage<uint16_t> d1(&W.c->asid, W.b->asid);
    Damage<uint64_t> d2(&W.c->mmu, arch::address_space_token(W.c->pt_root, W.b->asid));
    EXPECT_DETECTS(Check::Asid);
    d1.undo();
    d2.undo();
    EXPECT_CONSISTENT();
}

void finds_kernel_memory_accounts_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<uint64_t> d(&W.a->kmem_used, W.a->kmem_used + PAGE_SIZE);
        EXPECT_DETECTS(Check::Kmem);
    }
    {
        Damage<uint64_t> d(&W.b->kmem_used, W.b->kmem_used - PAGE_SIZE);
        EXPECT_DETECTS(Check::Kmem);
    }
    {
        Damage<uint64_t> d(&W.c->kmem_reserved, W.c->kmem_reserved + 1);
        EXPECT_DETECTS(Check::Kmem);
    }
    {
        // A's leaves beyond its first, uncharged.
        Damage<uint64_t> d(&W.a->kmem_used, W.a->kmem_used - W.a->space.charged_bytes());
        EXPECT_DETECTS(Check::Kmem);
    }
    EXPECT_CONSISTENT();
}

void finds_threads_out_of_their_tasks_lists(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<Thread*> d(&W.a->threads, nullptr);
        EXPECT_DETECTS(Check::Thread);
    }
    {
        Damage<Task*> d(&W.td->task, W.c);
        EXPECT_DETECTS(Check::Thread);
    }
    EXPECT_CONSISTENT();
}

void finds_ready_queues_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<uint8_t> d(&W.td->priority, abi::PRIORITY_DEFAULT - 1);
        EXPECT_DETECTS(Check::ReadyQueue);
    }
    {
        Damage<ThreadState> d(&W.tb->state, ThreadState::Ready);  // ready, on no queue
        EXPECT_DETECTS(Check::ReadyQueue);
    }
    EXPECT_CONSISTENT();
}

void finds_endpoint_queues_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<Endpoint*> d(&W.tc->blocked_on, W.e2);
        EXPECT_DETECTS(Check::EndpointQueue);
    }
    {
        Damage<Thread*> d(&W.e->receivers.tail, nullptr);
        EXPECT_DETECTS(Check::EndpointQueue);
    }
    EXPECT_CONSISTENT();
}

void finds_notifications_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    {
        Damage<Thread*> d(&W.n->waiters.tail, nullptr);  // the queue's links disagree
        EXPECT_DETECTS(Check::Notification);
    }
    {
        Damage<uint64_t> d(&W.n->word, 4);  // bits set, yet W waits
        EXPECT_DETECTS(Check::Notification);
    }
    {
        Damage<Thread*> d(&W.n2->bound, nullptr);  // C says it is bound, NT2 says not
        EXPECT_DETECTS(Check::Notification);
    }
    {
        Damage<uint64_t> d(&W.n2->word, 1);  // bits set, yet its bound thread waits in Recv
        EXPECT_DETECTS(Check::Notification);
    }
    {
        Damage<uint32_t> d(&W.n->caps, 2);
        EXPECT_DETECTS(Check::RefCount);
    }
    {
        Damage<Notification*> d(&W.tw->waiting_on, W.n2);  // on n's queue, waiting on n2
        EXPECT_DETECTS(Check::Notification);
    }
    EXPECT_CONSISTENT();
}

void finds_interrupt_lines_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    if (!irq::available()) return;  // no controller in this machine: nothing to damage
    {
        Damage<Cap> d(&a_slot(SPARE), a_slot(IRQ));  // a second handler of the line
        EXPECT_DETECTS(Check::Interrupt);
    }
    {
        auto d = damage_cap(IRQ, [](Cap& c) { c.set_irq_line(IRQ_LINE + 1); });  // a line nobody took
        EXPECT_DETECTS(Check::Interrupt);
    }
    EXPECT_CONSISTENT();
}

void finds_a_wait_for_a_reply_nobody_can_answer(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    auto d = damage_cap(REPLY, [](Cap& c) { c.set_reply_generation(c.reply_generation() + 1); });
    EXPECT_DETECTS(Check::Reply);
    d.undo();
    EXPECT_CONSISTENT();
}

void finds_the_running_thread_wrong(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    Damage<ThreadState> d(&W.ta->state, ThreadState::BlockedReply);
    EXPECT_DETECTS(Check::Current);
    d.undo();
    EXPECT_CONSISTENT();
}

void tears_down_to_the_pool_it_started_with(unity::Runner& r) {
    ASSERT_TRUE(world_ready(r));
    for (Task* t : {W.b, W.c, W.d, W.w, W.a})
        tasks::kill(t, abi::TaskEnd::Killed, 0, "ended by the verify suite");
    W.ok = false;
    EXPECT_TRUE(sched::current() == nullptr);
    EXPECT_EQ_U(kpool::stats().free_bytes, W.pool_free_at_start);
    EXPECT_CONSISTENT();
}

}  // namespace

void ktest_verify(unity::Runner& r) {
    RUN_TEST(r, builds_a_consistent_state);
    RUN_TEST(r, finds_a_broken_free_list_in_the_pool);
    RUN_TEST(r, finds_a_pool_page_nobody_holds);
    RUN_TEST(r, finds_an_object_header_wrong);
    RUN_TEST(r, finds_reference_counts_wrong);
    RUN_TEST(r, finds_reference_counts_wrong_in_later_batches);
    RUN_TEST(r, finds_an_empty_slot_with_fields);
    RUN_TEST(r, finds_derivation_links_that_disagree);
    RUN_TEST(r, finds_capabilities_no_root_reaches);
    RUN_TEST(r, finds_typed_fields_wrong);
    RUN_TEST(r, finds_a_capability_naming_the_wrong_object);
    RUN_TEST(r, finds_mapping_records_that_disagree);
    RUN_TEST(r, finds_page_tables_wrong);
    RUN_TEST(r, finds_a_mapping_its_leaves_do_not_make);
    RUN_TEST(r, finds_a_leaf_no_mapping_records);
    RUN_TEST(r, finds_notifications_wrong);
    RUN_TEST(r, finds_interrupt_lines_wrong);
    RUN_TEST(r, finds_task_fields_wrong);
    RUN_TEST(r, finds_a_capability_leaf_out_of_place);
    RUN_TEST(r, finds_an_asid_used_twice);
    RUN_TEST(r, finds_kernel_memory_accounts_wrong);
    RUN_TEST(r, finds_threads_out_of_their_tasks_lists);
    RUN_TEST(r, finds_ready_queues_wrong);
    RUN_TEST(r, finds_endpoint_queues_wrong);
    RUN_TEST(r, finds_a_wait_for_a_reply_nobody_can_answer);
    RUN_TEST(r, finds_the_running_thread_wrong);
    RUN_TEST(r, tears_down_to_the_pool_it_started_with);
}
