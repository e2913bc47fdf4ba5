// Kernel objects: capabilities, tasks, threads, endpoints.
//
// Everything here lives in the kernel pool (obj/pool.h), out of reach of
// user tasks. Objects behind capabilities (Task, Thread, Endpoint) are
// reference counted: every capability to one holds a reference, and so do
// the links the kernel keeps (a thread's task, a waiting thread's
// endpoint). An object outlives its last use and is freed when its count
// reaches zero; a Task or Endpoint can be dead before that, and
// operations on it then return Error::DeadObject.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "abi/syscall.h"
#include "arch/riscv/uctx.h"
#include "base/addr.h"

struct Task;
struct Thread;
struct Endpoint;

enum class ObjType : uint8_t { Task, Thread, Endpoint };

struct KObject {
    ObjType otype;
    bool own_page = false;  // in a pool page of its own (kmem.h), not a size class's
    uint32_t refs = 0;
};

// A capability. It sits in a task's table or embedded in a thread (its
// fault endpoint). Capabilities form the derivation tree: copies, minted
// frames and transferred caps are children of their source. An empty slot
// (type Null) holds Cap{}: whatever empties one leaves it so, and
// installing into one writes only the fields the new capability uses
// (caps::install, caps::install_frame).
//
// What a capability holds besides its object depends on its type, and is
// read and written through the accessors of that type only:
//   Memory    the frames [memory_first(), memory_first() + memory_pages())
//   Frame     the frame_pages() = 2^frame_order() frames from frame_pfn(),
//             which is aligned to them
//   Endpoint  badge(), carried by the messages sent through it; 0 for none
//   Reply     reply_generation(), which must equal its thread's reply_gen
//             for it to answer (ipc::waiting_caller)
// Task and Thread capabilities hold nothing besides their object.
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
    // The pfn alone, in a slot whose order is already right (an empty
    // slot's is 0: caps::install_frame_run).
    void set_frame_pfn(uint64_t pfn) { w0 = pfn; }

    uint64_t badge() const { return w0; }
    void set_badge(uint64_t value) { w0 = value; }

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
            case abi::CapType::Reply:
                return w1 == 0;
            default:
                return w0 == 0 && w1 == 0;
        }
    }
};

enum class ThreadState : uint8_t {
    Inactive,      // created, not started
    Ready,         // on a ready queue
    Running,       // the current thread
    BlockedSend,   // waiting on an endpoint's send queue (Send or Call)
    BlockedRecv,   // waiting on an endpoint's receive queue
    BlockedReply,  // sent a Call (or a fault), waiting for the Reply
    Dead,
};

struct Thread : KObject {
    UserContext ctx;
    ThreadState state = ThreadState::Inactive;
    uint8_t priority = abi::PRIORITY_DEFAULT;
    bool is_call = false;   // what it is sending (BlockedSend) is a Call
    bool in_fault = false;  // its Call is a fault message (BlockedSend/BlockedReply)
    uint32_t id = 0;
    uint32_t reply_gen = 0;  // bumps whenever a pending Reply cap must stop working
    Task* task = nullptr;
    Thread* task_next = nullptr;
    Thread* q_next = nullptr;  // ready queue or endpoint queue
    Thread* q_prev = nullptr;
    Endpoint* blocked_on = nullptr;
    uint64_t msg[abi::MSG_WORDS] = {};  // message being sent while blocked
    uint64_t send_badge = 0;
    unsigned send_cap_slot = 0;  // slot of the capability travelling with it
    uint64_t recv_info = 0;      // IpcInfo of a pending receive
    Cap fault_ep;                // copy of its fault endpoint cap
};

struct ThreadQueue {
    Thread* head = nullptr;
    Thread* tail = nullptr;
    bool empty() const { return head == nullptr; }
    inline void push(Thread* t);    // at the tail
    inline void remove(Thread* t);  // from anywhere
    Thread* pop();
};

// Inline: the IPC fast paths use them on every message.
void ThreadQueue::push(Thread* t) {
    t->q_next = nullptr;
    t->q_prev = tail;
    if (tail)
        tail->q_next = t;
    else
        head = t;
    tail = t;
}

void ThreadQueue::remove(Thread* t) {
    if (t->q_prev)
        t->q_prev->q_next = t->q_next;
    else
        head = t->q_next;
    if (t->q_next)
        t->q_next->q_prev = t->q_prev;
    else
        tail = t->q_prev;
    t->q_next = t->q_prev = nullptr;
}

struct Endpoint : KObject {
    ThreadQueue senders;
    ThreadQueue receivers;
    uint32_t caps = 0;           // capabilities naming it; 0 means no one can use it
    Task* kmem_payer = nullptr;  // the task charged for it (EndpointCreate), or none
};

struct Task : KObject {
    uint32_t id = 0;
    bool alive = true;
    uint16_t asid = 0;
    PhysAddr pt_root;
    uint64_t mmu = 0;  // arch::address_space_token(pt_root, asid)
    // Some leaf may have A or D clear. Leaves are made with both set, so
    // until ReadClearAD clears them a page fault cannot be the A/D update
    // that hardware without Svadu leaves to software.
    bool ad_cleared = false;
    Cap* slots = nullptr;  // nr_slots entries, pool pages
    uint32_t nr_slots = 0;
    Thread* threads = nullptr;  // via Thread::task_next (each holds a reference)
    Cap* mappings = nullptr;    // Frame caps mapped into this address space
    char name[24] = {};
    // Its end notice's endpoint (TaskCreate a3), out of the task's reach.
    Cap end_ep;
    // Task and Thread capabilities naming it or its threads that sit
    // anywhere but its own table. When the last goes, nothing outside can
    // reach it any more and it ends (tasks::held_outside; not the root task).
    uint32_t holders = 0;
    // The tasks it created (TaskCreate; each names it as kmem_payer), which
    // end when it ends; linked while their Task objects exist.
    Task* first_created = nullptr;
    Task* next_created = nullptr;
    Task* prev_created = nullptr;
    // Waiting to end for one of those two reasons (tasks::queue_end).
    bool end_pending = false;
    abi::TaskEnd pending_how = abi::TaskEnd::Unreachable;
    Task* pending_next = nullptr;
    // Kernel memory (pool bytes) charged to this task: its page tables
    // below the root, the endpoints it creates, and for each task it
    // creates that task's structures and limit, reserved whole (kmem.h).
    // kmem_limit 0: no limit.
    uint64_t kmem_limit = 0;
    uint64_t kmem_used = 0;
    // The task whose account holds this task's reservation, and how much:
    // given back when this Task object is freed.
    Task* kmem_payer = nullptr;
    uint64_t kmem_reserved = 0;
};
