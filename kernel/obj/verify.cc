// The kernel's consistency check (verify.h): the run as a whole, each
// object alone, and the counts of references, mappings and kernel memory
// charges that need every source seen first.
#include "kernel/obj/verify.h"

#include <stdarg.h>

#include "abi/syscall.h"
#include "format/format.h"
#include "kernel/ipc.h"
#include "kernel/lib/panic.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/task.h"
#include "kernel/obj/verify_detail.h"
#include "kernel/obj/vm.h"

namespace verify {

namespace detail {

namespace {

// ---- References, mappings and charges, counted against each object ----

// What was found naming one object.
struct Count {
    const KObject* obj;
    uint32_t refs;     // references of any kind
    uint32_t ep_caps;  // capabilities naming it (an endpoint or notification)
    uint32_t mapped;   // Frame capabilities mapped into it (a task)
    uint32_t replies;  // Reply capabilities that can still answer it (a thread)
    uint32_t tables;   // its page tables below the root, once checked (a live task)
    uint32_t holders;  // Task and Thread capabilities naming it from outside its table (a task)
    uint64_t charged;  // kernel memory charged to it for others (a task)
};

constexpr unsigned TABLE_SIZE = 2048;  // twice the largest batch
constinit unsigned g_batch_limit = TABLE_SIZE / 2;
constinit Count g_counts[TABLE_SIZE] = {};
constinit unsigned g_filled = 0;
// The table holds every live object (one batch): is_object() looks there.
constinit bool g_all_counted = false;

unsigned hash(const void* p) {
    return unsigned((reinterpret_cast<uintptr_t>(p) * 0x9e3779b97f4a7c15ull) >> 40) & (TABLE_SIZE - 1);
}

Count* counted(const void* p) {
    if (!p) return nullptr;
    for (unsigned i = hash(p), n = 0; n < TABLE_SIZE; i = (i + 1) & (TABLE_SIZE - 1), n++) {
        if (g_counts[i].obj == p) return &g_counts[i];
        if (!g_counts[i].obj) return nullptr;
    }
    return nullptr;
}

void add_to_batch(const KObject* o) {
    unsigned i = hash(o);
    while (g_counts[i].obj) i = (i + 1) & (TABLE_SIZE - 1);
    g_counts[i] = Count{o, 0, 0, 0, 0, 0, 0, 0};
    g_filled++;
}

struct BatchFill {
    uint64_t index, skip;
};

// The objects from the `skip`th on, in the pool's order, as many as a
// batch holds. Returns how many.
unsigned fill_batch(uint64_t skip) {
    for (Count& c : g_counts) c = Count{};
    g_filled = 0;
    BatchFill fill{0, skip};
    kpool::for_each_object(
        [](void* ctx, void* obj, bool) {
            auto* b = static_cast<BatchFill*>(ctx);
            if (b->index++ >= b->skip && g_filled < g_batch_limit) add_to_batch(static_cast<KObject*>(obj));
        },
        &fill);
    return g_filled;
}

}  // namespace

bool fail(Run& r, Check c, const char* fmt, ...) {
    r.f->check = c;
    va_list ap;
    va_start(ap, fmt);
    vformat_buf(r.f->message, sizeof r.f->message, fmt, ap);
    va_end(ap);
    return false;
}

bool fail_at(Run& r, Check c, const Loc& at, const char* fmt, ...) {
    r.f->check = c;
    char* m = r.f->message;
    const size_t n = sizeof r.f->message;
    size_t used = at.owner
                      ? format_buf(m, n, "task %u (%.23s) slot %u: ", at.owner->id, at.owner->name, at.slot)
                  : at.ending ? format_buf(m, n, "the end endpoint of task %u: ", at.ending->id)
                              : format_buf(m, n, "the fault endpoint of thread %u: ", at.holder->id);
    if (used >= n) return false;
    va_list ap;
    va_start(ap, fmt);
    vformat_buf(m + used, n - used, fmt, ap);
    va_end(ap);
    return false;
}

unsigned size_class_of(ObjType type) {
    switch (type) {
        case ObjType::Task:
            return kpool::size_class(sizeof(Task));
        case ObjType::Thread:
            return kpool::size_class(sizeof(Thread));
        case ObjType::Endpoint:
            return kpool::size_class(sizeof(Endpoint));
        case ObjType::Notification:
            return kpool::size_class(sizeof(Notification));
    }
    return ~0u;
}

bool is_object(const void* p, ObjType type) {
    if (!p || (reinterpret_cast<uintptr_t>(p) & 7)) return false;
    if (g_all_counted) {
        const Count* c = counted(p);
        return c && c->obj->otype == type;
    }
    const kpool::PageInfo pi = kpool::page_info(p);
    if (pi.use == kpool::PageUse::Object) {
        if (p != pi.base) return false;
    } else if (pi.use == kpool::PageUse::Objects) {
        if (pi.size_class != size_class_of(type) || !kpool::is_live_object(p)) return false;
    } else {
        return false;
    }
    return static_cast<const KObject*>(p)->otype == type;
}

namespace {

// The object whose size-class slot or own page holds `p` (in the pool).
const void* container_of(const void* p, const kpool::PageInfo& pi) {
    if (pi.use == kpool::PageUse::Object) return pi.base;
    const auto* base = static_cast<const char*>(pi.base);
    const size_t obj = size_t(64) << pi.size_class;
    return base + size_t(static_cast<const char*>(p) - base) / obj * obj;
}

// ---- Capability spaces ----

// The live task whose capability space holds a slot at `p`: on a pool page
// of use Pages, at a slot of the leaf that page would be, the leaf named
// by the directory of the task its header names. nullptr for anything
// else. Reads only pool pages and objects is_object() vouches for.
const Task* space_holding(const Cap* p) {
    if (kpool::page_info(p).use != kpool::PageUse::Pages) return nullptr;
    const CapLeaf* leaf = CapSpace::leaf_of(p);
    const auto at = reinterpret_cast<uintptr_t>(p), first = reinterpret_cast<uintptr_t>(leaf->slots);
    if (at < first || (at - first) % sizeof(Cap) != 0 || (at - first) / sizeof(Cap) >= CAP_LEAF_SLOTS)
        return nullptr;
    const Task* t = leaf->owner;
    if (!is_object(t, ObjType::Task) || !t->alive || leaf->index >= t->space.dir_len) return nullptr;
    const CapSpace::Entry* entry = &t->space.dir[leaf->index];
    if (kpool::page_info(entry).use != kpool::PageUse::Pages) return nullptr;
    return *entry == CapSpace::entry_of(leaf, leaf->index) ? t : nullptr;
}

}  // namespace

bool is_cap(const Cap* p) {
    if (!p || (reinterpret_cast<uintptr_t>(p) & 7)) return false;
    const kpool::PageInfo pi = kpool::page_info(p);
    if (pi.use == kpool::PageUse::Pages) return space_holding(p) != nullptr;
    if (pi.use == kpool::PageUse::Objects || pi.use == kpool::PageUse::Object) {
        const void* o = container_of(p, pi);
        const auto* th = static_cast<const Thread*>(o);
        const auto* task = static_cast<const Task*>(o);
        return (is_object(th, ObjType::Thread) && p == &th->fault_ep) ||
               (is_object(task, ObjType::Task) && p == &task->end_ep);
    }
    return false;
}

void record_tables(const Task* t, uint64_t tables) {
    if (!g_all_counted) return;
    if (Count* c = counted(t)) c->tables = uint32_t(tables);
}

namespace {

const char* type_name(ObjType t) {
    switch (t) {
        case ObjType::Task:
            return "task";
        case ObjType::Thread:
            return "thread";
        case ObjType::Endpoint:
            return "endpoint";
        case ObjType::Notification:
            return "notification";
    }
    return "?";
}

// An object's header, then the object by its type.
bool check_object(Run& r, const KObject* o, bool own_page) {
    if (unsigned(o->otype) > unsigned(ObjType::Notification))
        return fail(r, Check::Object, "object at %p: type %u unknown", static_cast<const void*>(o),
                    unsigned(o->otype));
    if (!own_page && kpool::page_info(o).size_class != size_class_of(o->otype))
        return fail(r, Check::Object, "%s at %p: in a page of another size class", type_name(o->otype),
                    static_cast<const void*>(o));
    if (o->own_page != own_page)
        return fail(r, Check::Object, "%s at %p: says it is%s in a page of its own", type_name(o->otype),
                    static_cast<const void*>(o), o->own_page ? "" : " not");
    if (o->refs == 0)
        return fail(r, Check::Object, "%s at %p: no references, yet not freed", type_name(o->otype),
                    static_cast<const void*>(o));
    if (own_page) r.own_page_objects++;
    switch (o->otype) {
        case ObjType::Task:
            return check_task(r, static_cast<const Task*>(o));
        case ObjType::Thread:
            return check_thread(r, static_cast<const Thread*>(o));
        case ObjType::Endpoint:
            return check_endpoint(r, static_cast<const Endpoint*>(o));
        case ObjType::Notification:
            return check_notification(r, static_cast<const Notification*>(o));
    }
    return true;
}

void ref(const void* p) {
    if (Count* c = counted(p)) c->refs++;
}

void count_cap(const Cap& c) {
    if (c.empty()) return;
    ref(c.obj);
    if (names_a_task(c)) {
        const Task* named = c.type == abi::CapType::Task ? static_cast<const Task*>(c.obj)
                                                         : static_cast<const Thread*>(c.obj)->task;
        if (space_holding(&c) != named)
            if (Count* n = counted(named)) n->holders++;
    }
    if (c.type == abi::CapType::Endpoint || c.type == abi::CapType::Notification) {
        if (Count* n = counted(c.obj)) n->ep_caps++;
    } else if (c.type == abi::CapType::Reply) {
        const auto* caller = static_cast<const Thread*>(c.obj);
        if (caller->state == ThreadState::BlockedReply && caller->reply_gen == c.reply_generation())
            if (Count* n = counted(caller)) n->replies++;
    } else if (c.type == abi::CapType::Frame && c.mapped_in) {
        if (Count* n = counted(c.mapped_in)) n->mapped++;
    }
}

// What a task holds: its capabilities, its threads, its end endpoint, a
// place in the list of tasks waiting to end, and its creator's reservation.
void count_task_sources(const Task* t) {
    if (t->alive) {
        t->space.for_each([](const Cap& c, uint64_t) { count_cap(c); });
        for (const Thread* th = t->threads; th; th = th->task_next) ref(th);
    }
    count_cap(t->end_ep);
    if (t->end_pending) ref(t);  // the list of tasks waiting to end
    if (t->kmem_payer) {
        ref(t->kmem_payer);
        if (Count* c = counted(t->kmem_payer)) c->charged += t->kmem_reserved;
    }
}

// What an endpoint or notification (T) holds of its payer: a reference
// and its charge.
template <typename T>
void count_payer(const T* o) {
    if (!o->kmem_payer) return;
    ref(o->kmem_payer);
    if (Count* c = counted(o->kmem_payer)) c->charged += kmem::object_charge(o->kmem_payer, sizeof(T));
}

// What an endpoint holds: the carriers of its queued end notices, and its payer.
void count_endpoint_sources(const Endpoint* e) {
    for (const Thread* th = e->senders.head; th; th = th->q_next)
        if (ipc::is_notice(th)) ref(th);  // the queue's, on a notice's carrier
    count_payer(e);
}

// Every reference, mapping record and charge one object holds.
void count_sources(void*, void* obj, bool) {
    const auto* o = static_cast<const KObject*>(obj);
    switch (o->otype) {
        case ObjType::Task:
            count_task_sources(static_cast<const Task*>(o));
            break;
        case ObjType::Thread: {
            const auto* th = static_cast<const Thread*>(o);
            ref(th->task);
            ref(th->bound);  // its binding's
            count_cap(th->fault_ep);
            break;
        }
        case ObjType::Endpoint:
            count_endpoint_sources(static_cast<const Endpoint*>(o));
            break;
        case ObjType::Notification:
            count_payer(static_cast<const Notification*>(o));
            break;
    }
}

uint64_t mappings_listed(const Task* t) {
    uint64_t n = 0;
    for (const Cap* m = t->mappings; m; m = m->map_next) n++;
    return n;
}

// A task's counts against what was found naming it.
bool compare_task(Run& r, const Task* t, const Count& c) {
    if (t->holders != c.holders)
        return fail(r, Check::Task, "task %u (%s): counts %u capabilities held outside it, %u found", t->id,
                    t->name, t->holders, c.holders);
    if (t->alive && t->holders == 0 && t->kmem_payer && !t->end_pending)
        return fail(r, Check::Task, "task %u (%s): alive, yet nothing outside it holds it", t->id, t->name);
    if (t->alive && mappings_listed(t) != c.mapped)
        return fail(r, Check::Mapping,
                    "task %u (%s): lists %lu mappings, %u Frame capabilities are mapped in it", t->id,
                    t->name, mappings_listed(t), c.mapped);
    const uint64_t used = t->kmem_used;
    if (t->alive) {
        const uint64_t tables = (g_all_counted ? c.tables : tables_below_root(t)) * PAGE_SIZE;
        const uint64_t space = t->space.charged_bytes();
        if (used != tables + space + c.charged)
            return fail(r, Check::Kmem,
                        "task %u (%s): %lu bytes of kernel memory charged, %lu of page tables, %lu of its "
                        "capability space and %lu for objects and tasks it made",
                        t->id, t->name, used, tables, space, c.charged);
    } else if (used < c.charged || (used - c.charged) % PAGE_SIZE != 0) {
        // Its page tables are gone; their charge stays, and nobody reads it again.
        return fail(r, Check::Kmem, "dead task %u (%s): %lu bytes charged, %lu for objects and tasks it made",
                    t->id, t->name, used, c.charged);
    }
    return true;
}

bool compare(Run& r, const Count& c) {
    const KObject* o = c.obj;
    const void* p = o;
    if (o->refs != c.refs)
        return fail(r, Check::RefCount, "%s at %p: %u references counted, %u found", type_name(o->otype), p,
                    o->refs, c.refs);
    if (is_waitable(o)) {
        const auto* w = static_cast<const Waitable*>(o);
        if (w->caps != c.ep_caps)
            return fail(r, Check::RefCount, "%s at %p: counts %u capabilities naming it, %u found",
                        type_name(o->otype), p, w->caps, c.ep_caps);
        return true;
    }
    if (o->otype == ObjType::Thread) {
        const auto* th = static_cast<const Thread*>(o);
        const uint32_t want = th->state == ThreadState::BlockedReply ? 1 : 0;
        if (c.replies != want)
            return fail(r, Check::Reply, "thread %u: %s, with %u Reply capabilities to answer it", th->id,
                        want ? "waits for a reply" : "waits for no reply", c.replies);
        return true;
    }
    return compare_task(r, static_cast<const Task*>(o), c);
}

// The references interrupt lines hold on the notifications they signal.
void count_irq_sources() {
    for (uint32_t line = 1; line < irq::lines(); line++) ref(irq::view(line).n);
}

// Every held line has exactly one IrqHandler capability (check_cap
// marked those it saw; a second for a line fails there), and no line
// that is not held is in service or names a notification.
bool check_irq_lines(Run& r) {
    for (uint32_t line = 1; line < irq::lines(); line++) {
        const irq::LineView v = irq::view(line);
        const bool seen = (r.irq_lines_seen[line / 64] >> (line % 64)) & 1;
        if (v.held != seen)
            return fail(r, Check::Interrupt, "line %u: %s, yet %s IrqHandler capability holds it", line,
                        v.held ? "held" : "free", seen ? "an" : "no");
        if (!v.held && (v.in_service || v.n))
            return fail(r, Check::Interrupt, "line %u: free, yet in service or naming a notification", line);
        if (v.n && !is_object(v.n, ObjType::Notification))
            return fail(r, Check::Interrupt, "line %u: signals no live notification", line);
    }
    return true;
}

// One batch after another; the first is in the table already when it
// holds every object.
bool count_references(Run& r) {
    for (uint64_t done = 0; done < r.objects;) {
        if (!g_all_counted && fill_batch(done) == 0) break;
        kpool::for_each_object(count_sources, nullptr);
        count_irq_sources();
        for (const Count& c : g_counts)
            if (c.obj && !compare(r, c)) return false;
        done += g_filled;
    }
    return true;
}

// Totals that each object contributed to, against the pool, the ASIDs
// and the scheduler.
bool check_totals(Run& r, const uint64_t pages[4]) {
    const uint64_t table_pages = pages[unsigned(kpool::PageUse::Pages)];
    if (table_pages != r.table_pages)
        return fail(r, Check::PoolAccount,
                    "%lu pool pages allocated as pages, %lu held by live tasks' capability spaces and page "
                    "tables",
                    table_pages, r.table_pages);
    if (pages[unsigned(kpool::PageUse::Object)] != r.own_page_objects)
        return fail(r, Check::PoolAccount, "%lu pool pages of single objects, %lu such objects",
                    pages[unsigned(kpool::PageUse::Object)], r.own_page_objects);
    if (r.created_listed != r.with_creator)
        return fail(r, Check::Task, "%lu tasks have a creator, %lu are on their creators' lists",
                    r.with_creator, r.created_listed);
    if (vm::asids_in_use() != r.alive_tasks + 1)
        return fail(r, Check::Asid, "%u ASIDs in use, %lu live tasks and the kernel's", vm::asids_in_use(),
                    r.alive_tasks);
    if (r.listed_threads != r.threads_of_alive)
        return fail(r, Check::Thread, "%lu threads belong to live tasks, %lu are in their tasks' lists",
                    r.threads_of_alive, r.listed_threads);
    return check_irq_lines(r);
}

struct PassOne {
    Run* r;
    bool ok;
};

}  // namespace

}  // namespace detail

using namespace detail;

const char* check_name(Check c) {
    static constexpr const char* NAMES[NR_CHECKS] = {
        "none",
        "pool",
        "pool account",
        "object",
        "reference count",
        "empty slot",
        "capability link",
        "capability tree",
        "capability fields",
        "capability object",
        "mapping",
        "page table",
        "leaf",
        "unrecorded leaf",
        "task",
        "asid",
        "kernel memory",
        "thread",
        "ready queue",
        "endpoint queue",
        "reply",
        "current thread",
        "notification",
        "interrupt",
    };
    return unsigned(c) < NR_CHECKS ? NAMES[unsigned(c)] : "?";
}

bool run(Finding* f) {
    *f = Finding{};
    Run r{f};
    uint64_t pages[4];
    char why[sizeof f->message];
    if (!kpool::verify(why, sizeof why, pages)) return fail(r, Check::Pool, "%s", why);
    if (!check_absent_leaf(r)) return false;
    kpool::for_each_object([](void* ctx, void*, bool) { (*static_cast<uint64_t*>(ctx))++; }, &r.objects);
    // With room for every object, the table of counts is also the set of
    // live objects that is_object() looks pointers up in.
    g_all_counted = r.objects <= g_batch_limit;
    if (g_all_counted) fill_batch(0);
    PassOne one{&r, true};
    kpool::for_each_object(
        [](void* ctx, void* obj, bool own_page) {
            auto* p = static_cast<PassOne*>(ctx);
            if (p->ok) p->ok = check_object(*p->r, static_cast<const KObject*>(obj), own_page);
        },
        &one);
    const bool ok =
        one.ok && check_tree(r) && check_scheduler(r) && check_totals(r, pages) && count_references(r);
    g_all_counted = false;
    return ok;
}

void after_syscall(uint64_t nr) {
    Finding f;
    if (!run(&f)) PANIC("verify after system call %lu: %s: %s", nr, check_name(f.check), f.message);
}

void set_batch_limit(unsigned objects) {
    g_batch_limit = objects < 1 ? 1 : objects > TABLE_SIZE / 2 ? TABLE_SIZE / 2 : objects;
}

}  // namespace verify
