#include "kernel/obj/cap.h"

#include "kernel/ipc.h"
#include "kernel/irq.h"
#include "kernel/notify.h"
#include "kernel/obj/vm.h"

namespace caps {

namespace {

void unlink(Cap* c) {
    if (c->prev_sibling)
        c->prev_sibling->next_sibling = c->next_sibling;
    else if (c->parent)
        c->parent->first_child = c->next_sibling;
    if (c->next_sibling) c->next_sibling->prev_sibling = c->prev_sibling;
    c->parent = c->prev_sibling = c->next_sibling = nullptr;
}

// One capability fewer names `o`: an endpoint or notification that no
// capability names any more wakes its waiters (install() counts them up).
void waitable_cap_gone(KObject* o) {
    if (!is_waitable(o)) return;
    auto* w = static_cast<Waitable*>(o);
    if (--w->caps != 0) return;
    if (o->otype == ObjType::Endpoint)
        ipc::endpoint_unreachable(static_cast<Endpoint*>(w));
    else
        notify::unreachable(static_cast<Notification*>(w));
}

}  // namespace

void move(Cap* dst, Cap* src) {
    // A Task or Thread capability keeps its task reachable only outside
    // the task's own table (tasks::holder_placed): a move changes the count
    // only when it crosses that table's edge.
    Task* named = names_a_task(*src) ? tasks::named_task(*src) : nullptr;
    const bool recount = named && tasks::in_own_table(src, named) != tasks::in_own_table(dst, named);
    if (recount) tasks::holder_removed(src);
    *dst = *src;
    // Repoint every link that named src.
    if (dst->prev_sibling)
        dst->prev_sibling->next_sibling = dst;
    else if (dst->parent)
        dst->parent->first_child = dst;
    if (dst->next_sibling) dst->next_sibling->prev_sibling = dst;
    for (Cap* ch = dst->first_child; ch; ch = ch->next_sibling) ch->parent = dst;
    if (dst->mapped_in) {
        if (dst->map_prev)
            dst->map_prev->map_next = dst;
        else
            dst->mapped_in->mappings = dst;
        if (dst->map_next) dst->map_next->map_prev = dst;
    }
    *src = Cap{};
    if (recount) tasks::holder_placed(dst);
}

void remove(Cap* c) {
    if (c->empty()) return;
    if (c->type == abi::CapType::Frame) vm::unmap_frame(c);
    if (c->type == abi::CapType::Reply) ipc::reply_dropped(c);
    if (c->type == abi::CapType::IrqHandler) irq::release(uint32_t(c->irq_line()));
    if (names_a_task(*c)) tasks::holder_removed(c);
    // Children move up to c's parent, keeping what was derived reachable.
    while (Cap* ch = c->first_child) {
        unlink(ch);
        link_child(c->parent, ch);
    }
    unlink(c);
    KObject* obj = c->obj;
    *c = Cap{};
    if (obj) {
        waitable_cap_gone(obj);
        obj_unref(obj);
    }
}

void revoke(Cap* c) {
    // Remove descendants leaf first, without recursion.
    while (c->first_child) {
        Cap* leaf = c->first_child;
        while (leaf->first_child) leaf = leaf->first_child;
        remove(leaf);
    }
}

bool has_child_overlapping(const Cap* c, uint64_t pfn, uint64_t pages) {
    // Depth-first over the whole subtree.
    const Cap* n = c->first_child;
    while (n) {
        uint64_t start = 0, len = 0;
        if (n->type == abi::CapType::Frame) {
            start = n->frame_pfn();
            len = n->frame_pages();
        } else if (n->type == abi::CapType::Memory) {
            start = n->memory_first();
            len = n->memory_pages();
        }
        if (len && start < pfn + pages && pfn < start + len) return true;
        if (n->first_child) {
            n = n->first_child;
            continue;
        }
        while (n && !n->next_sibling) {
            n = n->parent;
            if (n == c) return false;
        }
        if (n) n = n->next_sibling;
    }
    return false;
}

}  // namespace caps
