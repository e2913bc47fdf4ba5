// What the parts of the kernel's consistency check share (verify.cc,
// verify_caps.cc, verify_space.cc, verify_threads.cc): the state of one
// run, and the checks that a pointer names what it should.
#pragma once

#include <stdint.h>

#include "kernel/irq.h"
#include "kernel/obj/objects.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/verify.h"

namespace verify::detail {

// One run's findings and totals.
struct Run {
    Finding* f;
    uint64_t objects = 0;      // live objects in the pool
    uint64_t caps = 0;         // capabilities in spaces, fault and end endpoints
    uint64_t roots = 0;        // of them, those with no parent
    uint64_t table_pages = 0;  // pool pages of live tasks' capability spaces and page tables
    uint64_t own_page_objects = 0;
    uint64_t alive_tasks = 0;
    uint64_t threads_of_alive = 0;                              // threads whose task is alive
    uint64_t listed_threads = 0;                                // in the lists of alive tasks
    uint64_t ready = 0, running = 0, started = 0, waiting = 0;  // threads by state
    uint64_t on_ready_queues = 0, on_endpoint_queues = 0;
    uint64_t waiting_notified = 0, on_notification_queues = 0;  // BlockedWait threads, and on queues
    uint64_t notices = 0;                           // end notices waiting in endpoint queues (their carriers)
    uint64_t created_listed = 0, with_creator = 0;  // tasks on creators' lists, tasks with a creator
    uint64_t asid_bits[4096 / 64] = {};             // of alive tasks, to see each once
    uint64_t irq_lines_seen[irq::MAX_LINES / 64] = {};  // lines an IrqHandler capability holds
};

// Records the finding and returns false, so checks read
// `if (bad) return fail(r, Check::X, "...", ...);`.
bool fail(Run& r, Check c, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Where a capability sits: slot `slot` of `owner`'s capability space, the
// fault endpoint of `holder` (a thread), or the end endpoint of `ending`
// (a task).
struct Loc {
    const Task* owner;
    unsigned slot;
    const Thread* holder;
    const Task* ending = nullptr;
};
// fail() with the message after "task 3 (name) slot 17: " or "the fault
// endpoint of thread 5: ".
bool fail_at(Run& r, Check c, const Loc& at, const char* fmt, ...) __attribute__((format(printf, 4, 5)));

// The size class objects of `type` are allocated from (when not in a page
// of their own).
unsigned size_class_of(ObjType type);

// Whether `p` is a live object of `type`: a live object of its size-class
// page (of the class of `type`) or the start of a page of one object,
// whose header says `type`. Reads nothing the pool does not say is an
// object.
bool is_object(const void* p, ObjType type);
// Whether `p` names a capability where one can be: a slot of a leaf of a
// live task's capability space (its directory names the leaf), the fault
// endpoint of a live thread or the end endpoint of a task.
bool is_cap(const Cap* p);

// Keeps the count of a live task's page tables below its root, which
// check_space() found, for the kernel memory count (when every object is
// counted in one batch; otherwise they are counted again).
void record_tables(const Task* t, uint64_t tables);

// The parts of a run, each returning false at its first finding.
// verify_caps.cc: the capability `c` sitting at `slot` of `owner`'s space,
// or (owner nullptr) the fault endpoint of `holder`.
bool check_cap(Run& r, const Cap* c, const Loc& at);
// Every capability reachable from the roots of the tree (after every
// capability passed check_cap).
bool check_tree(Run& r);
// verify_space.cc: a task's fields, capability space and threads, and for a live one
// its address space, mappings and ASID.
bool check_task(Run& r, const Task* t);
bool check_space(Run& r, const Task* t);
// The absent leaf and the empty directory every capability space shares
// (capspace.h), as they were made.
bool check_absent_leaf(Run& r);
// Pool pages of the tables below t's root (t alive, its tables checked).
uint64_t tables_below_root(const Task* t);
// verify_threads.cc.
bool check_thread(Run& r, const Thread* t);
bool check_endpoint(Run& r, const Endpoint* e);
bool check_notification(Run& r, const Notification* n);
bool check_scheduler(Run& r);

}  // namespace verify::detail
