// Capabilities and where they sit: Cap, one capability, and CapSpace, a
// task's capability space, the slots [0, abi::MAX_CAP_SLOTS) that user
// code names its capabilities by.
//
// A space has two levels: a directory with an entry for each leaf, and
// leaves, each one page of the kernel pool holding CAP_LEAF_SLOTS slots
// after a small header (CapLeaf). A leaf is made the first time a slot of it is
// needed as a destination (CapSpace::grow_to) and stays, where it is,
// until the task ends: capabilities never move, so neither do leaves.
// The directory is the one part that is reallocated, bigger, when a slot
// beyond its reach is needed. Looking a slot up is the directory entry
// and the slot in its leaf; a slot whose leaf was never made is empty.
//
// What a space costs is charged to the task that owns it (kmem.h): the
// first leaf and the one-page directory a task starts with are part of
// what its creator reserves for it (tasks::base_bytes); every further
// leaf, and a directory grown past one page, to the task's own account,
// so that one task growing its space cannot use up another's.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "base/addr.h"
#include "base/bits.h"
#include "base/result.h"

struct KObject;
struct Task;

// A capability. It sits in a slot of a task's capability space (below),
// or embedded in a thread (its fault endpoint) or a task (its end
// endpoint), which hold Endpoint capabilities only. Capabilities form the
// derivation tree: copies, minted frames and transferred caps are
// children of their source. An empty slot
// (type Null) holds Cap{}: whatever empties one leaves it so, and
// installing into one writes only the fields the new capability uses
// (caps::install, caps::install_frame). A capability never moves once
// made (the tree and the lists of mappings link them by address), except
// through caps::move, which repoints every link.
//
// What a capability holds besides its object depends on its type, and is
// read and written through the accessors of that type only:
//   Memory    the frames [memory_first(), memory_first() + memory_pages())
//   Frame     the frame_pages() = 2^frame_order() frames from frame_pfn(),
//             which is aligned to them
//   Endpoint  badge(), carried by the messages sent through it; 0 for none
//   Notification  badge(), the bits Signal may set through it; 0: any
//   IrqHandler irq_line(), the interrupt line it holds
//   Reply     reply_generation(), which must equal its thread's reply_gen
//             for it to answer (ipc::waiting_caller)
// Task and Thread capabilities hold nothing besides their object;
// IrqControl and IrqHandler capabilities name no object.
struct Cap {
    abi::CapType type = abi::CapType::Null;
    uint8_t rights = 0;
    KObject* obj = nullptr;  // Task, Thread, Endpoint; Reply: the waiting Thread

private:
    // The storage of the typed fields, shared by the types.
    uint64_t w0 = 0;
    uint64_t w1 = 0;

public:
    Cap* parent = nullptr;
    Cap* first_child = nullptr;
    Cap* next_sibling = nullptr;
    Cap* prev_sibling = nullptr;
    // Frame: the one mapping made through this capability.
    Task* mapped_in = nullptr;
    uint64_t mapped_va = 0;
    Cap* map_next = nullptr;  // in mapped_in's list of mappings
    Cap* map_prev = nullptr;

    bool empty() const { return type == abi::CapType::Null; }
    // Whether it is a capability: not empty, and not a slot of the absent
    // leaf (CapSpace), whose type is none of abi::CapType's.
    bool is_cap() const { return uint8_t(uint8_t(type) - 1) < uint8_t(abi::CapType::IrqHandler); }

    uint64_t memory_first() const { return w0; }
    uint64_t memory_pages() const { return w1; }
    void set_memory(uint64_t first, uint64_t pages) {
        w0 = first;
        w1 = pages;
    }

    uint64_t frame_pfn() const { return w0; }
    uint64_t frame_order() const { return w1; }
    uint64_t frame_pages() const { return uint64_t(1) << w1; }
    uint64_t frame_bytes() const { return PAGE_SIZE << w1; }
    void set_frame(uint64_t pfn, uint64_t order) {
        w0 = pfn;
        w1 = order;
    }

    uint64_t badge() const { return w0; }
    void set_badge(uint64_t value) { w0 = value; }

    uint64_t irq_line() const { return w0; }
    void set_irq_line(uint64_t line) { w0 = line; }

    uint64_t reply_generation() const { return w0; }
    void set_reply_generation(uint64_t gen) { w0 = gen; }

