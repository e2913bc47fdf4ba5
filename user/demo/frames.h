// `frames`: what the pager's frame requests do, seen from a task it started.
// frames.cc sweeps every order over every zone and node; frames_errors.cc
// sends every kind of bad request and checks the pager keeps serving.
#pragma once

#include <stdint.h>

#include "pager_client/pager_client.h"
#include "testrunner/testrunner.h"

namespace frames {

// Where blocks are mapped to be written and checked (4 MiB aligned, room
// for the largest block), and where AllocBatch maps its frames.
inline constexpr uint64_t BLOCK_VA = 0x10'0000'0000;
inline constexpr uint64_t BATCH_VA = 0x18'0000'0000;

// The quota the demo manifest gives this program.
inline constexpr uint64_t MANIFEST_QUOTA = 8192;

// The slot every granted Frame capability lands in (one block at a time).
unsigned grant_slot();

// Checks a block the pager just granted into grant_slot(): the capability
// names it (Frame, R+W, pfn and order), the pfn is aligned and lies in the
// zone reported, the frames hold a pattern when mapped at BLOCK_VA; then
// frees it and checks the capability went with it. false after a failed
// check (already recorded in `r`).
bool exercise_block(unity::Runner& r, const pager::Block& b);

void run_sweep_tests(unity::Runner& r);
void run_error_tests(unity::Runner& r);

}  // namespace frames
