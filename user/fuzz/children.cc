// The fuzzer's children: an echo server, which answers every message on
// its endpoint (so the fuzzer can send and call without waiting for good),
// and fuzzing children that run the same random calls as the fuzzer, may
// wait for good, end themselves or one another, and are killed and
// replaced every so often.
//
// A child runs a function of the fuzzer's own image, as libs/runtime's
// Child does for the root task; this builder works for a program the
// pager started too (its image block comes from the pager with
// PAGER_EXEC) and reuses its addresses and, in the root task, its frames,
// so that spawning and killing children for a whole run leaves the
// fuzzer's page tables and kernel memory as they were:
//   - the image: one block holding a copy of the fuzzer's image as it is
//     at the spawn (text to bss), mapped R+W+X at the same address;
//   - a stack of 4 pages ending at CHILD_STACK_TOP;
//   - the page it shares with the fuzzer (ChildParams), the pfn array
//     and the page of carriage returns, at the fuzzer's addresses;
//   - in its table: its Task and Thread caps, the pager's endpoint (4),
//     the echo server's (5, send and grant), the shared endpoints (6, 7)
//     with random rights, and a few capabilities of the fuzz range.
#include "abi/pager.h"
#include "base/bits.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/vspace.h"
#include "user/fuzz/fuzz.h"

extern "C" char _thread_start[];                 // crt0.S
extern "C" char __image_start[], __image_end[];  // user.ld

