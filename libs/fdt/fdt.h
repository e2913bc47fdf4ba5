// The flattened device tree reader (Devicetree Specification v0.4): the
// blob's layout and its validation first, then the tree a validated blob
// holds -- nodes, property values, 'reg' lists, walks and lookups.
// machine.h reads what boot needs from that tree.
//
// Freestanding: no allocation, no libc. Runs before any allocator exists.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace fdt {

// ==== The blob ===============================================================
// A flattened device tree blob (spec chapter 5): its on-disk layout, and a
// validated, read-only view of it.
//
// Every multi-byte value in a blob is big-endian. The loaders below read
// bytes individually, so they are correct on any host and never depend on
// the blob's alignment.
//
// Blob::open() checks the header and walks the whole structure block once
// (every token, name, property length and property-name offset), so the
// tree's accessors below can follow offsets without re-checking sizes and
// without any risk of reading outside the blob or looping forever. The
// blob is never written and never copied: every string or byte pointer
// handed out points into it and lives as long as the caller's buffer.

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

    // Node lookups (defined with the rest of the tree, in fdt.cc).
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

// ==== The tree ===============================================================
// The tree of a validated blob: nodes, their properties and children, and
// walks over them.
//
// Property values are read with the encodings the spec defines (spec
// 2.2.4): <u32>, <u64>, <string>, <stringlist>, and 'reg'-style lists of
// (address, size) pairs whose cell counts come from the parent node (spec
// 2.3.5, 2.3.6). A Node is a small value (the blob view and two offsets)
// with the conveniences boot code needs: compatible matching, status,
// phandle, 'reg' decoding. Every pointer handed out points into the blob
// and lives as long as the caller's buffer; a default-constructed Node or
// Property is empty.

// --- Property values ---------------------------------------------------------

// The strings of a <stringlist> value, each NUL-terminated, back to back.
class StringList {
public:
    class Iterator {
    public:
        constexpr Iterator(const char* p, const char* end) : p_(p), end_(end) {}
        const char* operator*() const { return p_; }
        Iterator& operator++() {
            p_ += bounded_strlen(p_, size_t(end_ - p_)) + 1;
            return *this;
        }
        bool operator!=(const Iterator& o) const { return p_ != o.p_; }

    private:
        const char* p_;
        const char* end_;
    };

    constexpr StringList() = default;
    // `data` must end with a NUL (Property::as_string_list() checks it).
    constexpr StringList(const char* data, size_t size) : data_(data), size_(size) {}

    Iterator begin() const { return Iterator(data_, data_ + size_); }
    Iterator end() const { return Iterator(data_ + size_, data_ + size_); }
    size_t count() const;
    bool contains(const char* s) const;

private:
    const char* data_ = nullptr;
    size_t size_ = 0;
};

class Property {
public:
    constexpr Property() = default;
    constexpr Property(const char* name, const uint8_t* data, uint32_t size, uint32_t offset)
        : name_(name), data_(data), size_(size), offset_(offset) {}

    const char* name() const { return name_; }
    const uint8_t* data() const { return data_; }
    uint32_t size() const { return size_; }
    // Offset of the property's token in the blob, for diagnostics.
    uint32_t offset() const { return offset_; }
    uint32_t nr_cells() const { return size_ / CELL_SIZE; }

    // Errors: Malformed unless the value is exactly one cell.
    Result<uint32_t> as_u32() const;
    // One or two cells, as dtc and firmware write 32- or 64-bit numbers
    // (e.g. linux,initrd-start). Errors: Malformed for any other size.
    Result<uint64_t> as_u64() const;
    // Errors: Malformed unless the value is non-empty and NUL-terminated.
    Result<const char*> as_string() const;
    Result<StringList> as_string_list() const;
    // Cell i of the value. Errors: OutOfRange when i >= nr_cells().
    Result<uint32_t> cell(size_t i) const;

private:
    const char* name_ = "";
    const uint8_t* data_ = nullptr;
    uint32_t size_ = 0;
    uint32_t offset_ = ~0u;
};

// --- 'reg' lists -------------------------------------------------------------

// Address/size pairs of a 'reg'-style property (spec 2.3.6): each entry is
// #address-cells cells of address followed by #size-cells cells of size,
// both taken from the parent node (spec 2.3.5).

// The cell counts a node declares for its children's 'reg'. Absent
// properties default to 2 and 1 (spec 2.3.5).
struct CellFormat {
    uint32_t address_cells = 2;
    uint32_t size_cells = 1;
    constexpr uint32_t entry_bytes() const { return (address_cells + size_cells) * CELL_SIZE; }
};

struct RegEntry {
    uint64_t address;
    uint64_t size;
};

// Reads `cells` (0, 1 or 2) big-endian cells as one number.
constexpr uint64_t read_cells(const uint8_t* p, uint32_t cells) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++) v = (v << 32) | load_be32(p + size_t(i) * CELL_SIZE);
    return v;
}

class RegList {
public:
    class Iterator {
    public:
        constexpr Iterator(const RegList* list, size_t i) : list_(list), i_(i) {}
        RegEntry operator*() const { return (*list_)[i_]; }
        Iterator& operator++() {
            i_++;
            return *this;
        }
        bool operator!=(const Iterator& o) const { return i_ != o.i_; }

    private:
        const RegList* list_;
        size_t i_;
    };

