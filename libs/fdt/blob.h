// A validated, read-only view of a flattened device tree blob.
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
#include "fdt/layout.h"

namespace fdt {

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
    uint32_t boot_cpuid() const { return boot_cpuid_; }

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
    uint32_t boot_cpuid_ = 0;
    uint32_t rsv_off_ = 0;
    uint32_t nr_rsv_ = 0;
    uint32_t struct_off_ = 0;
    uint32_t struct_end_ = 0;
    uint32_t strings_off_ = 0;
    uint32_t strings_size_ = 0;
    uint32_t root_off_ = 0;
};

}  // namespace fdt