namespace fuzz {

namespace {

// Its tables and objects, and the leaves of its capability space beyond
// the first that its 256 slots take (docs/syscalls.md, "Capability space").
constexpr uint64_t CHILD_KMEM_LIMIT = 40 * PAGE_SIZE;
constexpr unsigned STACK_ORDER = 2;
constexpr uint64_t RWX = abi::RIGHT_READ | abi::RIGHT_WRITE | abi::RIGHT_EXEC;
constexpr uint64_t RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

// A block of frames the fuzzer holds: its capability, where it is.
struct Block {
    unsigned slot;
    uint64_t pfn;
    unsigned order;
};

// Root task: blocks are kept for the next child instead of going back
// (its frame allocator never reuses memory).
struct Spare {
    Block blocks[8];
    unsigned n;
};
constinit Spare g_spare[8] = {};

Result<Block> block_alloc(World& w, unsigned order, bool exec) {
    if (w.role == Role::Root) {
        if (order < 8 && g_spare[order].n) return g_spare[order].blocks[--g_spare[order].n];
        Frame f = TRY(frames().alloc(Order(order), RWX));
        return Block{f.cap.release(), f.pfn.raw(), order};
    }
    const unsigned slot = TRY(slots().alloc());
    auto b = pager::alloc(slot, order, abi::PAGER_ANY, abi::PAGER_ANY, exec ? uint64_t(abi::PAGER_EXEC) : 0);
    if (!b.ok()) {
        slots().free(slot);
        return b.error();
    }
    return Block{slot, b->pfn, order};
}

void block_free(World& w, Block& b) {
    if (!b.slot) return;
    if (w.role == Role::Root && b.order < 8 && g_spare[b.order].n < 8) {
        (void)sys::cap_revoke(b.slot);  // every copy, and their mappings
        (void)sys::unmap(b.slot);
        g_spare[b.order].blocks[g_spare[b.order].n++] = b;
    } else {
        if (w.role == Role::Root) {
            (void)sys::cap_revoke(b.slot);
            (void)sys::cap_delete(b.slot);
        } else {
            (void)pager::free(b.pfn, b.order);  // the pager revokes every copy
        }
        slots().free(b.slot);
    }
    b = Block{};
}

// A copy of the block's capability mapped at `va` in our own space while
// `fn(pointer)` runs.
template <typename Fn>
Status with_mapped(const Block& b, uint64_t va, Fn fn) {
    CapSlot copy = TRY(CapSlot::alloc());
    TRY_STATUS(sys::cap_copy(b.slot, 0, copy.slot(), RW));
    TRY_STATUS(sys::map(0, copy.slot(), va, RW));
    fn(reinterpret_cast<uint8_t*>(va));
    return ok_status();  // the copy's deletion unmaps it
}

struct ChildRec {
    bool used, echo;
    uint64_t calls_seen;  // its count when last looked at: no progress, and it is replaced
    unsigned task, thread;
    Block image, stack;
    unsigned params_copy, pfn_copy, cr_copy;
};

struct Family {
    ChildRec kids[MAX_CHILDREN + 1];  // [0] is the echo server
    Block params[MAX_CHILDREN + 1];   // each kid's shared page, ours for the whole run
    Block pfn_page, cr_page;
    uint64_t spawned, next_respawn, reaped_calls;
};
constinit Family g_family = {};

ChildParams* params_of(unsigned i) { return reinterpret_cast<ChildParams*>(PARAMS_VA + i * PAGE_SIZE); }

unsigned image_order() {
    const uint64_t pages = uint64_t(__image_end - __image_start) / PAGE_SIZE;
    return bits::log2_ceil(pages);
}

// Maps a copy of `b` into the child at `va`; the copy's slot in *copy.
Status give_mapping(unsigned task, const Block& b, uint64_t va, uint64_t rights, unsigned* copy) {
    const unsigned s = TRY(slots().alloc());
    *copy = s;
    TRY_STATUS(sys::cap_copy(b.slot, 0, s, abi::RIGHTS_ALL));
    return sys::map(task, s, va, rights);
}

void forget_slot(unsigned& s) {
    if (!s) return;
    (void)sys::cap_delete(s);
    slots().free(s);
    s = 0;
}

void reap(World& w, unsigned i) {
    ChildRec& k = g_family.kids[i];
    if (!k.used) return;
    (void)sys::task_kill(k.task);
    g_family.reaped_calls += params_of(i)->calls;
    block_free(w, k.image);
    block_free(w, k.stack);
    forget_slot(k.params_copy);
    forget_slot(k.pfn_copy);
    forget_slot(k.cr_copy);
    forget_slot(k.task);
    forget_slot(k.thread);
    k = ChildRec{};
    w.nr_child_tasks = 0;
    for (const ChildRec& c : g_family.kids)
        if (c.used && !c.echo) w.child_tasks[w.nr_child_tasks++] = c.task;
}

int child_entry(uint64_t arg);

Status spawn(World& w, unsigned i, bool echo) {
    ChildRec& k = g_family.kids[i];
    k = ChildRec{};
    k.used = true;
    k.echo = echo;
    k.task = TRY(slots().alloc());
    k.thread = TRY(slots().alloc());
    TRY_STATUS(sys::task_create(k.task, k.thread, CHILD_KMEM_LIMIT));
    const unsigned order = image_order();
    k.image = TRY(block_alloc(w, order, true));
    TRY_STATUS(with_mapped(k.image, SCRATCH_VA, [order](uint8_t* p) {
        const uint64_t n = uint64_t(__image_end - __image_start);
        copy_bytes(p, __image_start, n);
        zero_bytes(p + n, (PAGE_SIZE << order) - n);
    }));
    TRY_STATUS(sys::map(k.task, k.image.slot, reinterpret_cast<uint64_t>(__image_start), RWX));
    k.stack = TRY(block_alloc(w, STACK_ORDER, false));
    TRY_STATUS(with_mapped(k.stack, SCRATCH_VA, [](uint8_t* p) {
        auto* top = reinterpret_cast<uint64_t*>(p + (PAGE_SIZE << STACK_ORDER));
        top[-2] = reinterpret_cast<uint64_t>(child_entry);  // _thread_start pops it
        top[-1] = 0;
    }));
    TRY_STATUS(sys::map(k.task, k.stack.slot, CHILD_STACK_TOP - (PAGE_SIZE << STACK_ORDER), RW));
    ChildParams* p = params_of(i);
    *p = ChildParams{};
    p->seed = w.opt.seed * 0x9e3779b97f4a7c15ull + ++g_family.spawned;
    p->index = i;
    p->pager = w.pager;
    TRY_STATUS(give_mapping(k.task, g_family.params[i], PARAMS_VA + i * PAGE_SIZE, RW, &k.params_copy));
    TRY_STATUS(give_mapping(k.task, g_family.pfn_page, PFN_ARRAY_VA, RW, &k.pfn_copy));
    TRY_STATUS(give_mapping(k.task, g_family.cr_page, CR_PAGE_VA, abi::RIGHT_READ, &k.cr_copy));
    if (w.pager) TRY_STATUS(sys::cap_copy(abi::PAGER_SLOT, k.task, abi::PAGER_SLOT, abi::RIGHT_WRITE));
    if (echo) {
        TRY_STATUS(sys::cap_copy(SLOT_ECHO, k.task, abi::SLOT_FIRST_FREE, abi::RIGHTS_ALL));
    } else {
        // Echo: send and grant only, so children never take its messages.
        TRY_STATUS(
            sys::cap_copy(SLOT_ECHO, k.task, SLOT_ECHO, abi::RIGHT_WRITE | abi::RIGHT_GRANT, 0x100 + i));
        for (unsigned s : {SLOT_SHARED0, SLOT_SHARED1})
            TRY_STATUS(sys::cap_copy(s, k.task, s, abi::RIGHTS_ALL & (w.rng.next() | abi::RIGHT_WRITE),
                                     w.rng.chance(50) ? 0x200 + i : 0));
        // A few of our capabilities (never our own Task or Thread).
        for (unsigned n = 0; n < 4; n++) {
            const uint64_t src = w.fuzz_first + w.rng.below(w.fuzz_end - w.fuzz_first);
            identify(w, src);
            if (w.shadow[src].self || w.shadow[src].type == abi::CapType::Null) continue;
            uint64_t mask = rights(w) & abi::RIGHTS_ALL;
            // Never the right to receive on one of our endpoints (it may be
            // the echo server's, which we wait on).
            if (w.shadow[src].type == abi::CapType::Endpoint) mask &= ~uint64_t(abi::RIGHT_READ);
            (void)sys::cap_copy(src, k.task, abi::SLOT_FIRST_FREE + n, mask);
        }
    }
    TRY_STATUS(sys::thread_start(k.thread, reinterpret_cast<uint64_t>(_thread_start), CHILD_STACK_TOP - 16,
                                 PARAMS_VA + i * PAGE_SIZE, abi::PRIORITY_DEFAULT));
    if (!echo) w.child_tasks[w.nr_child_tasks++] = k.task;
    return ok_status();
}

// ---- Inside a child -----------------------------------------------------------

// The echo server: answers every Call with the words it got (and, now
// and then, the capability that came with them); takes every Send.
[[noreturn]] void echo_loop() {
    constexpr unsigned EP = abi::SLOT_FIRST_FREE, RECV = EP + 1, REPLY = EP + 2;
    Rng rng;
    rng.reseed(params_of(0)->seed);
    for (;;) {
        auto got = sys::recv(abi::IpcInfo::make(EP, 0, RECV, REPLY));
        params_of(0)->calls = params_of(0)->calls + 1;
        if (got.ok() && got->info.is_call()) {
            sys::Msg m = got->msg;
            // A fault message (a child chose echo as its handler): end it.
            if ((m.w[0] & ~uint64_t(0xffff)) == abi::FAULT_TAG) m.w[0] = abi::FAULT_KILL;
            const bool give = got->info.cap_received() && rng.chance(50);
            (void)sys::reply(abi::IpcInfo::make(0, give ? RECV : 0, 0, 0, REPLY), m);
        }
        (void)sys::cap_delete(RECV);
        (void)sys::cap_delete(REPLY);
    }
}

void reset_world(World& w) {
    for (SlotInfo& s : w.shadow) s = SlotInfo{};
    w.nr_grants = w.nr_pfns = w.nr_kept = w.nr_child_tasks = w.nr_touched = w.nr_finding_seen = w.nr_extra =
        0;
    w.calls = w.checksum = w.findings = 0;
    w.boot = nullptr;
}

int child_entry(uint64_t arg) {
    auto* p = reinterpret_cast<ChildParams*>(arg);
    if (p->index == 0) echo_loop();
    World& w = world();
    reset_world(w);
    w.role = Role::Child;
    w.params = p;
    w.rng.reseed(p->seed);
    w.pager = p->pager;
    w.echo = true;
    w.nr_slots = abi::CAP_SLOTS;
    w.fuzz_first = abi::SLOT_FIRST_FREE;
    w.fuzz_end = abi::CAP_SLOTS;
    child_loop(w);
}

}  // namespace

[[noreturn]] void child_loop(World& w) {
    refresh_all(w);
    for (;;) {
        random_call(w);
        if ((w.calls & 255) == 0) refresh_all(w);
    }
}

Status children_init(World& w) {
    Family& f = g_family;
    for (unsigned i = 0; i <= MAX_CHILDREN; i++) {
        f.params[i] = TRY(block_alloc(w, 0, false));
        TRY_STATUS(sys::map(0, f.params[i].slot, PARAMS_VA + i * PAGE_SIZE, RW));
    }
    f.pfn_page = TRY(block_alloc(w, 0, false));
    TRY_STATUS(sys::map(0, f.pfn_page.slot, PFN_ARRAY_VA, RW));
    f.cr_page = TRY(block_alloc(w, 0, false));
    TRY_STATUS(sys::map(0, f.cr_page.slot, CR_PAGE_VA, RW));
    char* cr = reinterpret_cast<char*>(CR_PAGE_VA);
    for (uint64_t i = 0; i < PAGE_SIZE; i++) cr[i] = '\r';
    TRY_STATUS(sys::endpoint_create(SLOT_ECHO));
    TRY_STATUS(sys::endpoint_create(SLOT_SHARED0));
    TRY_STATUS(sys::endpoint_create(SLOT_SHARED1));
    TRY_STATUS(spawn(w, 0, true));
    w.echo = true;
    for (unsigned i = 1; i <= w.opt.children && i <= MAX_CHILDREN; i++) TRY_STATUS(spawn(w, i, false));
    f.next_respawn = w.opt.respawn_every;
    return ok_status();
}

void children_tick(World& w) {
    Family& f = g_family;
    if ((w.calls & 63) != 0 || w.opt.children == 0) return;
    // Children that ended themselves (a dead thread refuses a start with
    // DeadObject; pc 0 would refuse a live one) make room for new ones.
    // So do children that made no call since the last look (waiting for
    // good on an endpoint, most likely).
    for (unsigned i = 1; i <= w.opt.children && i <= MAX_CHILDREN; i++) {
        ChildRec& k = f.kids[i];
        const bool stuck = k.used && params_of(i)->calls == k.calls_seen;
        if (k.used) k.calls_seen = params_of(i)->calls;
        if (k.used && !stuck && sys::thread_start(k.thread, 0, 0, 0).error() != Error::DeadObject) continue;
        if (k.used) {
            const ChildParams* p = params_of(i);
            if (p->last_nr == uint64_t(abi::Sys::TaskKill) && p->last_a0 == 0)
                finding(w, 0x101,
                        "child %u ended in TaskKill of slot 0, which is always empty: it killed its caller",
                        i);
            reap(w, i);
        }
        if (!spawn(w, i, false).ok()) reap(w, i);  // no memory now: later
    }
    if (w.calls >= f.next_respawn) {
        f.next_respawn += w.opt.respawn_every;
        const unsigned i =
            1 + unsigned(w.rng.below(w.opt.children < MAX_CHILDREN ? w.opt.children : MAX_CHILDREN));
        reap(w, i);
        if (!spawn(w, i, false).ok()) reap(w, i);
    }
}

void children_end(World& w) {
    Family& f = g_family;
    for (unsigned i = 0; i <= MAX_CHILDREN; i++) reap(w, i);
    for (Block& b : f.params) block_free(w, b);
    block_free(w, f.pfn_page);
    block_free(w, f.cr_page);
    for (unsigned s : {SLOT_ECHO, SLOT_SHARED0, SLOT_SHARED1}) {
        (void)sys::cap_revoke(s);
        (void)sys::cap_delete(s);
    }
    // The root's spare blocks: their frames stay minted (the root's
    // allocator never reuses them), their capabilities go.
    for (Spare& s : g_spare)
        for (unsigned i = 0; i < s.n; i++) {
            (void)sys::cap_delete(s.blocks[i].slot);
            slots().free(s.blocks[i].slot);
        }
}

uint64_t children_calls() {
    uint64_t n = g_family.reaped_calls;
    for (unsigned i = 0; i <= MAX_CHILDREN; i++)
        if (g_family.kids[i].used) n += params_of(i)->calls;
    return n;
}

}  // namespace fuzz
