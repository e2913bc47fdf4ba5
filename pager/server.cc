// The pager's entry and its request loop. main() takes over physical
// memory, starts the programs of the boot bundle and serves them; when
// they have all ended, finish() reports and powers off. The loop serves
// frame requests, statistics, regions, page faults and exits of the tasks
// the pager started: a bad request gets an error answer and changes
// nothing, and the pager never stops serving the others.
#include "buddy/introspect.h"
#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/fault.h"
#include "runtime/runtime.h"
#include "runtime/syscall.h"

extern "C" int main(uint64_t arg) {
    const auto* boot = reinterpret_cast<const abi::BootInfo*>(arg);
    if (!boot || boot->magic != abi::BOOTINFO_MAGIC) {
        uprintf("pager: no boot info at %#lx\n", arg);
        return 1;
    }
    uprintf("pager: taking over %u NUMA node(s), %u memory ranges, mem_map at %#lx\n", boot->nr_nodes,
            boot->nr_memory, boot->mem_map_vaddr);
    if (Status s = pager::memory_init(boot); !s.ok()) {
        uprintf("pager: taking over memory failed: %s\n", error_name(s.error()));
        return 1;
    }
    pager::thp_init(boot);
    pager::load_bundle(boot);
    pager::serve();
}

namespace pager {

namespace {

using sys::Msg;

// What the pager sends back for one message: the reply words (an Error in
// w0 for a request, the verdict for a fault) and a capability to go with
// them.
struct Answer {
    Msg msg;
    unsigned cap = 0;  // a capability to send with the reply
    bool map = false;  // a fault answered with FAULT_MAP (the frame in `cap`)
    uint64_t pc = 0;   // FAULT_MAP: where the task faulted, should the map fail
};

Answer error_answer(Error e) {
    Answer r;
    r.msg.w[0] = uint64_t(e);
    return r;
}

Result<mm::AllocRequest> alloc_request(const Msg& m, uint64_t order) {
    uint64_t zone = m.w[2], node = m.w[3], flags = m.w[4];
    if (order >= mm::MAX_ORDER || flags & ~uint64_t(abi::PAGER_ZERO | abi::PAGER_MOVABLE | abi::PAGER_EXEC))
        return Error::InvalidArgument;
    if (zone != abi::PAGER_ANY && zone >= mm::MAX_NR_ZONES) return Error::InvalidArgument;
    if (node != abi::PAGER_ANY && node >= memory().buddy.nr_nodes()) return Error::InvalidArgument;
    uint16_t gfp = 0;
    if (flags & abi::PAGER_ZERO) gfp |= mm::GFP_ZERO;
    if (flags & abi::PAGER_MOVABLE) gfp |= mm::GFP_MOVABLE;
    mm::ZoneType z = zone == abi::PAGER_ANY ? mm::ZoneType::Movable : mm::ZoneType(zone);
    uint8_t nid = node == abi::PAGER_ANY ? mm::NUMA_NO_NODE : uint8_t(node);
    if (node != abi::PAGER_ANY && zone != abi::PAGER_ANY) gfp |= mm::GFP_THISNODE;
    return mm::AllocRequest::of(unsigned(order), gfp, z, nid);
}

Answer op_alloc(Client* c, const Msg& m) {
    auto req = alloc_request(m, m.w[1]);
    if (!req.ok()) return error_answer(req.error());
    // PAGER_EXEC is the capability's X right, bit for bit.
    static_assert(uint64_t(abi::PAGER_EXEC) == abi::RIGHT_EXEC);
    const auto rights = uint8_t(abi::RIGHT_READ | abi::RIGHT_WRITE | (m.w[4] & abi::PAGER_EXEC));
    auto g = grant(c, *req, 0, rights);
    if (!g.ok()) return error_answer(g.error());
    const mm::Page* p = memory().buddy.page(g->pfn);
    if (m.w[2] != abi::PAGER_ANY && m.w[3] != abi::PAGER_ANY && unsigned(p->zone()) != m.w[2]) {
        // Exactly that zone of that node was asked for, and it has none.
        (void)ungrant(c, g->pfn, unsigned(req->order));
        return error_answer(Error::NoMemory);
    }
    Answer r;
    r.msg.w[1] = g->pfn.raw();
    r.msg.w[2] = p->node();
    r.msg.w[3] = uint64_t(p->zone());
    r.cap = g->slot;
    return r;
}

Answer op_alloc_batch(Client* c, const Msg& m) {
    uint64_t count = m.w[1], va = m.w[2];
    if (count == 0 || count > abi::PAGER_BATCH_MAX || (m.w[4] & abi::PAGER_EXEC))
        return error_answer(Error::InvalidArgument);
    if (va & (PAGE_SIZE - 1)) return error_answer(Error::BadAlignment);
    if (va < abi::USER_BASE || va >= abi::USER_END || count * PAGE_SIZE > abi::USER_END - va)
        return error_answer(Error::InvalidArgument);
    Msg one = m;
    one.w[2] = abi::PAGER_ANY;
    one.w[3] = abi::PAGER_ANY;
    auto req = alloc_request(one, 0);
    if (!req.ok()) return error_answer(req.error());
    if (Status s = grant_mapped(c, va, unsigned(count), *req); !s.ok()) return error_answer(s.error());
    Answer r;
    r.msg.w[1] = count;
    return r;
}

Answer op_free(Client* c, const Msg& m) {
    if (m.w[2] >= mm::MAX_ORDER) return error_answer(Error::InvalidArgument);
    return error_answer(ungrant(c, Pfn(m.w[1]), unsigned(m.w[2])).error());
}

// Reports in the style of Linux's /proc/meminfo, buddyinfo and zoneinfo.
void print_meminfo() {
    const mm::Buddy& b = memory().buddy;
    uint64_t present = 0, active = 0, inactive = 0;
    for (unsigned n = 0; n < b.nr_nodes(); n++) {
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            mm::ZoneStats st = mm::zone_stats(b, n, mm::ZoneType(z));
            present += st.managed;
            active += st.lru[unsigned(mm::LruList::Active)];
            inactive += st.lru[unsigned(mm::LruList::Inactive)];
        }
    }
    uprintf("MemTotal:       %8lu kB\n", present * 4);
    uprintf("MemFree:        %8lu kB\n", b.nr_free_pages() * 4);
    uprintf("Active:         %8lu kB\n", active * 4);
    uprintf("Inactive:       %8lu kB\n", inactive * 4);
}

void print_buddyinfo() { mm::print_buddyinfo(memory().buddy, console_sink()); }
void print_zoneinfo() { mm::print_zoneinfo(memory().buddy, console_sink()); }

Answer op_stats(Client* c, const Msg& m) {
    Answer r;
    const mm::Buddy& b = memory().buddy;
    switch (m.w[1]) {
        case abi::PAGER_STAT_MEMINFO: {
            uint64_t managed = 0, lru = 0;
            for (unsigned n = 0; n < b.nr_nodes(); n++)
                for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
                    managed += b.zone(n, mm::ZoneType(z)).managed;
                    for (unsigned l = 0; l < mm::NR_LRU_LISTS; l++)
                        lru += memory().lru.nr_pages(n, mm::ZoneType(z), mm::LruList(l));
                }
            r.msg.w[1] = managed;
            r.msg.w[2] = b.nr_free_pages();
            r.msg.w[3] = memory().start_free - b.nr_free_pages() - minted_count();
            r.msg.w[4] = lru;
            r.msg.w[5] = minted_count();
            return r;
        }
        case abi::PAGER_STAT_SELF:
            r.msg.w[1] = c->held_pages;
            r.msg.w[2] = c->quota;
            r.msg.w[3] = c->blocks;
            return r;
        case abi::PAGER_STAT_PRINT:
            print_meminfo();
            print_buddyinfo();
            print_zoneinfo();
            return r;
        case abi::PAGER_STAT_VERIFY: {
            const TextSink out = console_sink();
            return error_answer(verify(&out).error());
        }
        case abi::PAGER_STAT_KMEM: {
            auto k = sys::kmem_info();
            if (!k.ok()) return error_answer(k.error());
            r.msg.w[1] = k->used;
            return r;
        }
        default:
            return error_answer(Error::InvalidArgument);
    }
}

