// Kernel objects: tasks, threads, endpoints, notifications (capabilities
// and the capability spaces that hold them: capspace.h).
//
// Everything here lives in the kernel pool (obj/pool.h), out of reach of
// user tasks. Objects behind capabilities (Task, Thread, Endpoint,
// Notification) are reference counted: every capability to one holds a
// reference, and so do the links the kernel keeps (a thread's task, a
// thread's bound notification). An object outlives its last use and is
// freed when its count reaches zero; a Task, Endpoint or Notification can
// be dead before that, and operations on it then return Error::DeadObject.
#pragma once

#include <stdint.h>

#include "abi/cap.h"
#include "abi/syscall.h"
#include "arch/riscv/uctx.h"
#include "base/addr.h"
#include "kernel/obj/capspace.h"

struct Task;
struct Thread;
struct Endpoint;
struct Notification;

// Endpoint and Notification come last: the objects threads wait on
// (Waitable), told from the others by one comparison.
enum class ObjType : uint8_t { Task, Thread, Endpoint, Notification };

struct KObject {
    ObjType otype;
    bool own_page = false;  // in a pool page of its own (kmem.h), not a size class's
    uint32_t refs = 0;
};

enum class ThreadState : uint8_t {
    Inactive,      // created, not started
    Ready,         // on a ready queue
    Running,       // the current thread
    BlockedSend,   // waiting on an endpoint's send queue (Send or Call)
    BlockedRecv,   // waiting on an endpoint's receive queue
    BlockedReply,  // sent a Call (or a fault), waiting for the Reply
    BlockedWait,   // waiting on a notification's queue (Wait)
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
    Endpoint* blocked_on = nullptr;      // BlockedSend, BlockedRecv (and an end notice's carrier)
    Notification* waiting_on = nullptr;  // BlockedWait
    Notification* bound = nullptr;       // its bound notification (holds a reference), or none
    uint64_t msg[abi::MSG_WORDS] = {};   // message being sent while blocked
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

// What endpoints and notifications share: threads wait on them, and
// when the last capability naming one goes, nobody can wake them any
// more, so they are woken with DeadObject (caps::remove).
struct Waitable : KObject {
    uint32_t caps = 0;           // capabilities naming it; 0 means no one can use it
    Task* kmem_payer = nullptr;  // the task charged for it (EndpointCreate, NotificationCreate), or none
};
inline bool is_waitable(const KObject* o) { return o->otype >= ObjType::Endpoint; }

struct Endpoint : Waitable {
    ThreadQueue senders;
    ThreadQueue receivers;
};

// A word of bits for asynchronous signals (notify.h): Signal ORs bits in,
// Wait takes them all (waiting until some are set), Poll takes them
// without waiting.
struct Notification : Waitable {
    uint64_t word = 0;        // the bits signalled and not taken yet
    ThreadQueue waiters;      // BlockedWait threads, first come first woken
    Thread* bound = nullptr;  // the thread whose Recv also takes the bits (Thread::bound)
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
    CapSpace space;             // its capabilities, by slot
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
    // below the root, its capability space beyond what it started with,
    // the endpoints it creates, and for each task it creates that task's
    // structures and limit, reserved whole (kmem.h).
    // kmem_limit 0: no limit.
    uint64_t kmem_limit = 0;
    uint64_t kmem_used = 0;
    // The task whose account holds this task's reservation, and how much:
    // given back when this Task object is freed.
    Task* kmem_payer = nullptr;
    uint64_t kmem_reserved = 0;
};

// Object references: dropping the last one frees it (obj_destroy, obj/objects.cc).
void obj_destroy(KObject* o);
inline void obj_ref(KObject* o) { o->refs++; }
inline void obj_unref(KObject* o) {
    if (--o->refs == 0) obj_destroy(o);
}
