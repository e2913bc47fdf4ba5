// A depth-first, pre-order walk over every node of a validated blob, with
// each node's parent known (so Node::reg() works on what it yields). Uses
// a fixed stack of MAX_DEPTH offsets, which Blob::open() guarantees is
// enough.
#pragma once

#include <stdint.h>

#include "fdt/blob.h"
#include "fdt/node.h"

namespace fdt {

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