    constexpr RegList() = default;

    // Decodes `prop` with `format`. Errors:
    //   Unsupported  address cells not 1 or 2, or size cells above 2
    //                (the values would not fit 64 bits)
    //   Malformed    the value is empty or not a whole number of entries
    static Result<RegList> decode(const Property& prop, CellFormat format);

    size_t size() const { return count_; }
    // Entry i; the caller keeps i < size().
    RegEntry operator[](size_t i) const;
    Iterator begin() const { return Iterator(this, 0); }
    Iterator end() const { return Iterator(this, count_); }
    const Property& property() const { return prop_; }

private:
    Property prop_;
    CellFormat format_;
    size_t count_ = 0;
};

// --- Nodes -------------------------------------------------------------------

// The properties of one node, in blob order.
class PropertyRange {
public:
    class Iterator {
    public:
        Iterator(const Blob& blob, Tag tag) : blob_(blob), tag_(tag) {}
        Property operator*() const;
        Iterator& operator++();
        bool operator!=(const Iterator& o) const { return tag_.offset != o.tag_.offset; }

    private:
        Blob blob_;
        Tag tag_;
    };

    PropertyRange(const Blob& blob, uint32_t first) : blob_(blob), first_(first) {}
    Iterator begin() const;
    Iterator end() const;

private:
    Blob blob_;
    uint32_t first_;  // the first token after the node's BEGIN_NODE
};

// The direct children of one node, in blob order.
class ChildRange {
public:
    class Iterator {
    public:
        Iterator(const Blob& blob, uint32_t parent, Tag tag) : blob_(blob), parent_(parent), tag_(tag) {}
        Node operator*() const;
        Iterator& operator++();
        bool operator!=(const Iterator& o) const { return tag_.offset != o.tag_.offset; }

    private:
        Blob blob_;
        uint32_t parent_;
        Tag tag_;
    };

    ChildRange(const Blob& blob, uint32_t parent, uint32_t first)
        : blob_(blob), parent_(parent), first_(first) {}
    Iterator begin() const;
    Iterator end() const;

private:
    Blob blob_;
    uint32_t parent_;
    uint32_t first_;
};

class Node {
public:
    Node() = default;
    // `offset` is the node's BEGIN_NODE; `parent` the parent's, or
    // NO_OFFSET for the root (or when unknown).
    Node(const Blob& blob, uint32_t offset, uint32_t parent) : blob_(blob), off_(offset), parent_(parent) {}

    // False for a default-constructed Node.
    bool valid() const;
    // Unit name including any unit address ("cpu@0"); "" for the root.
    const char* name() const { return blob_.node_name(off_); }
    uint32_t offset() const { return off_; }
    uint32_t parent_offset() const { return parent_; }
    const Blob& blob() const { return blob_; }

    PropertyRange properties() const;
    ChildRange children() const;

    // Errors: NotFound.
    Result<Property> property(const char* name) const;
    bool has_property(const char* name) const { return property(name).ok(); }

    // The first child whose name is `name`, or, when `name` has no unit
    // address, whose name is `name` followed by "@...". Errors: NotFound.
    Result<Node> child(const char* name) const { return child(name, name_length(name)); }
    Result<Node> child(const char* name, size_t len) const;

    // True when the "compatible" string list contains `compat`.
    bool is_compatible(const char* compat) const;
    // True when "device_type" is the string `type`.
    bool has_device_type(const char* type) const;
    // True unless a "status" property says something other than "okay"
    // (or the legacy "ok") (spec 2.3.4).
    bool is_available() const;
    // The "phandle" (or legacy "linux,phandle") value.
    // Errors: NotFound, Malformed (not one cell).
    Result<uint32_t> phandle() const;

    // #address-cells / #size-cells this node declares for its children.
    // Errors: Malformed (a count that is not one cell).
    Result<CellFormat> cell_format() const;
    // This node's 'reg' decoded with its parent's cell format (the root's
    // own 'reg', if any, with the defaults). Errors: NotFound (no 'reg'),
    // plus those of cell_format() and RegList::decode().
    Result<RegList> reg() const;

private:
    static size_t name_length(const char* s) {
        size_t n = 0;
        while (s[n] != '\0') n++;
        return n;
    }
    uint32_t after_name() const;

    Blob blob_;
    uint32_t off_ = NO_OFFSET;
    uint32_t parent_ = NO_OFFSET;
};

// --- Walks -------------------------------------------------------------------

// A depth-first, pre-order walk over every node of a validated blob, with
// each node's parent known (so Node::reg() works on what it yields). Uses
// a fixed stack of MAX_DEPTH offsets, which Blob::open() guarantees is
// enough.
class TreeWalker {
public:
    explicit TreeWalker(const Blob& blob) : blob_(blob), next_(blob.root_offset()) {}

    // Moves to the next node; false once every node has been visited.
    bool next();
    const Node& node() const { return node_; }
    // Depth of node(): 0 for the root.
    unsigned depth() const { return depth_; }

private:
    Blob blob_;
    Node node_;
    uint32_t next_;                  // where to look for the next node
    uint32_t stack_[MAX_DEPTH + 1];  // BEGIN_NODE offsets of open nodes
    unsigned open_ = 0;              // entries of stack_ in use
    unsigned depth_ = 0;
};

}  // namespace fdt
