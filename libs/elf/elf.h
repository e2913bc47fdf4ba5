// ELF64 executables for RISC-V: validation and the loadable segments.
// Pure (no kernel dependency): the kernel uses it for the root task and
// the pager for programs from the boot bundle, so every field is checked
// as hostile input (ELF specification, "Program Header" and the RISC-V
// psABI: EM_RISCV = 243, ELFCLASS64, little-endian).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace elf {

inline constexpr size_t MAX_SEGMENTS = 16;

struct Segment {
    uint64_t vaddr;
    uint64_t memsz;
    uint64_t filesz;
    uint64_t offset;  // of the file bytes
    uint8_t rights;   // abi::Rights: R, W, X
};

struct Image {
    uint64_t entry;
    Segment segments[MAX_SEGMENTS];
    size_t nr_segments;
};

// Parses and checks the executable in [data, data + size): the header,
// every program header, every PT_LOAD segment (file bytes inside the file,
// filesz <= memsz, whole range inside [lo, hi), 4 KiB-aligned start, no
// two segments sharing a page, no segment writable and executable), and
// the entry point inside an executable segment.
// Errors (`why` set to a static reason): Malformed, Unsupported (not a
// RISC-V 64-bit executable, more than MAX_SEGMENTS loadable segments),
// OutOfRange (a segment outside [lo, hi)).
Status parse(const void* data, size_t size, uint64_t lo, uint64_t hi, Image& out, const char** why);

}  // namespace elf