Answer op_region(Client* c, const Msg& m) {
    return error_answer(region_add(c, m.w[1], m.w[2], m.w[3]).error());
}

Answer kill(Client* c, const char* what, uint64_t addr, uint64_t pc) {
    uprintf("pager: task %s killed: %s at %#lx (pc %#lx)\n", c->name, what, addr, pc);
    release_all(c);
    client_ended(c, -1);
    Answer r;
    r.msg.w[0] = abi::FAULT_KILL;
    return r;
}

Answer fault(Client* c, const Msg& m) {
    auto kind = abi::FaultKind(m.w[0] & 0xffff);
    uint64_t addr = m.w[1], pc = m.w[3];
    if (kind != abi::FaultKind::PageFault) return kill(c, "not a page fault", addr, pc);
    Region* region = region_of(c, addr);
    if (!region) return kill(c, "page fault outside its regions", addr, pc);
    if (abi::FaultAccess(m.w[2]) == abi::FaultAccess::Exec)
        return kill(c, "execute in a data region", addr, pc);
    // Demand-zero: a fresh zeroed frame, which the reply maps read-write
    // (FAULT_MAP: one kernel call fewer than a Map and a RESUME).
    auto f = region_fault(c, *region, addr);
    if (!f.ok()) return kill(c, error_name(f.error()), addr, pc);
    Answer r;
    r.msg.w[0] = abi::FAULT_MAP;
    r.msg.w[1] = f->va;
    r.msg.w[2] = abi::RIGHT_READ | abi::RIGHT_WRITE;
    r.cap = f->slot;
    r.map = true;
    r.pc = pc;
    return r;
}

