// A task's capability space: its directory and leaves, made, grown and
// freed (capspace.h).
#include "kernel/obj/capspace.h"

#include "kernel/obj/kmem.h"
#include "kernel/obj/pool.h"
#include "kernel/paging.h"

namespace {

Result<void*> pool_pages(uint64_t n) {
    const PhysAddr pa = TRY(kpool::alloc_pages(n));
    return arch::phys_to_virt(pa).as<void>();
}

void free_pool_pages(const void* p, uint64_t n) { kpool::free_pages(arch::virt_to_phys(VirtAddr(p)), n); }

// A leaf's page for `owner`'s space, charged to its account. Errors:
// OutOfSlots (past its limit), NoMemory; nothing charged then.
Result<void*> charged_page(Task* owner) {
    if (!kmem::charge(owner, PAGE_SIZE).ok()) return Error::OutOfSlots;
    auto p = pool_pages(1);
    if (!p.ok()) kmem::credit(owner, PAGE_SIZE);
    return p;
}

// A leaf for `owner` at `index` in the zeroed pool page `p`: its header
// written, its slots left as the page is, empty (Cap{} is all zeroes).
CapLeaf* make_leaf(void* p, Task* owner, uint64_t index) {
    auto* leaf = static_cast<CapLeaf*>(p);
    leaf->owner = owner;
    leaf->index = index;
    return leaf;
}

// The entries a directory of `pages` pages holds, the space's bound aside.
uint32_t dir_entries(uint64_t pages) {
    const uint64_t n = pages * CapSpace::DIR_PAGE_ENTRIES;
    return uint32_t(n < CapSpace::MAX_LEAVES ? n : CapSpace::MAX_LEAVES);
}

// Fills entries [from, to) of `dir` with no leaf.
void no_leaves(CapSpace::Entry* dir, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i < to; i++) dir[i] = CapSpace::no_leaf(i);
}

// The absent leaf: every slot of type CAP_ABSENT, nothing else set.
constexpr CapLeaf make_absent_leaf() {
    CapLeaf l{};
    for (Cap& c : l.slots) c.type = CAP_ABSENT;
    return l;
}

}  // namespace

alignas(PAGE_SIZE) constinit CapLeaf CapSpace::absent_leaf = make_absent_leaf();
constinit CapSpace::Entry CapSpace::empty_dir[CapSpace::MIN_DIR_ENTRIES] = {};

void CapSpace::init_empty() { no_leaves(empty_dir, 0, MIN_DIR_ENTRIES); }

Status CapSpace::init(Task* owner) {
    void* d = TRY(pool_pages(1));
    auto leaf = pool_pages(1);
    if (!leaf.ok()) {
        free_pool_pages(d, 1);
        return leaf.error();
    }
    dir = static_cast<Entry*>(d);
    dir_len = dir_entries(1);
    no_leaves(dir, 0, dir_len);
    dir[0] = entry_of(make_leaf(*leaf, owner, 0), 0);
    nr_leaves = 1;
    return {};
}

Status CapSpace::grow_dir(Task* owner, uint64_t index) {
    const uint64_t old_pages = dir_pages();
    uint64_t pages = old_pages;
    while (dir_entries(pages) <= index) pages *= 2;
    // Charged what the owner holds once the old directory is freed.
    if (!kmem::charge(owner, (pages - old_pages) * PAGE_SIZE).ok()) return Error::OutOfSlots;
    auto d = pool_pages(pages);
    if (!d.ok()) {
        kmem::credit(owner, (pages - old_pages) * PAGE_SIZE);
        return d.error();
    }
    auto* bigger = static_cast<Entry*>(*d);
    for (uint64_t i = 0; i < dir_len; i++) bigger[i] = dir[i];
    no_leaves(bigger, dir_len, dir_entries(pages));
    free_pool_pages(dir, old_pages);
    dir = bigger;
    dir_len = dir_entries(pages);
    return {};
}

Status CapSpace::add_leaf(Task* owner, uint64_t index) {
    void* p = TRY(charged_page(owner));
    dir[index] = entry_of(make_leaf(p, owner, index), index);
    nr_leaves++;
    return {};
}

Result<Cap*> CapSpace::grow_to(Task* owner, uint64_t slot) {
    if (slot >= abi::MAX_CAP_SLOTS || !dir_len) return Error::InvalidCap;  // past it, or freed
    const uint64_t i = slot / CAP_LEAF_SLOTS;
    if (i >= dir_len) TRY_STATUS(grow_dir(owner, i));
    if (!leaf(i)) TRY_STATUS(add_leaf(owner, i));
    return find(slot);
}

void CapSpace::destroy(Task* owner) {
    if (!dir_len) return;
    kmem::credit(owner, charged_bytes());
    for (uint64_t i = 0; i < dir_len; i++)
        if (CapLeaf* l = leaf(i)) free_pool_pages(l, 1);
    free_pool_pages(dir, dir_pages());
    dir = empty_dir;
    dir_len = 0;
    nr_leaves = 0;
}
