// Property readers, 'reg' lists, node accessors and the property/child
// iterators, the tree walker, and the Blob's node lookups. They rely on
// the structure checks of Blob::open(); on an empty or foreign offset they
// see an End token and yield nothing.
#include "fdt/node.h"

namespace fdt {

// --- Property values ---------------------------------------------------------

size_t StringList::count() const {
    size_t n = 0;
    for (const char* s : *this) {
        (void)s;
        n++;
    }
    return n;
}

bool StringList::contains(const char* s) const {
    for (const char* entry : *this)
        if (str_equal(entry, s)) return true;
    return false;
}

Result<uint32_t> Property::as_u32() const {
    if (size_ != CELL_SIZE) return Error::Malformed;
    return load_be32(data_);
}

Result<uint64_t> Property::as_u64() const {
    if (size_ == CELL_SIZE) return uint64_t(load_be32(data_));
    if (size_ == 2 * CELL_SIZE) return load_be64(data_);
    return Error::Malformed;
}

Result<const char*> Property::as_string() const {
    if (size_ == 0 || data_[size_ - 1] != '\0') return Error::Malformed;
    return reinterpret_cast<const char*>(data_);
}

Result<StringList> Property::as_string_list() const {
    const char* s = TRY(as_string());
    return StringList(s, size_);
}

Result<uint32_t> Property::cell(size_t i) const {
    if (i >= nr_cells()) return Error::OutOfRange;
    return load_be32(data_ + i * CELL_SIZE);
}

// --- 'reg' lists -------------------------------------------------------------

Result<RegList> RegList::decode(const Property& prop, CellFormat format) {
    if (format.address_cells < 1 || format.address_cells > 2 || format.size_cells > 2)
        return Error::Unsupported;
    uint32_t entry = format.entry_bytes();
    if (prop.size() == 0 || prop.size() % entry != 0) return Error::Malformed;
    RegList list;
    list.prop_ = prop;
    list.format_ = format;
    list.count_ = prop.size() / entry;
    return list;
}

RegEntry RegList::operator[](size_t i) const {
    const uint8_t* p = prop_.data() + i * size_t(format_.entry_bytes());
    uint64_t address = read_cells(p, format_.address_cells);
    uint64_t size = read_cells(p + size_t(format_.address_cells) * CELL_SIZE, format_.size_cells);
    return RegEntry{address, size};
}

// --- Nodes -------------------------------------------------------------------

namespace {

Property make_property(const Blob& blob, const Tag& tag) {
    const uint8_t* p = blob.data() + tag.offset;
    return Property(blob.string_at(load_be32(p + 8)), p + size_t(3) * CELL_SIZE, load_be32(p + 4),
                    tag.offset);
}

// Skips properties and NOPs: the first BEGIN_NODE, END_NODE or END at or
// after `offset`.
Tag skip_properties(const Blob& blob, uint32_t offset) {
    Tag tag = blob.next_tag(offset);
    while (tag.token == Token::Prop) tag = blob.next_tag(tag.next);
    return tag;
}

// The stop position of a range: an offset no token of a node can have.
constexpr Tag END_TAG{Token::End, NO_OFFSET, NO_OFFSET};

}  // namespace

Property PropertyRange::Iterator::operator*() const { return make_property(blob_, tag_); }

PropertyRange::Iterator& PropertyRange::Iterator::operator++() {
    Tag next = blob_.next_tag(tag_.next);
    tag_ = next.token == Token::Prop ? next : END_TAG;
    return *this;
}

PropertyRange::Iterator PropertyRange::begin() const {
    Tag tag = blob_.next_tag(first_);
    return Iterator(blob_, tag.token == Token::Prop ? tag : END_TAG);
}

PropertyRange::Iterator PropertyRange::end() const { return Iterator(blob_, END_TAG); }

Node ChildRange::Iterator::operator*() const { return Node(blob_, tag_.offset, parent_); }

ChildRange::Iterator& ChildRange::Iterator::operator++() {
    Tag next = blob_.next_tag(blob_.skip_subtree(tag_.offset));
    tag_ = next.token == Token::BeginNode ? next : END_TAG;
    return *this;
}

ChildRange::Iterator ChildRange::begin() const {
    Tag tag = skip_properties(blob_, first_);
    return Iterator(blob_, parent_, tag.token == Token::BeginNode ? tag : END_TAG);
}

ChildRange::Iterator ChildRange::end() const { return Iterator(blob_, parent_, END_TAG); }

bool Node::valid() const {
    Result<Tag> tag = blob_.decode(off_);
    return tag.ok() && tag->token == Token::BeginNode;
}

uint32_t Node::after_name() const {
    Result<Tag> tag = blob_.decode(off_);
    return tag.ok() && tag->token == Token::BeginNode ? tag->next : NO_OFFSET;
}

PropertyRange Node::properties() const { return PropertyRange(blob_, after_name()); }

ChildRange Node::children() const { return ChildRange(blob_, off_, after_name()); }

Result<Property> Node::property(const char* name) const {
    for (Property p : properties())
        if (str_equal(p.name(), name)) return p;
    return Error::NotFound;
}

// A node name holds at most one '@' (spec 2.2.1), so a name that matches
// `name` up to an '@' is `name` plus a unit address.
Result<Node> Node::child(const char* name, size_t len) const {
    for (Node c : children()) {
        const char* cname = c.name();
        size_t i = 0;
        while (i < len && cname[i] != '\0' && cname[i] == name[i]) i++;
        if (i == len && (cname[i] == '\0' || cname[i] == '@')) return c;
    }
    return Error::NotFound;
}

bool Node::is_compatible(const char* compat) const {
    Result<Property> p = property("compatible");
    if (!p.ok()) return false;
    Result<StringList> list = p->as_string_list();
    return list.ok() && list->contains(compat);
}

bool Node::has_device_type(const char* type) const {
    Result<Property> p = property("device_type");
    if (!p.ok()) return false;
    Result<const char*> s = p->as_string();
    return s.ok() && str_equal(*s, type);
}

bool Node::is_available() const {
    Result<Property> p = property("status");
    if (!p.ok()) return true;
    Result<const char*> s = p->as_string();
    return s.ok() && (str_equal(*s, "okay") || str_equal(*s, "ok"));
}

Result<uint32_t> Node::phandle() const {
    Result<Property> p = property("phandle");
    if (!p.ok()) p = property("linux,phandle");
    if (!p.ok()) return Error::NotFound;
    return p->as_u32();
}

Result<CellFormat> Node::cell_format() const {
    CellFormat f;
    if (Result<Property> p = property("#address-cells"); p.ok()) f.address_cells = TRY(p->as_u32());
    if (Result<Property> p = property("#size-cells"); p.ok()) f.size_cells = TRY(p->as_u32());
    return f;
}

Result<RegList> Node::reg() const {
    Property prop = TRY(property("reg"));
    CellFormat format;
    if (parent_ != NO_OFFSET) format = TRY(Node(blob_, parent_, NO_OFFSET).cell_format());
    return RegList::decode(prop, format);
}

// --- Walks and lookups -------------------------------------------------------

bool TreeWalker::next() {
    uint32_t off = next_;
    for (;;) {
        Tag tag = blob_.next_tag(off);
        switch (tag.token) {
            case Token::BeginNode: {
                if (open_ > MAX_DEPTH) return false;  // excluded by Blob::open()
                uint32_t parent = open_ == 0 ? NO_OFFSET : stack_[open_ - 1];
                node_ = Node(blob_, tag.offset, parent);
                depth_ = open_;
                stack_[open_++] = tag.offset;
                next_ = tag.next;
                return true;
            }
            case Token::EndNode:
                if (open_ == 0) return false;
                open_--;
                break;
            case Token::Prop:
            case Token::Nop:
                break;
            case Token::End:
                next_ = tag.offset;
                return false;
        }
        off = tag.next;
    }
}

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