// The task ended, however it ended (its end notice, abi/cap.h): everything
// it held comes back.
[[gnu::noinline, gnu::cold]] Answer ended(Client* c, const Msg& m) {
    const auto how = abi::TaskEnd(m.w[0] & 0xffff);
    client_ended(c, how == abi::TaskEnd::Exit ? int(m.w[1]) : -1);
    // What giving everything back costs, per frame (tools/bench scale).
    const uint64_t pages = c->held_pages, before = read_instret();
    release_all(c);
    const uint64_t spent = read_instret() - before;
    if (pages)
        uprintf("pager: gave back %lu frames of %s in %lu instructions, %lu a frame\n", pages, c->name, spent,
                spent / pages);
    if (how == abi::TaskEnd::Exit)
        uprintf("pager: task %s exited with status %d\n", c->name, c->status);
    else if (c->ended_by_pager)
        uprintf("pager: driver %s ended\n", c->name);
    else
        uprintf("pager: task %s ended: %s\n", c->name, task_end_reason(how));
    return Answer{};
}

Answer handle(Client* c, const Msg& m, bool from_kernel) {
    // Faults and end notices count only on the badge of the kernel's
    // messages: a task cannot fake its own end on its request endpoint.
    if (from_kernel) {
        const uint64_t tag = m.w[0] & ~uint64_t(0xffff);
        return tag == abi::FAULT_TAG ? fault(c, m)
               : tag == abi::END_TAG ? ended(c, m)
                                     : error_answer(Error::InvalidArgument);
    }
    switch (abi::PagerOp(m.w[0])) {
        case abi::PagerOp::Alloc:
            return op_alloc(c, m);
        case abi::PagerOp::AllocBatch:
            return op_alloc_batch(c, m);
        case abi::PagerOp::Free:
            return op_free(c, m);
        case abi::PagerOp::Stats:
            return op_stats(c, m);
        case abi::PagerOp::Region:
            return op_region(c, m);
    }
    return error_answer(Error::InvalidArgument);
}

// Whether the kernel's pool has every byte back that it had free when
// the pager started, but for what the pager's own account grew by since:
// the leaves its frame table was given. Reported either way.
bool kernel_pool_back() {
    const Memory& m = memory();
    auto pool = sys::kernel_info();
    auto account = sys::kmem_info();
    if (!pool.ok() || !account.ok()) return false;
    const uint64_t grew = account->used - m.start_kmem;
    if (pool->pool_free + grew == m.start_pool_free) {
        uprintf("pager: kernel pool: every byte back but the frame table's %lu KiB\n", grew / 1024);
        return true;
    }
    uprintf("pager: kernel pool: %lu bytes free, %lu at the start; the pager's account grew by %lu\n",
            pool->pool_free, m.start_pool_free, grew);
    return false;
}

[[noreturn, gnu::noinline, gnu::cold]] void finish() {
    (void)minted_drain();
    uint64_t free = memory().buddy.nr_free_pages();
    uprintf("pager: all tasks exited; free pages: %lu (start %lu)\n", free, memory().start_free);
    const bool pool_back = kernel_pool_back();
    print_meminfo();
    print_buddyinfo();
    console_flush();
    rt::exit(clients_all_succeeded() && free == memory().start_free && pool_back ? 0 : 1);
}

}  // namespace

void serve() {
    drivers_may_end();  // a bundle of drivers alone has nothing for them to do
    if (clients_alive() == 0) finish();
    const abi::IpcInfo recv_info = abi::IpcInfo::make(abi::SLOT_ROOT_FAULT_EP, 0, 0, REPLY_SLOT);
    // Answers the caller and waits for the next message; after the last
    // task, answers and finishes instead. Always inline: every request and
    // fault is answered here, and the compiler would otherwise make it a
    // call on that path.
    auto answer = [&](const Answer& r) __attribute__((always_inline)) {
        const abi::IpcInfo out =
            abi::IpcInfo::make(abi::SLOT_ROOT_FAULT_EP, r.cap, 0, REPLY_SLOT, REPLY_SLOT);
        if (clients_alive() == 0) {
            (void)sys::reply(out, r.msg);
            finish();
        }
        return sys::reply_recv(out, r.msg);
    };
    auto got = sys::recv(recv_info);
    for (;;) {
        if (!got.ok()) {
            uprintf("pager: receive failed: %s\n", error_name(got.error()));
            got = sys::recv(recv_info);
            continue;
        }
        uint64_t badge = got->info.badge();
        Client* c = client_by_badge(badge & ~abi::PAGER_FAULT_BADGE);
        Answer r = c ? handle(c, got->msg, badge & abi::PAGER_FAULT_BADGE) : error_answer(Error::InvalidCap);
        if (!got->info.is_call()) {
            if (clients_alive() == 0) finish();  // the last task's end notice
            got = sys::recv(recv_info);          // a Send: nobody waits for an answer
            continue;
        }
        got = answer(r);
        // The kernel could not map a FAULT_MAP reply's frame (no memory
        // for a page table, or past the task's kernel memory limit): that
        // reply did not happen and ReplyRecv did not receive, so the task
        // still waits. It ends, and its frames come back.
        if (!got.ok() && r.map) got = answer(kill(c, error_name(got.error()), r.msg.w[1], r.pc));
    }
}

}  // namespace pager