    // Gives this capability `from`'s typed fields, whatever its type
    // (caps::install).
    void copy_typed_fields(const Cap& from) {
        w0 = from.w0;
        w1 = from.w1;
    }
    // Whether the storage its type does not use is zero, as installing
    // into an empty slot leaves it (the consistency check, obj/verify.h).
    bool unused_fields_clear() const {
        switch (type) {
            case abi::CapType::Memory:
            case abi::CapType::Frame:
                return true;
            case abi::CapType::Endpoint:
            case abi::CapType::Notification:
            case abi::CapType::Reply:
            case abi::CapType::IrqHandler:
                return w1 == 0;
            default:
                return w0 == 0 && w1 == 0;
        }
    }
};

static_assert(abi::CapType::Null == abi::CapType(0) && abi::CapType::IrqHandler == abi::CapType(9));

// The type of the slots of the absent leaf (CapSpace): neither empty, so
// that nothing fills them, nor a capability, so that no lookup finds one.
inline constexpr abi::CapType CAP_ABSENT = abi::CapType(0xff);

struct CapLeaf;

// A leaf's slots: as many as fit in a page after the header, rounded down
// to a power of two (so that a slot number splits into the directory
// index and the slot in the leaf with a shift and a mask).
inline constexpr uint64_t CAP_LEAF_HEADER_BYTES = 16;
inline constexpr uint64_t CAP_LEAF_SLOTS =
    bits::round_down_pow2((PAGE_SIZE - CAP_LEAF_HEADER_BYTES) / sizeof(Cap));
static_assert(abi::MAX_CAP_SLOTS % CAP_LEAF_SLOTS == 0);
static_assert(CAP_LEAF_SLOTS == abi::CAP_LEAF_SLOTS, "the ABI says what a leaf holds");

// One page of slots. `owner` and `index` say whose space it is in and
// where (the leaf of owner->space's directory entry `index`): which space
// a capability sits in is found from its address alone
// (CapSpace::owner_of).
struct CapLeaf {
    Task* owner = nullptr;
    uint64_t index = 0;
    Cap slots[CAP_LEAF_SLOTS];
};
static_assert(sizeof(CapLeaf) == CAP_LEAF_HEADER_BYTES + CAP_LEAF_SLOTS * sizeof(Cap) &&
              sizeof(CapLeaf) <= PAGE_SIZE);

// A task's capability space (the comment at the top).
//
// A directory entry is not the leaf's address but where slot 0 would be
// if the leaf's slots went on down to it: slot s of leaf i is at
// dir[i] + s * sizeof(Cap), with no masking of s. A leaf not made yet has
// the entry of the shared absent leaf (no_leaf(i)), whose slots are all
// of type CAP_ABSENT, so that looking a slot up needs no test of its own
// for a missing leaf: the type tells, and it is read anyway.
struct CapSpace {
    using Entry = uintptr_t;
    // Leaves the directory can name at most: abi::MAX_CAP_SLOTS slots.
    static constexpr uint64_t MAX_LEAVES = abi::MAX_CAP_SLOTS / CAP_LEAF_SLOTS;
    // Entries of a one-page directory, and the fewest any directory has.
    static constexpr uint64_t DIR_PAGE_ENTRIES = PAGE_SIZE / sizeof(Entry);
    static constexpr uint64_t MIN_DIR_ENTRIES = DIR_PAGE_ENTRIES < MAX_LEAVES ? DIR_PAGE_ENTRIES : MAX_LEAVES;
    // The pages a task's space starts with: a one-page directory and the
    // leaf holding slots 0 .. CAP_LEAF_SLOTS - 1 (its own capabilities).
    static constexpr uint64_t INITIAL_PAGES = 2;

    // The shared absent leaf, and the directory of a space not made yet,
    // or freed: MIN_DIR_ENTRIES entries of it (init_empty() fills them,
    // at boot). Never written after that.
    alignas(PAGE_SIZE) static CapLeaf absent_leaf;
    static Entry empty_dir[MIN_DIR_ENTRIES];
    static void init_empty();

    // dir_len entries in dir_pages() pool pages; before init() and after
    // destroy(), empty_dir and 0. Either way `dir` has MIN_DIR_ENTRIES
    // entries at least, which find() reads without asking dir_len.
    Entry* dir = empty_dir;
    uint32_t dir_len = 0;
    uint32_t nr_leaves = 0;  // entries naming a leaf of its own

