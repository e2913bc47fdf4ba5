// The on-disk layout of a flattened device tree (Devicetree Specification
// v0.4, chapter 5): header fields, structure-block tokens and the functions
// that read big-endian values from a blob one byte at a time.
//
// Every multi-byte value in a blob is big-endian. The loaders below read
// bytes individually, so they are correct on any host and never depend on
// the blob's alignment.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fdt {

inline constexpr uint32_t FDT_MAGIC = 0xd00dfeed;

// The newest layout this parser reads, and the oldest it accepts: version
// 16 dropped full path names from BEGIN_NODE, version 17 added
// size_dt_struct (spec 5.2).
inline constexpr uint32_t FDT_MIN_VERSION = 16;
inline constexpr uint32_t FDT_MAX_COMPAT_VERSION = 17;

// Byte offsets of the header fields (spec 5.2, struct fdt_header).
namespace hdr {
inline constexpr uint32_t MAGIC = 0;
inline constexpr uint32_t TOTALSIZE = 4;
inline constexpr uint32_t OFF_DT_STRUCT = 8;
inline constexpr uint32_t OFF_DT_STRINGS = 12;
inline constexpr uint32_t OFF_MEM_RSVMAP = 16;
inline constexpr uint32_t VERSION = 20;
inline constexpr uint32_t LAST_COMP_VERSION = 24;
inline constexpr uint32_t BOOT_CPUID_PHYS = 28;
inline constexpr uint32_t SIZE_DT_STRINGS = 32;
inline constexpr uint32_t SIZE_DT_STRUCT = 36;
// A version-16 header ends before size_dt_struct; version 17 adds it.
inline constexpr uint32_t V16_SIZE = 36;
inline constexpr uint32_t V17_SIZE = 40;
}  // namespace hdr

// Structure-block tokens (spec 5.4.1). Every token is a 4-byte aligned
// big-endian word.
enum class Token : uint32_t {
    BeginNode = 1,  // followed by the NUL-terminated unit name, padded to 4
    EndNode = 2,
    Prop = 3,  // followed by len and nameoff words, then len bytes, padded
    Nop = 4,
    End = 9,  // the last token of the structure block
};

// One memory reservation block entry: two big-endian u64 (spec 5.3).
inline constexpr uint32_t RSV_ENTRY_SIZE = 16;

// A property value is a list of 4-byte cells.
inline constexpr uint32_t CELL_SIZE = 4;

constexpr uint32_t load_be32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

constexpr uint64_t load_be64(const uint8_t* p) { return (uint64_t(load_be32(p)) << 32) | load_be32(p + 4); }

constexpr uint32_t align4(uint32_t v) { return (v + 3u) & ~3u; }

// Length of the NUL-terminated string at s[0..limit), or `limit` when no
// NUL occurs before the limit (the caller treats that as unterminated).
constexpr size_t bounded_strlen(const char* s, size_t limit) {
    size_t n = 0;
    while (n < limit && s[n] != '\0') n++;
    return n;
}

constexpr bool str_equal(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

}  // namespace fdt
