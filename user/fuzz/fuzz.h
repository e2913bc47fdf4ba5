// The seeded syscall fuzzer (user/fuzz): what its parts share.
//
// One task (the fuzzer: the root task, or a program the pager started)
// and its children issue random system calls and pager requests with
// arguments drawn from interesting values, while the fuzzer checks the
// kernel's and the pager's own consistency (KernelInfo KERNEL_INFO_VERIFY,
// Stats PAGER_STAT_VERIFY) every few hundred calls, and at the end that
// the kernel pool (less what the pager's capability space grew by), its
// own kernel memory account and the pager's free count are back where
// they started. Everything follows from one seed.
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "abi/cap.h"
#include "abi/syscall.h"
#include "base/result.h"
#include "runtime/syscall.h"
#include "user/fuzz/rng.h"

namespace fuzz {

// Who is fuzzing: the root task (Memory capabilities, no pager), a program
// the pager started (pager requests), or a child of either.
enum class Role : uint8_t { Root, Client, Child };

struct Options {
    uint64_t seed = 1;
    uint64_t calls = 20000;         // the fuzzer's own; its children's come on top
    uint64_t verify_every = 500;    // calls between the kernel's and the pager's checks
    unsigned children = 3;          // fuzzing children at a time (besides the echo server)
    uint64_t respawn_every = 1500;  // calls between killing one child and starting another
    bool strict = false;            // an error docs/syscalls.md does not list fails the run
};

// What the fuzzer believes a slot holds (CapIdentify refreshes it).
struct SlotInfo {
    abi::CapType type = abi::CapType::Null;
    uint8_t rights = 0;
    uint8_t order = 0;  // a Frame's
    // A copy of our own Task or Thread capability: never killed through,
    // never given a fault endpoint, never given away, so that only the
    // run's end ends the fuzzer (tests of their own cover a task that
    // ends itself those ways: tests/qemu/pager.cmake).
    bool self = false;
};

// The page a child shares with its parent, at the same address in both.
struct ChildParams {
    uint64_t seed;
    uint32_t index;
    uint8_t pager;              // slot abi::PAGER_SLOT holds (a copy of) the endpoint to the pager
    volatile uint64_t calls;    // system calls and pager requests made so far
    volatile uint64_t last_nr;  // the call it is in or made last, and its a0
    volatile uint64_t last_a0;
};

struct Grant {
    uint64_t pfn;
    unsigned order;
    unsigned slot;  // where its capability landed
};

// Slots every fuzzing task has: its own Task and Thread caps (1, 2), the
// endpoint to the pager (4, pager clients and their children), the echo
// server's endpoint (5) and two endpoints children share (6, 7). The rest
// up to `fuzz_end` is the fuzz range, for random capabilities.
inline constexpr unsigned SLOT_ECHO = 5;
inline constexpr unsigned SLOT_SHARED0 = 6, SLOT_SHARED1 = 7;
inline constexpr unsigned MAX_TABLE = abi::ROOT_CAP_SLOTS;
inline constexpr unsigned MAX_GRANTS = 48;
inline constexpr unsigned MAX_PFNS = 16;
inline constexpr unsigned MAX_CHILDREN = 6;

// The window of the address space the fuzzer maps into (every table for
// it made before the first measurement, so its mappings come and go
// without the task's page tables growing):
//   [WINDOW, +6 MiB)       random mappings and batches
//   [REGION_VA, +1 MiB)    a demand-zero region (pager clients)
//   [SCRATCH_VA, +1 MiB)   the parent's scratch mappings for building children
//   [PARAMS_VA, +64 KiB)   the page each child shares with its parent
inline constexpr uint64_t WINDOW = 0x31'0000'0000;
inline constexpr uint64_t WINDOW_SIZE = 8 << 20;
inline constexpr uint64_t RANDOM_SIZE = 6 << 20;
inline constexpr uint64_t REGION_VA = WINDOW + (6 << 20);
inline constexpr uint64_t REGION_SIZE = 1 << 20;
inline constexpr uint64_t SCRATCH_VA = WINDOW + (7 << 20);
inline constexpr uint64_t PARAMS_VA = WINDOW + (15 << 19);
inline constexpr uint64_t PFN_ARRAY_VA = WINDOW + (31 << 18);     // the pfn arrays MintMap reads
inline constexpr uint64_t CR_PAGE_VA = PFN_ARRAY_VA + PAGE_SIZE;  // carriage returns for DebugWrite

struct World {
    Role role;
    Options opt;
    Rng rng;
    // The slots our runtime hands out (abi::CAP_SLOTS, ROOT_CAP_SLOTS),
    // which the shadow covers; the kernel's space goes on to
    // abi::MAX_CAP_SLOTS, and the fuzzer (but not a child) fills nothing
    // beyond its fuzz range there.
    unsigned nr_slots;
    unsigned fuzz_first, fuzz_end;  // the fuzz range
    // Slots outside it that were empty at the start (3, 4 in the root,
    // the last of the runtime's, the last an IPC field names): random
    // capabilities land there too, and count as the fuzz range's.
    unsigned extra[4];
    unsigned nr_extra;
    SlotInfo shadow[MAX_TABLE];
    bool pager;  // abi::PAGER_SLOT holds an endpoint to the pager
    bool echo;   // SLOT_ECHO holds the echo server's endpoint
    // Root: the Memory capabilities (slots and ranges) from the boot info.
    const abi::BootInfo* boot;
    // Pager grants made by Alloc, to free at random and at the end.
    Grant grants[MAX_GRANTS];
    unsigned nr_grants;
    uint64_t pfns[MAX_PFNS];  // frames the fuzzer has seen, for pfn arguments
    unsigned nr_pfns;
    // Copies of the Task capabilities of the tasks we made, out of the
    // fuzz range, to end them at the end (task_create); and the
    // children's Task caps.
    unsigned kept[16];
    unsigned nr_kept;
    unsigned child_tasks[MAX_CHILDREN + 1];
    unsigned nr_child_tasks;
    ChildParams* params;  // a child's shared page
    uint64_t calls, checksum, findings;
    uint64_t touched[8];  // fuzz-range slots the current call named
    unsigned nr_touched;
    uint64_t finding_seen[64];  // (nr << 8 | error) already reported
    unsigned nr_finding_seen;
};

World& world();

// values.cc: interesting arguments and the shadow of the table.
bool in_fuzz_range(const World& w, uint64_t slot);
void identify(World& w, uint64_t slot);
void refresh_all(World& w);
void touch(World& w, uint64_t slot);
void refresh_touched(World& w);
uint64_t any_slot(World& w);
uint64_t slot_of(World& w, abi::CapType type);
uint64_t empty_slot(World& w);
// A fuzz-range slot holding something that is ours to destroy, or any slot.
uint64_t victim_slot(World& w);
bool may_destroy(const World& w, uint64_t slot);
// For TaskCreate's end notice: none, an Endpoint of the fuzz range, or
// another slot of it. Never an endpoint kept past the run (the echo
// server's): a notice waits there for a receiver, keeping the ended
// task's objects, past the final count.
uint64_t end_endpoint(World& w);
// Whether `slot` holds the Task capability of one of our fuzzing children.
bool is_child_task(const World& w, uint64_t slot);
uint64_t task_slot(World& w);
uint64_t address(World& w);
uint64_t window_address(World& w);
uint64_t count(World& w);
uint64_t order(World& w);
uint64_t rights(World& w);
uint64_t badge(World& w);
uint64_t pfn(World& w);
uint64_t limit(World& w);
uint64_t any_word(World& w);
void saw_pfn(World& w, uint64_t pfn);

// ops.cc: one random system call or pager request; the finding check.
void random_call(World& w);
// Records a result: the checksum, and a finding when `e` is not among the
// errors the documentation allows for call `nr` (a bit mask of Errors;
// pager requests are numbered 1000 + PagerOp).
void result(World& w, uint64_t nr, Error e, uint32_t allowed);
inline constexpr uint32_t bit(Error e) { return uint32_t(1) << unsigned(e); }
// Prints a finding (something that disagrees with the documentation), once
// per `key`.
void finding(World& w, uint64_t key, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// children.cc: the echo server and fuzzing children.
Status children_init(World& w);
void children_tick(World& w);  // respawns, reaps; the parent's loop calls it
void children_end(World& w);
uint64_t children_calls();
[[noreturn]] void child_loop(World& w);

}  // namespace fuzz