    // The entry of leaf `leaf` at index i, and the entry of no leaf there.
    static Entry entry_of(const CapLeaf* leaf, uint64_t i) {
        return reinterpret_cast<uintptr_t>(leaf->slots) - i * CAP_LEAF_SLOTS * sizeof(Cap);
    }
    static Entry no_leaf(uint64_t i) { return entry_of(&absent_leaf, i); }
    // The leaf whose entry at index i is `e` (the absent leaf for none).
    static CapLeaf* leaf_at(Entry e, uint64_t i) {
        return leaf_of(reinterpret_cast<const Cap*>(e + i * CAP_LEAF_SLOTS * sizeof(Cap)));
    }

    // The slot `slot`; for a slot past abi::MAX_CAP_SLOTS or in a leaf not
    // made yet, a slot of the absent leaf (type CAP_ABSENT): never null.
    // Inline: every lookup of a capability. A slot an IPC call names for
    // its own use (below abi::IPC_SLOTS) lies within MIN_DIR_ENTRIES
    // leaves, so the compiler drops the check of dir_len for it.
    Cap* find(uint64_t slot) const {
        const uint64_t i = slot / CAP_LEAF_SLOTS;
        if (i >= MIN_DIR_ENTRIES && i >= dir_len) return &absent_leaf.slots[0];
        return reinterpret_cast<Cap*>(dir[i] + slot * sizeof(Cap));
    }
    // The slot `slot`, or nullptr when it lies past abi::MAX_CAP_SLOTS or
    // in a leaf not made yet.
    Cap* at(uint64_t slot) const {
        Cap* c = find(slot);
        return c->type == CAP_ABSENT ? nullptr : c;
    }
    // The leaf of entry i (< dir_len), or nullptr for none.
    CapLeaf* leaf(uint64_t i) const {
        CapLeaf* l = leaf_at(dir[i], i);
        return l == &absent_leaf ? nullptr : l;
    }

    // The leaf holding `c`, which sits in some task's space (not one
    // embedded in a thread or task): the page it lies in.
    static CapLeaf* leaf_of(const Cap* c) {
        return reinterpret_cast<CapLeaf*>(reinterpret_cast<uintptr_t>(c) & ~uintptr_t(PAGE_SIZE - 1));
    }
    // The task whose space holds `c` (as leaf_of).
    static Task* owner_of(const Cap* c) { return leaf_of(c)->owner; }

    // Calls fn(cap, slot) for every slot of every leaf, in slot order.
    template <typename Fn>
    void for_each(Fn fn) const {
        for (uint64_t i = 0; i < dir_len; i++)
            if (CapLeaf* l = leaf(i))
                for (uint64_t k = 0; k < CAP_LEAF_SLOTS; k++) fn(l->slots[k], i * CAP_LEAF_SLOTS + k);
    }
    // Pool pages of the directory.
    uint64_t dir_pages() const { return (uint64_t(dir_len) * sizeof(Entry) + PAGE_SIZE - 1) / PAGE_SIZE; }
    // Pool pages of the whole space, and the bytes of them charged to its
    // owner's own account: all but the INITIAL_PAGES its creator reserved.
    uint64_t pages() const { return dir_pages() + nr_leaves; }
    uint64_t charged_bytes() const { return dir_len ? (pages() - INITIAL_PAGES) * PAGE_SIZE : 0; }

    // The directory and the first leaf, for the new task `owner`, charged
    // to nobody (its creator's reservation covers them). Errors: NoMemory;
    // nothing is left allocated.
    Status init(Task* owner);
    // Makes the leaf holding `slot` (and a directory that reaches it) if
    // it does not exist, charged to `owner`'s account; the slot. Errors:
    // InvalidCap (slot >= abi::MAX_CAP_SLOTS, or the space freed),
    // OutOfSlots (past owner's kernel memory limit), NoMemory (the pool).
    // A directory grown before the leaf fails stays grown.
    Result<Cap*> grow_to(Task* owner, uint64_t slot);
    // Frees every leaf and the directory, crediting `owner` with what it
    // was charged. Every slot must be empty.
    void destroy(Task* owner);

private:
    Status grow_dir(Task* owner, uint64_t index);
    Status add_leaf(Task* owner, uint64_t index);
};
