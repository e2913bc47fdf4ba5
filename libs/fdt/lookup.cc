// Blob-wide lookups: the root, paths, phandles and compatible strings.
#include "fdt/blob.h"
#include "fdt/node.h"
#include "fdt/walker.h"

namespace fdt {

Node Blob::root() const {
    if (base_ == nullptr) return Node();
    return Node(*this, root_off_, NO_OFFSET);
}

Result<Node> Blob::find_node(const char* path) const {
    if (path == nullptr || path[0] != '/') return Error::InvalidArgument;
    if (base_ == nullptr) return Error::NotFound;
    Node node = root();
    const char* p = path;
    for (;;) {
        while (*p == '/') p++;
        if (*p == '\0') return node;
        size_t len = 0;
        while (p[len] != '\0' && p[len] != '/') len++;
        node = TRY(node.child(p, len));
        p += len;
    }
}

Result<Node> Blob::find_by_phandle(uint32_t phandle) const {
    if (phandle == 0 || phandle == ~0u) return Error::InvalidArgument;
    if (base_ == nullptr) return Error::NotFound;
    TreeWalker walker(*this);
    while (walker.next()) {
        Result<uint32_t> ph = walker.node().phandle();
        if (ph.ok() && *ph == phandle) return walker.node();
    }
    return Error::NotFound;
}

Result<Node> Blob::find_compatible(const char* compat) const {
    if (base_ == nullptr) return Error::NotFound;
    TreeWalker walker(*this);
    while (walker.next())
        if (walker.node().is_compatible(compat)) return walker.node();
    return Error::NotFound;
}

}  // namespace fdt
