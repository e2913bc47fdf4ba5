// The kernel's own symbol table, for backtraces. tools/gen_ksyms.py builds
// it from a first link of the kernel (function symbols only, so the final
// link places every function at the same address) into the .ksyms section.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ksyms {

struct Symbol {
    const char* name;  // nullptr when not found
    uintptr_t start;
    uintptr_t offset;  // of the looked-up address from start
};

// The function containing `addr`, if any.
Symbol lookup(uintptr_t addr);

// Number of symbols in the table (0 in the first link).
size_t count();

}  // namespace ksyms
