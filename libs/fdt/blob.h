// A flattened device tree blob (Devicetree Specification v0.4, chapter 5):
// its on-disk layout, and a validated, read-only view of it.
//
// Every multi-byte value in a blob is big-endian. The loaders below read
// bytes individually, so they are correct on any host and never depend on
// the blob's alignment.
//
// Blob::open() checks the header and walks the whole structure block once
// (every token, name, property length and property-name offset), so the
// accessors in node.h can follow offsets without re-checking sizes and
// without any risk of reading outside the blob or looping forever. The
// blob is never written and never copied: every string or byte pointer
// handed out points into it and lives as long as the caller's buffer.
//
// Freestanding: no allocation, no libc. Runs before any allocator exists.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

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

inline constexpr uint32_t NO_OFFSET = ~0u;

// Why a parse failed: a static message and the byte offset in the blob
// where the problem was detected (NO_OFFSET when it has no position).
struct Diag {
    const char* what = nullptr;
    uint32_t offset = NO_OFFSET;
};

// Records `what` at `offset` in `diag` (when non-null) and returns `e`, so
// a failing check reads `return fail(diag, Error::Malformed, "...", off);`.
inline Error fail(Diag* diag, Error e, const char* what, uint32_t offset = NO_OFFSET) {
    if (diag != nullptr) {
        diag->what = what;
        diag->offset = offset;
    }
    return e;
}

// Deepest node nesting accepted (the root is depth 0). Real trees are
// about five levels deep; the limit bounds the walkers' fixed stacks.
inline constexpr unsigned MAX_DEPTH = 32;

// One entry of the memory reservation block (spec 5.3).
struct MemReserve {
    uint64_t address;
    uint64_t size;
};

// One decoded structure-block token: where it starts and where the next
// token starts.
struct Tag {
    Token token;
    uint32_t offset;
    uint32_t next;
};

class Node;

class Blob {
public:
    // An empty view with no nodes; every lookup on it fails.
    constexpr Blob() = default;

    // Validates the blob at `data`, of which at most `max_size` bytes may
    // be read. Errors (with `diag` filled in):
    //   InvalidArgument  data is null
    //   BadAlignment     data is not 8-byte aligned, or a block offset is
    //                    misaligned (reservation map 8, structure block 4)
    //   OutOfRange       max_size is smaller than the header or totalsize
    //   Malformed        bad magic; blocks outside totalsize; reservation
    //                    map without terminator; any structure-block defect
    //   Unsupported      version < 16, last_comp_version > 17, or nodes
    //                    nested deeper than MAX_DEPTH
    static Result<Blob> open(const void* data, size_t max_size, Diag* diag = nullptr);

    const uint8_t* data() const { return base_; }
    uint32_t total_size() const { return total_size_; }
    uint32_t version() const { return version_; }

    // Memory reservation block entries, up to (not including) the
    // terminating entry of size 0. mem_reserve() fails with OutOfRange
    // when i >= nr_mem_reserve().
    size_t nr_mem_reserve() const { return nr_rsv_; }
    uint32_t mem_reserve_offset() const { return rsv_off_; }
    Result<MemReserve> mem_reserve(size_t i) const;

    // Node lookups (defined with the rest of the tree, in node.cc).
    // The root node; on an empty view, a node with no name and no content.
    Node root() const;

    // Finds a node by absolute path ("/cpus/cpu@0"). A path component
    // without a unit address also matches a node that has one ("memory"
    // finds "memory@80000000"; the first match in blob order wins).
    // Errors: InvalidArgument (path not absolute), NotFound.
    Result<Node> find_node(const char* path) const;

    // First node, in blob order, whose "phandle" (or legacy
    // "linux,phandle") equals `phandle`. Errors: InvalidArgument for the
    // reserved values 0 and 0xffffffff, NotFound.
    Result<Node> find_by_phandle(uint32_t phandle) const;

    // First node, in blob order, whose "compatible" list holds `compat`.
    // Errors: NotFound.
    Result<Node> find_compatible(const char* compat) const;

    // Low-level structure access for Node and TreeWalker. decode() checks
    // everything it reads (open() uses it to validate); after a successful
    // open() it cannot fail on offsets obtained from the structure walk.
    // Errors: Malformed.
    Result<Tag> decode(uint32_t offset, Diag* diag = nullptr) const;
    // decode() that skips NOP tokens and reports any failure as an End
    // token, for walkers over an already validated blob.
    Tag next_tag(uint32_t offset) const;
    // Offset just after the END_NODE matching the BEGIN_NODE at `offset`.
    uint32_t skip_subtree(uint32_t offset) const;
    // Offset of the root's BEGIN_NODE.
    uint32_t root_offset() const { return root_off_; }
    // Name of the node whose BEGIN_NODE is at `offset` ("" if none).
    const char* node_name(uint32_t offset) const;
    // Property name at `nameoff` in the strings block (checked by decode).
    const char* string_at(uint32_t nameoff) const;

private:
    Status check_header(size_t max_size, Diag* diag);
    Status check_mem_reserve(uint32_t header_size, Diag* diag);
    Status check_blocks(uint32_t header_size, Diag* diag);
    Status check_structure(Diag* diag);
    Result<Tag> decode_begin_node(uint32_t offset, Diag* diag) const;
    Result<Tag> decode_prop(uint32_t offset, Diag* diag) const;

    const uint8_t* base_ = nullptr;
    uint32_t total_size_ = 0;
    uint32_t version_ = 0;
    uint32_t rsv_off_ = 0;
    uint32_t nr_rsv_ = 0;
    uint32_t struct_off_ = 0;
    uint32_t struct_end_ = 0;
    uint32_t strings_off_ = 0;
    uint32_t strings_size_ = 0;
    uint32_t root_off_ = 0;
};

}  // namespace fdt
