// The consistency check's part for tasks (verify.h): their own fields,
// capability spaces and threads, and for a live task its address space:
// ASID, tables, and each mapping against the leaves that make it.
#include "abi/boot.h"
#include "abi/syscall.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/task.h"
#include "kernel/obj/verify_detail.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"

namespace verify::detail {

namespace {

// The root task's mem_map and initrd, which boot maps without
// capabilities (boot/root_task.cc), lie in this window; so do its boot
// info page and stack, above it.
constexpr uint64_t ROOT_UNRECORDED_START = abi::ROOT_INITRD_VA;
constexpr uint64_t ROOT_UNRECORDED_END = abi::ROOT_BOOTINFO_VA;

bool in_unrecorded_window(const Task* t, uint64_t va) {
    return t == tasks::root() && va >= ROOT_UNRECORDED_START && va < ROOT_UNRECORDED_END;
}

bool name_ok(const Task* t) {
    for (char ch : t->name)
        if (ch == '\0') return true;
    return false;
}

// An upper bound on the capabilities that can exist: each takes that much
// of the pool. Bounds walks that a damaged list could make endless.
uint64_t cap_bound() { return kpool::stats().total_bytes / sizeof(Cap) + 1; }

struct Census {
    Run* r;
    const Task* t;
    uint64_t tables = 0;
    uint64_t leaf_pages = 0;  // outside the root task's unrecorded window
};

bool census_entry(void* ctx, const arch::UserPte& e) {
    auto& c = *static_cast<Census*>(ctx);
    Run& r = *c.r;
    const Task* t = c.t;
    if (e.kind == arch::UserPte::Kind::Malformed)
        return fail(r, Check::PageTable, "task %u (%s): malformed entry at level %u for %#lx", t->id, t->name,
                    e.level, e.va.raw());
    if (e.kind == arch::UserPte::Kind::Table) {
        if (kpool::page_info(e.pa).use != kpool::PageUse::Pages)
            return fail(r, Check::PageTable,
                        "task %u (%s): table for %#lx at %#lx, not a pool page of tables", t->id, t->name,
                        e.va.raw(), e.pa.raw());
        c.tables++;
        return true;
    }
    if (!e.user || e.global)
        return fail(r, Check::PageTable, "task %u (%s): leaf for %#lx not user-only or global", t->id,
                    t->name, e.va.raw());
    if (kpool::overlaps(PhysRange{e.pa, e.size}))
        return fail(r, Check::PageTable, "task %u (%s): leaf for %#lx maps %#lx, kernel pool memory", t->id,
                    t->name, e.va.raw(), e.pa.raw());
    if (!in_unrecorded_window(t, e.va.raw())) c.leaf_pages += e.size / PAGE_SIZE;
    return true;
}

// The leaves that map the Frame `m` mapped in `t`: all there, none larger
// than the frame, mapping its frames in order with no right beyond the
// capability's.
bool check_leaves(Run& r, const Task* t, const Cap* m) {
    const uint64_t va = m->mapped_va, size = m->frame_bytes();
    const PhysAddr pa = Pfn(m->frame_pfn()).to_phys();
    for (uint64_t off = 0; off < size;) {
        auto leaf = arch::user_table_leaf(t->pt_root, VirtAddr(va + off));
        if (!leaf.ok())
            return fail(r, Check::Leaf, "task %u (%s): frame pfn %#lx mapped at %#lx, nothing maps %#lx",
                        t->id, t->name, m->frame_pfn(), va, va + off);
        const uint64_t lva = leaf->va.raw();
        if (lva < va || leaf->size > size - (lva - va))
            return fail(r, Check::Leaf,
                        "task %u (%s): the leaf at %#lx reaches beyond the frame mapped at %#lx", t->id,
                        t->name, lva, va);
        if (leaf->pa != pa + (lva - va))
            return fail(r, Check::Leaf, "task %u (%s): the leaf at %#lx maps %#lx, the frame has %#lx", t->id,
                        t->name, lva, leaf->pa.raw(), (pa + (lva - va)).raw());
        if (leaf->rights & ~m->rights)
            return fail(r, Check::Leaf, "task %u (%s): the leaf at %#lx allows %#x, the capability %#x",
                        t->id, t->name, lva, leaf->rights, m->rights);
        off = lva - va + leaf->size;
    }
    return true;
}

// A directory length CapSpace makes: a power of two from one page's
// entries (or the space's bound, if smaller) up to the bound.
bool dir_len_ok(uint64_t len) {
    const uint64_t least =
        CapSpace::DIR_PAGE_ENTRIES < CapSpace::MAX_LEAVES ? CapSpace::DIR_PAGE_ENTRIES : CapSpace::MAX_LEAVES;
    return len >= least && len <= CapSpace::MAX_LEAVES && (len & (len - 1)) == 0;
}

// t's capability space: a directory in pool pages of use Pages, whose
// entries name leaves (pages of use Pages) that say they are t's at that
// index, or the absent leaf, as many leaves as it counts, the first among
// them with slot 0 empty; then every slot of every leaf.
bool check_cap_space(Run& r, const Task* t) {
    const CapSpace& s = t->space;
    if ((reinterpret_cast<uintptr_t>(s.dir) & (PAGE_SIZE - 1)) || !dir_len_ok(s.dir_len))
        return fail(r, Check::Task, "task %u (%s): capability directory of %u entries at %p malformed", t->id,
                    t->name, s.dir_len, static_cast<const void*>(s.dir));
    for (uint64_t i = 0; i < s.dir_pages(); i++)
        if (kpool::page_info(reinterpret_cast<const char*>(s.dir) + i * PAGE_SIZE).use !=
            kpool::PageUse::Pages)
            return fail(r, Check::Task, "task %u (%s): capability directory not in pool pages", t->id,
                        t->name);
    uint64_t leaves = 0;
    for (uint64_t i = 0; i < s.dir_len; i++) {
        const CapLeaf* leaf = CapSpace::leaf_at(s.dir[i], i);
        if (leaf == &CapSpace::absent_leaf) continue;
        if (s.dir[i] != CapSpace::entry_of(leaf, i) || kpool::page_info(leaf).use != kpool::PageUse::Pages ||
            leaf->owner != t || leaf->index != i)
            return fail(r, Check::Task,
                        "task %u (%s): capability directory entry %lu names no leaf of its own", t->id,
                        t->name, i);
        leaves++;
    }
    if (leaves != s.nr_leaves || !s.leaf(0))
        return fail(r, Check::Task, "task %u (%s): counts %u capability leaves, %lu found%s", t->id, t->name,
                    s.nr_leaves, leaves, s.leaf(0) ? "" : ", the first missing");
    r.table_pages += s.pages();
    if (!s.leaf(0)->slots[0].empty())
        return fail(r, Check::CapEmpty, "task %u (%s): slot 0 is not empty", t->id, t->name);
    for (uint64_t i = 0; i < s.dir_len; i++) {
        const CapLeaf* leaf = s.leaf(i);
        if (!leaf) continue;
        for (uint64_t k = 0; k < CAP_LEAF_SLOTS; k++)
            if (!check_cap(r, &leaf->slots[k], Loc{t, unsigned(i * CAP_LEAF_SLOTS + k), nullptr}))
                return false;
    }
    return true;
}

// A slot of the absent leaf as it was made: its type and nothing else.
bool absent_intact(const Cap& c) {
    return c.type == CAP_ABSENT && !c.rights && !c.obj && c.unused_fields_clear() && !c.parent &&
           !c.first_child && !c.next_sibling && !c.prev_sibling && !c.mapped_in && !c.mapped_va &&
           !c.map_next && !c.map_prev;
}

bool check_thread_list(Run& r, const Task* t) {
    uint64_t n = 0;
    for (const Thread* th = t->threads; th; th = th->task_next) {
        if (!is_object(th, ObjType::Thread) || th->task != t || ++n > r.objects)
            return fail(r, Check::Thread, "task %u (%s): its list of threads names %s", t->id, t->name,
                        n > r.objects ? "more threads than exist" : "something not a thread of it");
    }
    r.listed_threads += n;
    return true;
}

}  // namespace

bool check_absent_leaf(Run& r) {
    const CapLeaf& leaf = CapSpace::absent_leaf;
    if (leaf.owner || leaf.index)
        return fail(r, Check::CapEmpty, "the absent capability leaf's header was written");
    for (uint64_t k = 0; k < CAP_LEAF_SLOTS; k++)
        if (!absent_intact(leaf.slots[k]))
            return fail(r, Check::CapEmpty, "slot %lu of the absent capability leaf was written", k);
    for (uint64_t i = 0; i < CapSpace::MIN_DIR_ENTRIES; i++)
        if (CapSpace::empty_dir[i] != CapSpace::no_leaf(i))
            return fail(r, Check::CapEmpty, "entry %lu of the empty capability directory was written", i);
    return true;
}

uint64_t tables_below_root(const Task* t) {
    uint64_t n = 0;
    arch::user_table_walk(
        t->pt_root,
        [](void* ctx, const arch::UserPte& e) {
            if (e.kind == arch::UserPte::Kind::Table) (*static_cast<uint64_t*>(ctx))++;
            return true;
        },
        &n);
    return n;
}

bool check_space(Run& r, const Task* t) {
    const uint16_t asid = t->asid;
    if (asid == 0 || asid >= vm::NR_ASIDS || !vm::asid_in_use(asid) ||
        (r.asid_bits[asid / 64] >> (asid % 64)) & 1)
        return fail(r, Check::Asid, "task %u (%s): ASID %u not allocated, or another task's too", t->id,
                    t->name, asid);
    r.asid_bits[asid / 64] |= uint64_t(1) << (asid % 64);
    if (kpool::page_info(t->pt_root).use != kpool::PageUse::Pages || (t->pt_root.raw() & (PAGE_SIZE - 1)) ||
        t->mmu != arch::address_space_token(t->pt_root, asid))
        return fail(r, Check::PageTable, "task %u (%s): root table %#lx or its MMU token malformed", t->id,
                    t->name, t->pt_root.raw());
    if (!arch::user_table_kernel_half_ok(t->pt_root))
        return fail(r, Check::PageTable, "task %u (%s): kernel half of its root table is not the kernel's",
                    t->id, t->name);
    Census census{&r, t};
    if (!arch::user_table_walk(t->pt_root, census_entry, &census)) return false;
    r.table_pages += 1 + census.tables;
    record_tables(t, census.tables);
    uint64_t mapped_pages = 0, n = 0;
    const uint64_t bound = cap_bound();
    const Cap* prev = nullptr;
    for (const Cap* m = t->mappings; m; prev = m, m = m->map_next) {
        if (++n > bound || !is_cap(m) || m->type != abi::CapType::Frame || m->mapped_in != t ||
            m->map_prev != prev)
            return fail(r, Check::Mapping, "task %u (%s): its list of mappings is broken at entry %lu", t->id,
                        t->name, n);
        if (!check_leaves(r, t, m)) return false;
        if (!in_unrecorded_window(t, m->mapped_va)) mapped_pages += m->frame_pages();
    }
    if (mapped_pages != census.leaf_pages)
        return fail(r, Check::Unrecorded, "task %u (%s): its leaves map %lu pages, its mappings %lu", t->id,
                    t->name, census.leaf_pages, mapped_pages);
    return true;
}

// The tasks `t` created: each names t as its creator (payer), the links
// agree, and a live one whose creator is dead is waiting to end.
bool check_created(Run& r, const Task* t) {
    const Task* prev = nullptr;
    for (const Task* c = t->first_created; c; prev = c, c = c->next_created) {
        if (!is_object(c, ObjType::Task) || c->kmem_payer != t || c->prev_created != prev ||
            ++r.created_listed > r.objects)
            return fail(r, Check::Task, "task %u (%s): its list of tasks it created is broken", t->id,
                        t->name);
        if (c->alive && !t->alive && !c->end_pending)
            return fail(r, Check::Task,
                        "task %u (%s): alive, its creator ended, and it is not waiting to end", c->id,
                        c->name);
    }
    if (t->kmem_payer) r.with_creator++;
    return true;
}

bool check_task(Run& r, const Task* t) {
    if (!name_ok(t)) return fail(r, Check::Task, "task %u: name not terminated", t->id);
    const Task* payer = t->kmem_payer;
    if (payer && !is_object(payer, ObjType::Task))
        return fail(r, Check::Task, "task %u (%s): its kernel memory payer is not a task", t->id, t->name);
    if (t->own_page != kmem::own_pages(payer))
        return fail(r, Check::Object, "task %u (%s): %s a page of its own, its payer %s a limit", t->id,
                    t->name, t->own_page ? "in" : "not in", kmem::own_pages(payer) ? "has" : "has no");
    if (payer ? t->kmem_reserved != tasks::base_bytes(payer) + t->kmem_limit : t->kmem_reserved != 0)
        return fail(r, Check::Kmem, "task %u (%s): reservation of %lu bytes for a limit of %lu", t->id,
                    t->name, t->kmem_reserved, t->kmem_limit);
    if (!check_created(r, t)) return false;
    if (!check_cap(r, &t->end_ep, Loc{nullptr, 0, nullptr, t})) return false;
    if (!t->end_ep.empty() && t->end_ep.type != abi::CapType::Endpoint)
        return fail(r, Check::CapFields, "task %u (%s): its end endpoint is a %s capability", t->id, t->name,
                    abi::cap_type_name(t->end_ep.type));
    if (!t->alive) {
        if (t->space.dir != CapSpace::empty_dir || t->space.dir_len || t->space.nr_leaves || t->threads ||
            t->mappings || t->pt_root.raw() || t->mmu || !t->end_ep.empty())
            return fail(r, Check::Task,
                        "dead task %u (%s): still holds a capability space, threads, mappings, tables or an "
                        "end endpoint",
                        t->id, t->name);
        return true;
    }
    r.alive_tasks++;
    if (t->kmem_limit && t->kmem_used > t->kmem_limit)
        return fail(r, Check::Kmem, "task %u (%s): %lu bytes of kernel memory used, past its limit of %lu",
                    t->id, t->name, t->kmem_used, t->kmem_limit);
    return check_cap_space(r, t) && check_thread_list(r, t) && check_space(r, t);
}

}  // namespace verify::detail
