// The consistency check's part for capabilities (verify.h): where each
// sits, its derivation links, its typed fields against its parent's, and
// the tree as a whole.
#include "abi/syscall.h"
#include "kernel/obj/verify_detail.h"

namespace verify::detail {

namespace {

using abi::CapType;

bool rest_empty(const Cap* c) {
    return !c->rights && !c->obj && c->unused_fields_clear() && !c->parent && !c->first_child &&
           !c->next_sibling && !c->prev_sibling && !c->mapped_in && !c->mapped_va && !c->map_next &&
           !c->map_prev;
}

bool check_links(Run& r, const Cap* c, const Loc& at) {
    const struct {
        const Cap* p;
        const char* name;
    } links[] = {{c->parent, "parent"},
                 {c->first_child, "first child"},
                 {c->next_sibling, "next sibling"},
                 {c->prev_sibling, "previous sibling"}};
    for (const auto& l : links) {
        if (l.p && !is_cap(l.p)) return fail_at(r, Check::CapLink, at, "its %s names no capability", l.name);
        if (l.p == c) return fail_at(r, Check::CapLink, at, "it is its own %s", l.name);
    }
    if (!c->parent) {
        r.roots++;
        if (c->prev_sibling || c->next_sibling) return fail_at(r, Check::CapLink, at, "a root with siblings");
    } else if (c->parent->empty()) {
        return fail_at(r, Check::CapLink, at, "its parent is an empty slot");
    }
    if (c->prev_sibling) {
        if (c->prev_sibling->next_sibling != c || c->prev_sibling->parent != c->parent)
            return fail_at(r, Check::CapLink, at, "its previous sibling does not lead back to it");
    } else if (c->parent && c->parent->first_child != c) {
        return fail_at(r, Check::CapLink, at, "first among its siblings, but not its parent's first child");
    }
    if (c->next_sibling && (c->next_sibling->prev_sibling != c || c->next_sibling->parent != c->parent))
        return fail_at(r, Check::CapLink, at, "its next sibling does not lead back to it");
    if (c->first_child && (c->first_child->parent != c || c->first_child->prev_sibling))
        return fail_at(r, Check::CapLink, at, "its first child has another parent or a previous sibling");
    return true;
}

bool no_mapping(const Cap* c) { return !c->mapped_in && !c->mapped_va && !c->map_next && !c->map_prev; }

// A physical range in frames, if it is one Sv39 can name (44-bit PPNs).
bool frames_range(uint64_t pfn, uint64_t pages, PhysRange* out) {
    constexpr uint64_t PFN_LIMIT = uint64_t(1) << 44;
    if (pfn >= PFN_LIMIT || pages > PFN_LIMIT - pfn) return false;
    *out = PhysRange{Pfn(pfn).to_phys(), pages * PAGE_SIZE};
    return true;
}

bool check_memory(Run& r, const Cap* c, const Loc& at) {
    PhysRange range;
    const uint64_t first = c->memory_first(), pages = c->memory_pages();
    if (c->obj || !no_mapping(c) || pages == 0 || !frames_range(first, pages, &range))
        return fail_at(r, Check::CapFields, at, "memory [%#lx, +%lu pages) malformed", first, pages);
    if (c->rights & ~(abi::RIGHT_READ | abi::RIGHT_WRITE))
        return fail_at(r, Check::CapFields, at, "memory with rights %#x", c->rights);
    if (kpool::overlaps(range))
        return fail_at(r, Check::CapFields, at, "memory [%#lx, +%lu pages) overlaps the kernel pool", first,
                       pages);
    const Cap* p = c->parent;
    if (p && (p->type != CapType::Memory || first < p->memory_first() ||
              first + pages > p->memory_first() + p->memory_pages()))
        return fail_at(r, Check::CapFields, at, "memory not within its parent's");
    return true;
}

bool check_frame_mapping(Run& r, const Cap* c, const Loc& at) {
    if (!c->mapped_in) {
        if (!no_mapping(c)) return fail_at(r, Check::Mapping, at, "not mapped, yet with a mapping's fields");
        return true;
    }
    const Task* t = c->mapped_in;
    if (!is_object(t, ObjType::Task) || !t->alive)
        return fail_at(r, Check::Mapping, at, "mapped in something that is not a live task");
    const uint64_t va = c->mapped_va, size = c->frame_bytes();
    if ((va & (PAGE_SIZE - 1)) || va < abi::USER_BASE || va >= abi::USER_END || size > abi::USER_END - va)
        return fail_at(r, Check::Mapping, at, "mapped at %#lx, outside user space", va);
    if (c->map_next && (!is_cap(c->map_next) || c->map_next->map_prev != c || c->map_next->mapped_in != t))
        return fail_at(r, Check::Mapping, at, "the next mapping of task %u does not lead back to it", t->id);
    if (c->map_prev) {
        if (!is_cap(c->map_prev) || c->map_prev->map_next != c || c->map_prev->mapped_in != t)
            return fail_at(r, Check::Mapping, at, "the previous mapping of task %u does not lead to it",
                           t->id);
    } else if (t->mappings != c) {
        return fail_at(r, Check::Mapping, at,
                       "mapped in task %u, which does not list it first or after another", t->id);
    }
    return true;
}

bool check_frame(Run& r, const Cap* c, const Loc& at) {
    PhysRange range;
    const uint64_t pfn = c->frame_pfn(), order = c->frame_order();
    if (c->obj || order > abi::FRAME_ORDER_MAX || (pfn & (c->frame_pages() - 1)) ||
        !frames_range(pfn, c->frame_pages(), &range))
        return fail_at(r, Check::CapFields, at, "frame pfn %#lx order %lu malformed", pfn, order);
    if (c->rights & ~(abi::RIGHT_READ | abi::RIGHT_WRITE | abi::RIGHT_EXEC))
        return fail_at(r, Check::CapFields, at, "frame with rights %#x", c->rights);
    if (kpool::overlaps(range))
        return fail_at(r, Check::CapFields, at, "frame pfn %#lx order %lu overlaps the kernel pool", pfn,
                       order);
    if (const Cap* p = c->parent) {
        if (p->type == CapType::Memory) {
            if (pfn < p->memory_first() || pfn + c->frame_pages() > p->memory_first() + p->memory_pages())
                return fail_at(r, Check::CapFields, at, "frame pfn %#lx not within its memory parent", pfn);
        } else if (p->type != CapType::Frame || p->frame_pfn() != pfn || p->frame_order() != order ||
                   (c->rights & ~p->rights)) {
            return fail_at(r, Check::CapFields, at, "frame is not a copy of its parent");
        }
    }
    return check_frame_mapping(r, c, at);
}

ObjType object_type(CapType t) {
    switch (t) {
        case CapType::Task:
            return ObjType::Task;
        case CapType::Endpoint:
            return ObjType::Endpoint;
        case CapType::Notification:
            return ObjType::Notification;
        default:
            return ObjType::Thread;
    }
}

// Whether `c`'s badge is what its parent `p` allows: an endpoint's is its
// parent's if that has one; a notification's lies within its parent's
// (sys_cap.cc, badge_ok).
bool badge_within_parent(const Cap* c, const Cap* p) {
    if (!p->badge()) return true;
    if (c->type == CapType::Endpoint) return c->badge() == p->badge();
    if (c->type == CapType::Notification) return c->badge() && (c->badge() & ~p->badge()) == 0;
    return true;
}

// Task, Thread, Endpoint and Notification capabilities.
bool check_object_cap(Run& r, const Cap* c, const Loc& at) {
    if (!is_object(c->obj, object_type(c->type)))
        return fail_at(r, Check::CapObject, at, "a %s capability naming no live %s",
                       abi::cap_type_name(c->type), abi::cap_type_name(c->type));
    if (!no_mapping(c) || !c->unused_fields_clear() ||
        (c->type == CapType::Endpoint && c->badge() > abi::IpcResult::BADGE_MASK))
        return fail_at(r, Check::CapFields, at, "%s capability with stray fields",
                       abi::cap_type_name(c->type));
    if (const Cap* p = c->parent) {
        if (p->type != c->type || p->obj != c->obj || (c->rights & ~p->rights))
            return fail_at(r, Check::CapFields, at, "not a copy of its parent");
        if (!badge_within_parent(c, p))
            return fail_at(r, Check::CapFields, at, "badge %#lx against its parent's %#lx", c->badge(),
                           p->badge());
    }
    return true;
}

// The IrqControl capability: no object, no fields, copies of copies.
bool check_irq_control(Run& r, const Cap* c, const Loc& at) {
    if (c->obj || !no_mapping(c) || !c->unused_fields_clear())
        return fail_at(r, Check::CapFields, at, "irq control capability with stray fields");
    if (const Cap* p = c->parent; p && (p->type != CapType::IrqControl || (c->rights & ~p->rights)))
        return fail_at(r, Check::CapFields, at, "not a copy of its parent");
    return true;
}

// An IrqHandler capability: the one holder of a held line, never copied.
bool check_irq_handler(Run& r, const Cap* c, const Loc& at) {
    if (c->obj || !no_mapping(c) || !c->unused_fields_clear() || c->parent || c->first_child)
        return fail_at(r, Check::CapFields, at, "irq handler capability with stray fields, or in the tree");
    const uint64_t line = c->irq_line();
    if (line == 0 || line >= irq::lines() || !irq::view(uint32_t(line)).held)
        return fail_at(r, Check::Interrupt, at, "irq handler of line %lu, which is not held", line);
    uint64_t& word = r.irq_lines_seen[line / 64];
    if ((word >> (line % 64)) & 1)
        return fail_at(r, Check::Interrupt, at, "a second handler of line %lu", line);
    word |= uint64_t(1) << (line % 64);
    return true;
}

bool check_reply(Run& r, const Cap* c, const Loc& at) {
    if (!is_object(c->obj, ObjType::Thread))
        return fail_at(r, Check::CapObject, at, "a reply capability naming no live thread");
    if (c->rights != abi::RIGHT_WRITE || !c->unused_fields_clear() || c->reply_generation() > UINT32_MAX ||
        !no_mapping(c))
        return fail_at(r, Check::CapFields, at, "reply capability with stray fields");
    if (c->parent || c->first_child)
        return fail_at(r, Check::CapFields, at, "a reply capability in the tree");
    return true;
}

}  // namespace

bool check_cap(Run& r, const Cap* c, const Loc& at) {
    if (c->empty()) {
        if (!rest_empty(c)) return fail_at(r, Check::CapEmpty, at, "empty, yet with fields set");
        return true;
    }
    r.caps++;
    if (unsigned(c->type) > unsigned(CapType::IrqHandler))
        return fail_at(r, Check::CapFields, at, "type %u unknown", unsigned(c->type));
    if (c->rights & ~abi::RIGHTS_ALL)
        return fail_at(r, Check::CapFields, at, "rights %#x unknown", c->rights);
    if (!check_links(r, c, at)) return false;
    switch (c->type) {
        case CapType::Memory:
            return check_memory(r, c, at);
        case CapType::Frame:
            return check_frame(r, c, at);
        case CapType::Reply:
            return check_reply(r, c, at);
        case CapType::IrqControl:
            return check_irq_control(r, c, at);
        case CapType::IrqHandler:
            return check_irq_handler(r, c, at);
        default:
            return check_object_cap(r, c, at);
    }
}

namespace {

struct TreeWalk {
    Run* r;
    uint64_t visited;
    bool ok;
};

// Visits the subtree under `root` in depth-first order; false when it
// holds more capabilities than there are (a loop).
bool visit(TreeWalk& w, const Cap* root) {
    const Cap* n = root;
    for (;;) {
        if (++w.visited > w.r->caps) return false;
        if (n->first_child) {
            n = n->first_child;
            continue;
        }
        while (n != root && !n->next_sibling) n = n->parent;
        if (n == root) return true;
        n = n->next_sibling;
    }
}

void visit_roots_of(TreeWalk& w, const Cap* c) {
    if (w.ok && !c->empty() && !c->parent) w.ok = visit(w, c);
}

}  // namespace

bool check_tree(Run& r) {
    TreeWalk w{&r, 0, true};
    kpool::for_each_object(
        [](void* ctx, void* obj, bool) {
            auto& w = *static_cast<TreeWalk*>(ctx);
            const auto* o = static_cast<const KObject*>(obj);
            if (o->otype == ObjType::Thread) {
                visit_roots_of(w, &static_cast<const Thread*>(o)->fault_ep);
            } else if (o->otype == ObjType::Task) {
                const auto* t = static_cast<const Task*>(o);
                visit_roots_of(w, &t->end_ep);
                if (t->alive) t->space.for_each([&w](const Cap& c, uint64_t) { visit_roots_of(w, &c); });
            }
        },
        &w);
    if (!w.ok || w.visited != r.caps)
        return fail(r, Check::CapTree,
                    "%lu capabilities, %lu of them reachable from the %lu roots of the tree", r.caps,
                    w.ok ? w.visited : r.caps + 1, r.roots);
    return true;
}

}  // namespace verify::detail
