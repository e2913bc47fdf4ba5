// The kernel's check of its own state: a broken invariant found here is a
// kernel bug, never a user's doing.
//
// It walks every live object of the kernel pool (kpool::for_each_object)
// and everything they name, and checks that
//   - the pool's bookkeeping holds, and its pages in use are exactly the
//     capability spaces (directories, leaves) and page tables of live
//     tasks and the objects;
//   - every capability sits where its owner and slot say, its derivation
//     links agree with their partners, every capability is reachable from
//     a root of the tree, and its typed fields (and those of its parent)
//     are sane;
//   - every mapping a Frame capability records is in its task's list of
//     mappings, and the leaves of the task's tables map exactly its
//     frames (the root task's mem_map and initrd excepted, which boot
//     maps without capabilities);
//   - reference counts equal the references that exist: capabilities, a
//     thread's task, a task's list of threads, the kernel memory payers;
//     an endpoint's count of capabilities likewise;
//   - each task's kernel memory account equals its page tables, the part
//     of its capability space beyond what its creator reserved, the
//     endpoints it pays for and the reservations of the tasks it created;
//   - ASIDs, ready queues, endpoint queues and the running thread agree
//     with each thread's state, each waiting thread on its one queue, and
//     each thread waiting for a reply answerable by exactly one Reply
//     capability.
// Every pointer is checked to name what it should before it is followed,
// so a damaged state is reported, not fallen into. It changes nothing but
// its own scratch table. Its cost is linear in the kernel's state
// (objects, capability slots, page tables, mapped pages), with one more
// pass over the sources of references for each 1024 objects beyond the
// first 1024.
#pragma once

#include <stdint.h>

namespace verify {

// What a finding is about. The numbers are stable: KernelInfo with
// KERNEL_INFO_VERIFY returns them (docs/syscalls.md).
enum class Check : uint8_t {
    None = 0,
    Pool,           // the pool's own bookkeeping
    PoolAccount,    // pool pages in use against the tables and objects using them
    Object,         // an object's header: type, size class or own page, reference count
    RefCount,       // an object's reference count against the references found
    CapEmpty,       // an empty slot with fields set
    CapLink,        // a derivation link that names no capability, or whose partner disagrees
    CapTree,        // a capability not reachable from a root of the tree
    CapFields,      // a capability's typed fields, or what it has against its parent
    CapObject,      // the object a capability names
    Mapping,        // a Frame's mapping record against its task's list of mappings
    PageTable,      // a task's tables: their frames, entries, kernel half
    Leaf,           // a mapping against the leaves that map it
    Unrecorded,     // leaves that no mapping records
    Task,           // a task's own fields, alive or dead
    Asid,           // address space identifiers
    Kmem,           // kernel memory accounts
    Thread,         // a thread's fields and its place in its task's list
    ReadyQueue,     // the scheduler's ready queues and counts
    EndpointQueue,  // an endpoint's queues of waiting threads
    Reply,          // a thread waiting for a reply without exactly one Reply capability to answer it
    Current,        // the running thread
    Notification,   // a notification's waiting threads and bound thread
    Interrupt,      // interrupt lines against the IrqHandler capabilities that hold them
};
inline constexpr unsigned NR_CHECKS = unsigned(Check::Interrupt) + 1;

const char* check_name(Check c);

struct Finding {
    Check check = Check::None;
    char message[200] = {};
};

// Runs every check. True when the state is consistent; otherwise false,
// with the first inconsistency found in *f (what, and which object).
bool run(Finding* f);

// verify=syscall on the kernel command line: run() after every system
// call, panicking with the finding (syscall/entry.cc). `nr` is the
// call's number, for the message.
void after_syscall(uint64_t nr);

// The number of objects counted against their references in one pass
// (the rest take further passes); tests set it low to run several.
void set_batch_limit(unsigned objects);

}  // namespace verify
