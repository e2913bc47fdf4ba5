// A node of a validated blob: its name, properties and children, plus the
// conveniences boot code needs (compatible matching, status, phandle,
// 'reg' decoding with the parent's cell counts).
//
// A Node is a small value (the blob view and two offsets) and stays valid
// as long as the blob's memory does. A default-constructed Node is empty:
// no name, no properties, no children.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "fdt/blob.h"
#include "fdt/property.h"
#include "fdt/reg.h"

namespace fdt {

class Node;

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
    Result<RegList> reg() const { return reg_property("reg"); }
    Result<RegList> reg_property(const char* name) const;

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

}  // namespace fdt
