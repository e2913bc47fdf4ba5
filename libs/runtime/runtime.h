// Start-up and shutdown of user tasks.
//
// A program provides `extern "C" int main(uint64_t arg)`; crt0.S calls it
// and ends the task with its return value. The root task's main receives
// the user address of abi::BootInfo and calls rt::init_root first; tasks
// started with Child (spawn.h) run a function instead of main and need no
// set-up of their own.
#pragma once

#include <stdint.h>

#include "abi/boot.h"
#include "base/result.h"

extern "C" int main(uint64_t arg);

namespace rt {

// Sets up the root task from the BootInfo at `boot_addr`: its slots (free
// from abi::SLOT_ROOT_FREE to abi::ROOT_CAP_SLOTS), its frames (the Memory
// capabilities listed) and the image list that Child uses to share text.
// InvalidArgument: boot_addr is 0 or unaligned; Malformed: wrong magic, or
// counts beyond the limits of libs/abi/boot.h.
Status init_root(uint64_t boot_addr);

// The root task's BootInfo; nullptr in every other task.
const abi::BootInfo* boot_info();

// Flushes the console and ends the task with `status`.
[[noreturn]] void exit(uint64_t status);

}  // namespace rt

// Entry points called from crt0.S.
extern "C" [[noreturn]] void rt_exit(uint64_t status);
extern "C" [[noreturn]] void rt_thread_main(uint64_t arg, int (*fn)(uint64_t));
