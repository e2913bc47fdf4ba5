// Node accessors and the property/child iterators. They rely on the
// structure checks of Blob::open(); on an empty or foreign offset they
// see an End token and yield nothing.
#include "fdt/node.h"

namespace fdt {

namespace {

Property make_property(const Blob& blob, const Tag& tag) {
    const uint8_t* p = blob.data() + tag.offset;
    return Property(blob.string_at(load_be32(p + 8)), p + 3 * CELL_SIZE, load_be32(p + 4), tag.offset);
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

Result<RegList> Node::reg_property(const char* name) const {
    Property prop = TRY(property(name));
    CellFormat format;
    if (parent_ != NO_OFFSET) format = TRY(Node(blob_, parent_, NO_OFFSET).cell_format());
    return RegList::decode(prop, format);
}

}  // namespace fdt
