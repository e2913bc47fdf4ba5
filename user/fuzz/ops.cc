// One random system call or pager request, its arguments drawn from
// interesting values, and the check of its result against the errors the
// documentation allows (docs/syscalls.md, docs/pager-protocol.md).
//
// The fuzzer itself (not its children) never does what would stop it:
// it never blocks for good (a receive, or a send to an endpoint nobody
// serves: its own sends go to the echo server or the pager), never gives
// its own Task or Thread capability away, and never destroys what is not
// in its fuzz range.
#include <stdarg.h>

#include "abi/pager.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "user/fuzz/fuzz.h"

namespace fuzz {

namespace {

using abi::CapType;
using abi::Sys;

constexpr uint32_t NONE = bit(Error::None);
constexpr uint32_t E_SLOT = bit(Error::InvalidCap) | bit(Error::WrongType) | bit(Error::NoRights);
constexpr uint32_t E_TASK = E_SLOT | bit(Error::DeadObject);
constexpr uint32_t E_MAP = bit(Error::BadAlignment) | bit(Error::InvalidArgument) | bit(Error::Busy) |
                           bit(Error::NoMemory) | bit(Error::OverQuota);
constexpr uint32_t E_IPC = E_TASK | bit(Error::Busy) | bit(Error::InvalidArgument);
// A destination slot whose leaf cannot be made (docs/syscalls.md,
// "Capability space"): past our kernel memory limit, or the pool empty.
constexpr uint32_t E_GROW = bit(Error::OutOfSlots) | bit(Error::NoMemory);

void note(World& w, uint64_t nr, uint64_t a0) {
    if (w.params) {
        w.params->last_nr = nr;
        w.params->last_a0 = a0;
    }
}

sys::Regs call(World& w, Sys nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
               uint64_t a4 = 0, uint64_t a5 = 0) {
    note(w, uint64_t(nr), a0);
    return sys::call(nr, a0, a1, a2, a3, a4, a5);
}

void check(World& w, Sys nr, const sys::Regs& r, uint32_t allowed) {
    result(w, uint64_t(nr), sys::to_error(r.a0), allowed | NONE);
}

bool is_self(const World& w, uint64_t slot) {
    return w.role != Role::Child && (slot == abi::SLOT_SELF_TASK || slot == abi::SLOT_SELF_THREAD ||
                                     (slot < MAX_TABLE && w.shadow[slot].self));
}

// Where a mapping may land: the window (its tables exist), or addresses
// that are refused or lie in tables that exist already.
uint64_t map_address(World& w) {
    const uint64_t odd[] = {0,
                            abi::USER_BASE,
                            abi::USER_END - PAGE_SIZE,
                            abi::USER_END,
                            0x0000'8000'0000'0000ull,
                            0xffff'ffc0'0000'0000ull,
                            ~uint64_t(0) - PAGE_SIZE + 1,
                            WINDOW + RANDOM_SIZE - PAGE_SIZE};
    if (w.role == Role::Child) return w.rng.chance(70) ? window_address(w) : address(w);
    return w.rng.chance(85) ? window_address(w) : w.rng.pick(odd);
}

// ---- Capabilities ----------------------------------------------------------

void cap_identify(World& w) {
    const uint64_t s = any_slot(w);
    check(w, Sys::CapIdentify, call(w, Sys::CapIdentify, s), bit(Error::InvalidCap));
}

void cap_copy(World& w) {
    const uint64_t src =
        w.rng.chance(10) ? w.rng.pick({abi::SLOT_SELF_TASK, abi::SLOT_SELF_THREAD, 3u, 4u}) : any_slot(w);
    const uint64_t dst_task = w.rng.chance(75) ? 0 : task_slot(w);
    // Into our own table (0, or a Task cap of our own): the fuzz range;
    // into another's: anywhere.
    const bool own = dst_task == 0 || is_self(w, dst_task);
    const uint64_t dst = own ? empty_slot(w) : abi::SLOT_FIRST_FREE + w.rng.below(abi::CAP_SLOTS);
    if (is_self(w, src) && !own) return;  // our own caps stay with us (SlotInfo::self)
    uint64_t mask = rights(w);
    // An endpoint of ours goes to another task without the right to
    // receive: a child could take the echo server's messages (ours among
    // them) and never answer.
    if (!own && w.role != Role::Child) identify(w, src);  // as it is now
    // Task and Thread capabilities go to other tasks only if those are our
    // fuzzing children, which end before the final count: tasks that hold
    // each other's would keep each other until their creator (we) ends
    // (docs/syscalls.md, "How a task ends"), after the count.
    if (!own && w.role != Role::Child && src < MAX_TABLE &&
        (w.shadow[src].type == CapType::Task || w.shadow[src].type == CapType::Thread) &&
        !is_child_task(w, dst_task))
        return;
    if (!own && w.role != Role::Child && src < MAX_TABLE && w.shadow[src].type == CapType::Endpoint)
        mask &= ~uint64_t(abi::RIGHT_READ);
    const sys::Regs r = call(w, Sys::CapCopy, src, dst_task, dst, mask, badge(w));
    check(w, Sys::CapCopy, r, E_TASK | bit(Error::Busy) | bit(Error::InvalidArgument) | E_GROW);
    if (r.a0 == 0 && own && dst < MAX_TABLE) {
        identify(w, dst);
        w.shadow[dst].self = is_self(w, src);
    }
}

void cap_move(World& w) {
    const uint64_t src = victim_slot(w), dst = empty_slot(w);
    const bool self = is_self(w, src);
    const sys::Regs r = call(w, Sys::CapMove, src, dst);
    check(w, Sys::CapMove, r,
          bit(Error::InvalidCap) | bit(Error::Busy) | bit(Error::InvalidArgument) | E_GROW);
    touch(w, src);
    if (r.a0 == 0 && dst < MAX_TABLE) {
        identify(w, dst);
        w.shadow[dst].self = self;
    }
}

void cap_delete(World& w) {
    const uint64_t s = victim_slot(w);
    check(w, Sys::CapDelete, call(w, Sys::CapDelete, s), bit(Error::InvalidCap));
    touch(w, s);
}

void cap_revoke(World& w) {
    const uint64_t s = victim_slot(w);
    check(w, Sys::CapRevoke, call(w, Sys::CapRevoke, s), bit(Error::InvalidCap));
    touch(w, s);  // its copies elsewhere: the next full refresh
}

// ---- Memory ------------------------------------------------------------------

uint64_t memory_slot(World& w) {
    if (w.boot && w.boot->nr_memory && w.rng.chance(50))
        return w.boot->memory[w.rng.below(w.boot->nr_memory)].slot;
    return slot_of(w, CapType::Memory);
}

// `n` pfns into the array MintMap and MintFrames read: consecutive frames
// from one, as the pager's batches mostly are, so that a window puts them
// in a run of slots; now and then one named twice (Busy) or one outside
// every range (OutOfRange), which the kernel refuses before it makes
// room for any slot.
void fill_pfns(World& w, uint64_t n) {
    auto* a = reinterpret_cast<uint64_t*>(PFN_ARRAY_VA);
    if (n > abi::MINT_MAP_MAX) n = abi::MINT_MAP_MAX;
    const uint64_t first = pfn(w);
    for (uint64_t i = 0; i < n; i++) {
        a[i] = first + i;
        if (w.rng.chance(5)) a[i] = i ? a[w.rng.below(i)] : a[0];
        if (w.rng.chance(3)) a[i] = ~uint64_t(0) - i;
    }
}

uint64_t pfn_array(World& w) { return w.rng.chance(85) ? PFN_ARRAY_VA : address(w); }

// The window of a MintMap or MintFrames call (frame p goes into slot
// window + p - the range's first): mostly one that puts the array's first
// frame at a slot of the fuzz range, and its run after it, so that a
// minting call never fills (or makes room for) a slot beyond it; or one
// the kernel refuses (slot 0, or reaching past the space).
uint64_t window_for(World& w, uint64_t mem, uint64_t n) {
    auto range = sys::memory_info(mem);
    if (n < w.fuzz_end - w.fuzz_first && range.ok() && w.rng.chance(80)) {
        const uint64_t first_pfn = *reinterpret_cast<const uint64_t*>(PFN_ARRAY_VA);
        const uint64_t target = w.fuzz_first + w.rng.below(w.fuzz_end - w.fuzz_first - n + 1);
        return target - (first_pfn - range->first_pfn);  // may wrap: refused
    }
    return w.rng.pick({uint64_t(0), abi::MAX_CAP_SLOTS, abi::MAX_CAP_SLOTS - 1, ~uint64_t(0)});
}

// After a call that minted the frames of `array`: each one's slot is
// looked at again in the fuzz range, and emptied again outside it.
void settle_window(World& w, uint64_t mem, uint64_t array, uint64_t n, uint64_t window) {
    auto range = sys::memory_info(mem);
    if (!range.ok()) return;
    const auto* pfns = reinterpret_cast<const uint64_t*>(array);  // the kernel read it: so can we
    for (uint64_t i = 0; i < n; i++) {
        const uint64_t slot = window + (pfns[i] - range->first_pfn);
        if (in_fuzz_range(w, slot))
            identify(w, slot);
        else
            (void)sys::cap_delete(slot);
    }
}

void mint_frame(World& w) {
    const uint64_t dst = empty_slot(w);
    const sys::Regs r = call(w, Sys::MemoryMintFrame, memory_slot(w), pfn(w), order(w), rights(w), dst);
    check(w, Sys::MemoryMintFrame, r,
          E_SLOT | bit(Error::InvalidArgument) | bit(Error::BadAlignment) | bit(Error::OutOfRange) |
              bit(Error::Busy) | E_GROW);
    touch(w, dst);
}

void mint_map(World& w) {
    const uint64_t n = count(w), mem = memory_slot(w), array = pfn_array(w);
    fill_pfns(w, n);
    const uint64_t window = window_for(w, mem, n);
    const sys::Regs r = call(w, Sys::MemoryMintMap, mem, task_slot(w), map_address(w), array, n, window);
    check(w, Sys::MemoryMintMap, r, E_TASK | E_MAP | bit(Error::OutOfRange) | E_GROW);
    if (r.a0 == 0) settle_window(w, mem, array, n, window);
}

void mint_frames(World& w) {
    const uint64_t n = count(w), mem = memory_slot(w), array = pfn_array(w);
    fill_pfns(w, n);
    const uint64_t window = window_for(w, mem, n);
    const sys::Regs r = call(w, Sys::MemoryMintFrames, mem, array, n, window);
    check(w, Sys::MemoryMintFrames, r,
          E_SLOT | bit(Error::InvalidArgument) | bit(Error::Busy) | bit(Error::OutOfRange) | E_GROW);
    if (r.a0 == 0) settle_window(w, mem, array, n, window);
}

void memory_info(World& w) { check(w, Sys::MemoryInfo, call(w, Sys::MemoryInfo, memory_slot(w)), E_SLOT); }

// Donating frames the root's own allocator would hand out later would
// leave it minting frames the kernel now owns: the original Memory caps
// (which alone may donate) only see donations that are refused, and
// copies (which never may) anything.
void donate(World& w) {
    uint64_t mem = slot_of(w, CapType::Memory);
    uint64_t p = pfn(w), pages = count(w);
    if (w.boot && w.boot->nr_memory && w.rng.chance(50)) {
        const abi::BootMemory& m = w.boot->memory[w.rng.below(w.boot->nr_memory)];
        mem = m.slot;
        const uint64_t refused[][2] = {{m.first_pfn + 1, 2},       {m.first_pfn, 1},
                                       {m.first_pfn, m.pages + 1}, {~uint64_t(0), 2},
                                       {m.first_pfn + m.pages, 2}, {m.first_pfn + 1, m.pages - 2}};
        const auto& pick = refused[w.rng.below(6)];
        p = pick[0];
        pages = pick[1];
        if (p == m.first_pfn + 1 && pages == m.pages - 2 && m.pages < 4) return;
    }
    check(w, Sys::MemoryDonate, call(w, Sys::MemoryDonate, mem, p, pages),
          E_SLOT | bit(Error::InvalidArgument) | bit(Error::OutOfRange) | bit(Error::Busy) |
              bit(Error::NoMemory));
}

// Calls whose arguments are all good but one, which docs/syscalls.md says
// exactly how to refuse: the answer must be that error (the root task,
// which holds Memory capabilities).
void documented_refusals(World& w) {
    if (!w.boot || !w.boot->nr_memory) return;
    const abi::BootMemory& m = w.boot->memory[w.rng.below(w.boot->nr_memory)];
    const uint64_t free_slot = empty_slot(w);
    if (!in_fuzz_range(w, free_slot) || w.shadow[free_slot].type != CapType::Null) return;
    struct {
        Sys nr;
        uint64_t a[6];
        Error want;
        const char* what;
    } const cases[] = {
        {Sys::MemoryMintFrames, {m.slot, 0, 1, free_slot}, Error::OutOfRange, "a null pfn array"},
        {Sys::MemoryMintMap, {m.slot, 0, WINDOW, 0, 1, free_slot}, Error::OutOfRange, "a null pfn array"},
        {Sys::MemoryDonate,
         {m.slot, ~uint64_t(0) - 1, 4},
         Error::OutOfRange,
         "a range that wraps, not at an end"},
    };
    const auto& c = cases[w.rng.below(3)];
    const sys::Regs r = call(w, c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
    const Error got = sys::to_error(r.a0);
    result(w, uint64_t(c.nr), got, ~0u);
    touch(w, free_slot);
    if (got != c.want)
        finding(w, uint64_t(c.nr) << 16 | 0xdd,
                "system call %lu with %s answered '%s'; docs/syscalls.md: '%s'", uint64_t(c.nr), c.what,
                error_name(got), error_name(c.want));
}

// ---- Address spaces ------------------------------------------------------------

void map(World& w) {
    const uint64_t frame = slot_of(w, CapType::Frame), task = task_slot(w);
    uint64_t va = map_address(w);
    // Into our own space, all of the frame inside the window, whose tables
    // exist (a frame too large for it goes where it is refused).
    const bool own = w.role != Role::Child && (task == 0 || is_self(w, task));
    if (own) identify(w, frame);  // its size now, not as last seen
    if (own && frame < MAX_TABLE && w.shadow[frame].type == CapType::Frame) {
        const uint64_t size = PAGE_SIZE << w.shadow[frame].order;
        va = size <= RANDOM_SIZE / 2 ? WINDOW + w.rng.below((RANDOM_SIZE - size) / PAGE_SIZE + 1) * PAGE_SIZE
                                     : WINDOW + 8;
    }
    const sys::Regs r = call(w, Sys::Map, task, frame, va, rights(w));
    check(w, Sys::Map, r, E_TASK | E_MAP);
}

void unmap(World& w) {
    uint64_t frame = slot_of(w, CapType::Frame);
    if (!may_destroy(w, frame) && frame < w.nr_slots && frame != 0) return;
    check(w, Sys::Unmap, call(w, Sys::Unmap, frame),
          bit(Error::InvalidCap) | bit(Error::WrongType) | bit(Error::NotFound));
}

void protect(World& w) {
    uint64_t frame = slot_of(w, CapType::Frame);
    if (!may_destroy(w, frame) && frame < w.nr_slots && frame != 0) return;
    check(
        w, Sys::Protect, call(w, Sys::Protect, frame, rights(w)),
        bit(Error::InvalidCap) | bit(Error::WrongType) | bit(Error::NotFound) | bit(Error::InvalidArgument));
}

void read_clear_ad(World& w) {
    check(w, Sys::ReadClearAD, call(w, Sys::ReadClearAD, slot_of(w, CapType::Frame)),
          bit(Error::InvalidCap) | bit(Error::WrongType) | bit(Error::NotFound));
}

// ---- Tasks and threads -----------------------------------------------------------

void task_create(World& w) {
    uint64_t t = empty_slot(w), th = empty_slot(w);
    const uint64_t lim =
        w.role == Role::Root ? limit(w) : w.rng.pick({0ul, 1ul, PAGE_SIZE, 16 * PAGE_SIZE, limit(w)});
    const uint64_t end = end_endpoint(w);
    // Tasks we make could come to hold each other's capabilities (our
    // children copy what they hold anywhere), and such a cycle stays until
    // its creator -- we -- ends (docs/syscalls.md, "How a task ends"),
    // after the final count: we keep each one's Task capability out of the
    // fuzz range, and end them all before the count. With no room left to
    // keep one, the oldest ends. Children's tasks end with them.
    const bool keep = w.role != Role::Child;
    if (keep && w.nr_kept == sizeof w.kept / sizeof w.kept[0]) {
        (void)sys::task_kill(w.kept[0]);
        (void)sys::cap_delete(w.kept[0]);
        slots().free(w.kept[0]);
        for (unsigned i = 1; i < w.nr_kept; i++) w.kept[i - 1] = w.kept[i];
        w.nr_kept--;
    }
    const uint64_t before = w.role == Role::Root ? sys::kmem_info().value().used : 0;
    const sys::Regs r = call(w, Sys::TaskCreate, t, th, lim, end);
    check(w, Sys::TaskCreate, r,
          bit(Error::InvalidCap) | bit(Error::Busy) | bit(Error::NoMemory) | bit(Error::OverQuota) |
              bit(Error::InvalidArgument) | bit(Error::WrongType) | bit(Error::NoRights) | E_GROW);
    touch(w, t);
    touch(w, th);
    if (r.a0 != 0) return;
    if (w.role == Role::Root) {
        // Its account holds at least what it reserved for the new task.
        const uint64_t after = sys::kmem_info().value().used;
        if (after < before || after - before < lim)
            finding(
                w, 0x100,
                "TaskCreate with a limit of %#lx: the creator's kernel memory account went from %lu to %lu",
                lim, before, after);
    }
    if (!keep) return;
    // A copy out of the fuzz range (a root of its own: nothing revokes it).
    auto kept = slots().alloc();
    if (kept.ok() && sys::cap_copy(t, 0, *kept, abi::RIGHTS_ALL).ok()) {
        w.kept[w.nr_kept++] = *kept;
    } else {
        if (kept.ok()) slots().free(*kept);
        (void)sys::task_kill(t);
    }
}

void thread_start(World& w) {
    const uint64_t th = slot_of(w, CapType::Thread);
    const uint64_t prio[] = {0,           1, abi::PRIORITY_DEFAULT, abi::PRIORITY_MAX, abi::PRIORITY_MAX + 1,
                             ~uint64_t(0)};
    check(w, Sys::ThreadStart,
          call(w, Sys::ThreadStart, th, address(w), address(w), any_word(w), w.rng.pick(prio)),
          E_TASK | bit(Error::Busy) | bit(Error::InvalidArgument));
}

void thread_set_fault(World& w) {
    uint64_t th = slot_of(w, CapType::Thread);
    uint64_t ep = w.rng.chance(20) ? 0 : slot_of(w, CapType::Endpoint);
    if (is_self(w, th)) return;  // SlotInfo::self
    check(w, Sys::ThreadSetFault, call(w, Sys::ThreadSetFault, th, ep), E_TASK);
}

void task_kill(World& w) {
    uint64_t t = w.rng.chance(90) ? slot_of(w, CapType::Task) : any_slot(w);
    if (w.role != Role::Child && is_self(w, t)) return;  // SlotInfo::self
    check(w, Sys::TaskKill, call(w, Sys::TaskKill, t), E_TASK);
    touch(w, t);
}

void endpoint_create(World& w) {
    const uint64_t s = empty_slot(w);
    check(w, Sys::EndpointCreate, call(w, Sys::EndpointCreate, s),
          bit(Error::InvalidCap) | bit(Error::Busy) | bit(Error::NoMemory) | bit(Error::OverQuota) | E_GROW);
    touch(w, s);
}

// ---- Notifications -----------------------------------------------------------

void notification_create(World& w) {
    const uint64_t s = empty_slot(w);
    check(w, Sys::NotificationCreate, call(w, Sys::NotificationCreate, s),
          bit(Error::InvalidCap) | bit(Error::Busy) | bit(Error::NoMemory) | bit(Error::OverQuota) | E_GROW);
    touch(w, s);
}

// Bits to signal: none, one, the top, or any.
uint64_t signal_bits(World& w) {
    switch (w.rng.below(4)) {
        case 0:
            return 0;
        case 1:
            return uint64_t(1) << w.rng.below(64);
        case 2:
            return uint64_t(1) << 63;
        default:
            return w.rng.next();
    }
}

// Signal, Poll, and Wait where it cannot stop the fuzzer: a child may
// wait for good; the fuzzer itself only where no notification is, which
// refuses it before anything waits.
void notification_use(World& w) {
    const uint64_t n = slot_of(w, CapType::Notification);
    switch (w.rng.below(3)) {
        case 0:
            check(w, Sys::Signal, call(w, Sys::Signal, n, signal_bits(w)),
                  E_SLOT | bit(Error::InvalidArgument));
            break;
        case 1:
            check(w, Sys::Poll, call(w, Sys::Poll, n), E_SLOT);
            break;
        default:
            if (w.role != Role::Child) {
                identify(w, n);
                if (n < MAX_TABLE && w.shadow[n].type == CapType::Notification) return;
            }
            check(w, Sys::Wait, call(w, Sys::Wait, n), E_SLOT | bit(Error::DeadObject));
    }
}

void thread_bind_notification(World& w) {
    const uint64_t th = w.rng.chance(20) ? uint64_t(abi::SLOT_SELF_THREAD) : slot_of(w, CapType::Thread);
    const uint64_t n = w.rng.chance(20) ? 0 : slot_of(w, CapType::Notification);
    check(w, Sys::ThreadBindNotification, call(w, Sys::ThreadBindNotification, th, n),
          E_TASK | bit(Error::Busy));
}

// ---- Interrupt lines -------------------------------------------------------------

// A line's handler from the IrqControl capability (the root's) or
// anything else, for any line, into our table or a child's.
void irq_control_get(World& w) {
    const uint64_t control = w.rng.chance(80) ? uint64_t(abi::SLOT_ROOT_IRQ_CONTROL) : any_slot(w);
    const uint64_t line = w.rng.pick({uint64_t(0), uint64_t(1 + w.rng.below(96)), uint64_t(10), uint64_t(96),
                                      uint64_t(1000), ~uint64_t(0)});
    const uint64_t dst = empty_slot(w);
    check(w, Sys::IrqControlGet, call(w, Sys::IrqControlGet, control, line, task_slot(w), dst),
          E_TASK | bit(Error::Busy) | bit(Error::InvalidArgument) | bit(Error::Unsupported) | E_GROW);
    touch(w, dst);
}

void irq_use(World& w) {
    const uint64_t h = slot_of(w, CapType::IrqHandler);
    if (w.rng.chance(50)) {
        const uint64_t n = w.rng.chance(20) ? 0 : slot_of(w, CapType::Notification);
        check(w, Sys::IrqSetNotification, call(w, Sys::IrqSetNotification, h, n), E_SLOT);
    } else {
        check(w, Sys::IrqAck, call(w, Sys::IrqAck, h), E_SLOT);
    }
}

// ---- IPC -------------------------------------------------------------------------

// Where a batch lands: in the fuzzer's own space, for its children too
// (the pager knows them as the fuzzer), so only where its tables are and
// nothing of its own is.
uint64_t batch_address(World& w) {
    const uint64_t odd[] = {0, abi::USER_END, 0x0000'8000'0000'0000ull, WINDOW + 8};
    return w.rng.chance(85) ? window_address(w) : w.rng.pick(odd);
}

// Random words for the pager: not PAGER_STAT_PRINT (pages of text), a
// batch only where batch_address() puts one, and a Free only of what the
// sender knows it was granted (from a child, anything else could be a
// frame the fuzzer maps for itself: its end).
void pager_words(World& w, sys::Msg& m) {
    if (m.w[0] == uint64_t(abi::PagerOp::Stats) && m.w[1] == abi::PAGER_STAT_PRINT)
        m.w[1] = abi::PAGER_STAT_SELF;
    if (m.w[0] == uint64_t(abi::PagerOp::AllocBatch)) m.w[2] = batch_address(w);
    if (m.w[0] == uint64_t(abi::PagerOp::Free) && w.role == Role::Child) m.w[1] = ~uint64_t(0);
}

// An endpoint to send to: for the fuzzer itself, one that is always
// served (the echo server's, the pager's) or one that refuses at once.
uint64_t send_endpoint(World& w) {
    if (w.role == Role::Child) {
        // Mostly the servers (echo, pager), sometimes a peer that may never come.
        const uint64_t fixed[] = {SLOT_ECHO,       SLOT_ECHO,    SLOT_ECHO,
                                  abi::PAGER_SLOT, SLOT_SHARED0, SLOT_SHARED1};
        return w.rng.chance(70) ? w.rng.pick(fixed) : slot_of(w, CapType::Endpoint);
    }
    if (w.rng.chance(70)) return w.pager && w.rng.chance(50) ? abi::PAGER_SLOT : SLOT_ECHO;
    // Refused: empty, out of range, not an endpoint.
    const uint64_t refused[] = {
        0, empty_slot(w), w.nr_slots, ~uint64_t(0), slot_of(w, CapType::Frame), abi::SLOT_SELF_TASK};
    return w.rng.pick(refused);
}

// A capability to send along: never our own Task or Thread.
uint64_t offered(World& w) {
    if (w.rng.chance(60)) return 0;
    const uint64_t s = any_slot(w);
    return is_self(w, s) || s > abi::IpcInfo::SEND_CAP_MASK ? 0 : s;
}

uint64_t small_slot(World& w) {
    const uint64_t s = w.rng.chance(30) ? 0 : empty_slot(w);
    return s & abi::IpcInfo::SLOT_MASK;
}

sys::Msg words(World& w) {
    sys::Msg m;
    for (uint64_t& x : m.w) x = w.rng.chance(50) ? w.rng.below(8) : any_word(w);
    return m;
}

void ipc(World& w, Sys nr, abi::IpcInfo info, const sys::Msg& m) {
    note(w, uint64_t(nr), info.raw);
    const sys::IpcRegs r = sys::ipc_raw(uint64_t(nr), info.raw, m);
    uint32_t allowed = E_IPC;
    if (nr == Sys::Reply || nr == Sys::ReplyRecv) allowed |= E_MAP;  // a FAULT_MAP reply returns Map's errors
    if (nr != Sys::Send && nr != Sys::Reply) allowed |= E_GROW;      // the slots a message may land in
    result(w, uint64_t(nr), r.error, allowed | NONE);
    touch(w, info.recv_cap());
    touch(w, info.reply_dst());
    touch(w, info.reply_src());
    touch(w, info.send_cap());
}

void send(World& w) {
    const uint64_t ep = send_endpoint(w) & abi::IpcInfo::SLOT_MASK;
    if (w.role != Role::Child && ep != SLOT_ECHO && !(w.pager && ep == abi::PAGER_SLOT)) {
        // Meant to be refused: make sure (the shadow may be stale) that no
        // endpoint nobody serves is there.
        identify(w, ep);
        if (ep < MAX_TABLE && w.shadow[ep].type == CapType::Endpoint) return;
    }
    sys::Msg m = words(w);
    pager_words(w, m);  // whatever the endpoint: a copy of the pager's may be anywhere
    ipc(w, w.rng.chance(50) ? Sys::Send : Sys::Call,
        abi::IpcInfo::make(unsigned(ep), unsigned(offered(w)), unsigned(small_slot(w)),
                           unsigned(small_slot(w))),
        m);
}

// Receiving: a child may wait for good; the fuzzer itself only asks in
// ways that are refused before anything waits.
void receive(World& w) {
    const Sys nr = w.rng.chance(50) ? Sys::Recv : Sys::ReplyRecv;
    uint64_t ep = send_endpoint(w);
    unsigned reply_src =
        unsigned(w.rng.chance(70) ? slot_of(w, CapType::Reply) & abi::IpcInfo::SLOT_MASK : small_slot(w));
    if (w.role != Role::Child) {
        // No right to receive, or (ReplyRecv) a reply that fails first.
        if (nr == Sys::Recv || w.rng.chance(50))
            ep = w.rng.pick({uint64_t(0), uint64_t(w.pager ? abi::PAGER_SLOT : 0), uint64_t(w.nr_slots)});
        reply_src = 0;
    }
    const unsigned recv = unsigned(small_slot(w)), reply_dst = unsigned(small_slot(w));
    ipc(w, nr,
        abi::IpcInfo::make(unsigned(ep & abi::IpcInfo::SLOT_MASK), unsigned(offered(w)), recv, reply_dst,
                           reply_src),
        words(w));
}

void reply(World& w) {
    const unsigned src = unsigned(slot_of(w, CapType::Reply) & abi::IpcInfo::SLOT_MASK);
    sys::Msg m = words(w);
    if (w.rng.chance(30)) m.w[0] = w.rng.below(3);  // FAULT_RESUME, FAULT_KILL, FAULT_MAP to a fault
    ipc(w, Sys::Reply, abi::IpcInfo::make(0, unsigned(offered(w)), 0, 0, src), m);
}

// ---- The rest ------------------------------------------------------------------------

void misc(World& w) {
    switch (w.rng.below(6)) {
        case 0:
            check(w, Sys::Null, call(w, Sys::Null), 0);
            break;
        case 1:
            check(w, Sys::Yield, call(w, Sys::Yield), 0);
            break;
        case 2: {
            // Carriage returns print nothing visible; the rest is refused.
            const uint64_t addr = w.rng.chance(60)
                                      ? CR_PAGE_VA + w.rng.below(PAGE_SIZE)
                                      : w.rng.pick({0ul, 0xffff'ffff'8020'0000ul, 0x0000'8000'0000'0000ul,
                                                    abi::USER_END - 8, WINDOW + RANDOM_SIZE});
            const uint64_t len = w.rng.pick({0ul, 1ul, 64ul, PAGE_SIZE, PAGE_SIZE + 1, ~uint64_t(0)});
            check(w, Sys::DebugWrite, call(w, Sys::DebugWrite, addr, len),
                  bit(Error::InvalidArgument) | bit(Error::OutOfRange));
            break;
        }
        case 3: {
            const uint64_t which[] = {abi::KERNEL_INFO_POOL, abi::KERNEL_INFO_KMEM, 3, 1000, ~uint64_t(0)};
            check(w, Sys::KernelInfo, call(w, Sys::KernelInfo, w.rng.pick(which)),
                  bit(Error::InvalidArgument));
            break;
        }
        case 4: {
            // Numbers no call has: refused in a0 (and a7).
            const uint64_t nrs[] = {
                5, 9, 15, 25, 34, 45, 56, 57, 59, 64, 73, 1000, uint64_t(1) << 32, ~uint64_t(0)};
            const uint64_t nr = w.rng.pick(nrs);
            note(w, nr, 0);
            const sys::Regs r = sys::raw(nr, any_word(w), any_word(w), any_word(w));
            result(w, nr, sys::to_error(r.a0), bit(Error::InvalidArgument));
            break;
        }
        default: {
            // A child: any call with any words.
            if (w.role != Role::Child) return;
            const uint64_t nrs[] = {10, 11, 12, 13, 14, 20, 21, 22, 23, 24, 30, 31, 32,
                                    33, 40, 41, 42, 43, 44, 50, 60, 61, 63, 70, 71, 72};
            uint64_t nr = w.rng.pick(nrs);
            const uint64_t a0 = any_word(w);
            note(w, nr, a0);
            const sys::Regs r =
                sys::raw(nr, a0, any_word(w), any_word(w), any_word(w), any_word(w), any_word(w));
            result(w, nr, sys::to_error(r.a0), ~0u);
            break;
        }
    }
}

// ---- Pager requests ------------------------------------------------------------------

struct PagerReply {
    Error error;
    uint64_t w1;
    bool cap;
};

// A request's Call fails (and says so) when our endpoint to the pager is
// gone: a child may have deleted its copy.
constexpr uint32_t P_CALL = E_IPC | E_GROW;

PagerReply pager_call(World& w, uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t w4, uint64_t w5,
                      unsigned recv) {
    sys::Msg m{{op, w1, w2, w3, w4, w5}};
    note(w, uint64_t(Sys::Call), abi::PAGER_SLOT);
    const sys::IpcRegs r =
        sys::ipc_raw(uint64_t(Sys::Call), abi::IpcInfo::make(abi::PAGER_SLOT, 0, recv).raw, m);
    if (r.error != Error::None) return PagerReply{r.error, 0, false};
    return PagerReply{sys::to_error(r.msg.w[0]), r.msg.w[1], r.info.cap_received()};
}

constexpr uint32_t P_ALLOC = P_CALL | bit(Error::InvalidArgument) | bit(Error::NoMemory) |
                             bit(Error::TryAgain) | bit(Error::OverQuota);

void forget_grant(World& w, unsigned i) { w.grants[i] = w.grants[--w.nr_grants]; }

void pager_free(World& w) {
    // A child frees what it was granted, or nothing that exists.
    uint64_t p = w.role == Role::Child ? w.rng.pick({uint64_t(0), uint64_t(0x80200), ~uint64_t(0)}) : pfn(w);
    uint64_t o = order(w);
    unsigned i = 0;
    const bool tracked = w.nr_grants && w.rng.chance(70);
    if (tracked) {
        i = unsigned(w.rng.below(w.nr_grants));
        p = w.grants[i].pfn;
        o = w.rng.chance(90) ? w.grants[i].order : order(w);
    }
    const PagerReply r = pager_call(w, uint64_t(abi::PagerOp::Free), p, o, 0, 0, 0, 0);
    result(w, 1000 + uint64_t(abi::PagerOp::Free), r.error,
           NONE | P_CALL | bit(Error::NotOwned) | bit(Error::DoubleFree) | bit(Error::WrongOrder) |
               bit(Error::InvalidArgument));
    if (tracked && r.error == Error::None) {
        touch(w, w.grants[i].slot);  // its capability went (copies elsewhere: the next full refresh)
        forget_grant(w, i);
    }
}

// Frames held through Alloc, at most: beyond, requests give some back.
constexpr uint64_t GRANT_PAGES_MAX = 4096;

uint64_t granted_pages(const World& w) {
    uint64_t n = 0;
    for (unsigned i = 0; i < w.nr_grants; i++) n += uint64_t(1) << w.grants[i].order;
    return n;
}

void pager_alloc(World& w) {
    if (w.nr_grants == MAX_GRANTS || granted_pages(w) > GRANT_PAGES_MAX) return pager_free(w);
    const unsigned recv = unsigned(empty_slot(w) & abi::IpcInfo::SLOT_MASK);
    const uint64_t o = w.rng.chance(80) ? w.rng.below(4) : order(w);
    const uint64_t zone =
        w.rng.chance(70) ? abi::PAGER_ANY : w.rng.pick({0ul, 1ul, 2ul, 3ul, 7ul, ~uint64_t(0)});
    const uint64_t node = w.rng.chance(80) ? abi::PAGER_ANY : w.rng.pick({0ul, 1ul, 9ul, ~uint64_t(0)});
    const uint64_t flags =
        w.rng.chance(70) ? 0 : w.rng.pick({1ul, 2ul, 3ul, 4ul, 7ul, 8ul, uint64_t(1) << 40});
    const PagerReply r = pager_call(w, uint64_t(abi::PagerOp::Alloc), o, zone, node, flags, 0, recv);
    result(w, 1000 + uint64_t(abi::PagerOp::Alloc), r.error, NONE | P_ALLOC);
    touch(w, recv);
    if (r.error == Error::None) {
        w.grants[w.nr_grants++] = Grant{r.w1, unsigned(o), recv};
        saw_pfn(w, r.w1);
    }
}

void pager_batch(World& w) {
    const uint64_t n = w.rng.chance(70) ? 1 + w.rng.below(8) : count(w);
    const PagerReply r = pager_call(w, uint64_t(abi::PagerOp::AllocBatch), n, batch_address(w), 0,
                                    w.rng.chance(80) ? 0 : w.rng.pick({1ul, 2ul, 4ul, 8ul}), 0, 0);
    result(w, 1000 + uint64_t(abi::PagerOp::AllocBatch), r.error,
           NONE | P_ALLOC | bit(Error::BadAlignment) | bit(Error::Busy));
}

void pager_misc(World& w) {
    switch (w.rng.below(4)) {
        case 0: {
            // Not PAGER_STAT_PRINT: pages of text.
            const uint64_t which[] = {abi::PAGER_STAT_MEMINFO, abi::PAGER_STAT_SELF, 4, 99, ~uint64_t(0)};
            const PagerReply r =
                pager_call(w, uint64_t(abi::PagerOp::Stats), w.rng.pick(which), 0, 0, 0, 0, 0);
            result(w, 1000 + uint64_t(abi::PagerOp::Stats), r.error,
                   NONE | P_CALL | bit(Error::InvalidArgument));
            break;
        }
        case 1: {
            // Regions are refused, or lie where nothing is touched.
            const uint64_t start = w.rng.chance(50) ? map_address(w) : address(w);
            const uint64_t size = w.rng.pick(
                {0ul, PAGE_SIZE, PAGE_SIZE + 8, 64 * PAGE_SIZE, uint64_t(1) << 38, ~uint64_t(0) - 4095});
            const PagerReply r =
                pager_call(w, uint64_t(abi::PagerOp::Region), start, size, w.rng.below(4), 0, 0, 0);
            result(w, 1000 + uint64_t(abi::PagerOp::Region), r.error,
                   NONE | P_CALL | bit(Error::BadAlignment) | bit(Error::InvalidArgument) |
                       bit(Error::NoMemory));
            break;
        }
        default: {
            // Any words at all, a capability slot for an answer.
            const uint64_t ops[] = {0, 6, 7, 100, uint64_t(1) << 63, ~uint64_t(0), w.rng.below(6)};
            const unsigned recv = unsigned(small_slot(w));
            sys::Msg m{{w.rng.pick(ops), any_word(w), any_word(w), any_word(w), any_word(w), any_word(w)}};
            pager_words(w, m);
            const PagerReply r = pager_call(w, m.w[0], m.w[1], m.w[2], m.w[3], m.w[4], m.w[5], recv);
            result(w, 1000, r.error, ~0u);
            touch(w, recv);
            break;
        }
    }
}

// A page of the demand-zero region: the first touch is a fault the pager
// answers with a fresh zeroed frame.
void touch_region(World& w) {
    // A fault the pager cannot serve (quota, memory) ends us: only with room.
    auto self = pager::self_stats();
    auto mem = pager::meminfo();
    if (!self.ok() || !mem.ok() || self->held + 16 > self->quota || mem->free < 1024) return;
    auto* p =
        reinterpret_cast<volatile uint64_t*>(REGION_VA + w.rng.below(REGION_SIZE / PAGE_SIZE) * PAGE_SIZE);
    if (w.rng.chance(50))
        *p = *p + 1;
    else
        (void)*p;
}

struct Op {
    void (*fn)(World&);
    uint8_t weight;
    uint8_t needs;  // 0: any, 1: the pager, 2: the fuzzer itself with a region, 3: the root task
};

constexpr Op OPS[] = {
    {cap_identify, 4, 0},
    {cap_copy, 8, 0},
    {cap_move, 3, 0},
    {cap_delete, 5, 0},
    {cap_revoke, 2, 0},
    {mint_frame, 4, 0},
    {mint_map, 3, 0},
    {mint_frames, 2, 0},
    {memory_info, 1, 0},
    {donate, 1, 0},
    {documented_refusals, 1, 3},
    {map, 8, 0},
    {unmap, 4, 0},
    {protect, 3, 0},
    {read_clear_ad, 2, 0},
    {task_create, 2, 0},
    {thread_start, 2, 0},
    {thread_set_fault, 2, 0},
    {task_kill, 2, 0},
    {endpoint_create, 3, 0},
    {notification_create, 2, 0},
    {notification_use, 4, 0},
    {thread_bind_notification, 2, 0},
    {irq_control_get, 1, 3},
    {irq_use, 2, 0},
    {send, 6, 0},
    {receive, 3, 0},
    {reply, 2, 0},
    {misc, 5, 0},
    {pager_alloc, 7, 1},
    {pager_batch, 2, 1},
    {pager_free, 5, 1},
    {pager_misc, 3, 1},
    {touch_region, 1, 2},
};

}  // namespace

void finding(World& w, uint64_t key, const char* fmt, ...) {
    for (unsigned i = 0; i < w.nr_finding_seen; i++)
        if (w.finding_seen[i] == key) return;
    if (w.nr_finding_seen < sizeof w.finding_seen / sizeof w.finding_seen[0])
        w.finding_seen[w.nr_finding_seen++] = key;
    w.findings++;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vformat_buf(what, sizeof what, fmt, ap);
    va_end(ap);
    uprintf("fuzz: finding: %s (seed %lu, call %lu%s)\n", what, w.opt.seed, w.calls,
            w.role == Role::Child ? ", in a child" : "");
}

void result(World& w, uint64_t nr, Error e, uint32_t allowed) {
    w.calls++;
    if (w.params) w.params->calls = w.calls;
    w.checksum = (w.checksum ^ (nr << 8 | uint64_t(e))) * 0x100000001b3ull;
    if (!(allowed & bit(e)))
        finding(w, nr << 8 | uint64_t(e), "%s %lu answered '%s', which the documentation does not list",
                nr >= 1000 ? "pager request" : "system call", nr >= 1000 ? nr - 1000 : nr, error_name(e));
}

void random_call(World& w) {
    unsigned total = 0;
    for (const Op& op : OPS) total += op.weight;
    for (;;) {
        unsigned at = unsigned(w.rng.below(total));
        const Op* chosen = OPS;
        for (const Op& op : OPS) {
            if (at < op.weight) {
                chosen = &op;
                break;
            }
            at -= op.weight;
        }
        if (chosen->needs == 1 && !w.pager) continue;
        if (chosen->needs == 2 && w.role != Role::Client) continue;
        if (chosen->needs == 3 && w.role != Role::Root) continue;
        chosen->fn(w);
        refresh_touched(w);
        return;
    }
}

}  // namespace fuzz
