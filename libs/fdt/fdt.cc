// The flattened device tree reader (fdt.h): the blob's validation and
// token decoder, then the tree read through them.
#include "fdt/fdt.h"

namespace fdt {

// ==== The blob ===============================================================
// Blob::open(): header, block and structure validation, and the token
// decoder that both validation and the accessors use.

Result<Blob> Blob::open(const void* data, size_t max_size, Diag* diag) {
    if (data == nullptr) return fail(diag, Error::InvalidArgument, "null blob pointer");
    // The spec requires 8-byte alignment; loads are bytewise anyway, but a
    // misaligned blob means the caller passed the wrong address.
    if ((reinterpret_cast<uintptr_t>(data) & 7u) != 0)
        return fail(diag, Error::BadAlignment, "blob is not 8-byte aligned");
    Blob blob;
    blob.base_ = static_cast<const uint8_t*>(data);
    TRY_STATUS(blob.check_header(max_size, diag));
    TRY_STATUS(blob.check_structure(diag));
    return blob;
}

Status Blob::check_header(size_t max_size, Diag* diag) {
    if (max_size < hdr::V16_SIZE)
        return fail(diag, Error::OutOfRange, "buffer is shorter than the FDT header", 0);
    if (load_be32(base_ + hdr::MAGIC) != FDT_MAGIC)
        return fail(diag, Error::Malformed, "bad FDT magic", hdr::MAGIC);
    version_ = load_be32(base_ + hdr::VERSION);
    if (version_ < FDT_MIN_VERSION)
        return fail(diag, Error::Unsupported, "FDT version older than 16", hdr::VERSION);
    if (load_be32(base_ + hdr::LAST_COMP_VERSION) > FDT_MAX_COMPAT_VERSION)
        return fail(diag, Error::Unsupported, "FDT last_comp_version newer than 17", hdr::LAST_COMP_VERSION);
    uint32_t header_size = version_ >= 17 ? hdr::V17_SIZE : hdr::V16_SIZE;
    if (max_size < header_size)
        return fail(diag, Error::OutOfRange, "buffer is shorter than the FDT header", 0);
    total_size_ = load_be32(base_ + hdr::TOTALSIZE);
    if (total_size_ < header_size)
        return fail(diag, Error::Malformed, "totalsize is smaller than the header", hdr::TOTALSIZE);
    if (total_size_ > max_size)
        return fail(diag, Error::OutOfRange, "totalsize exceeds the buffer", hdr::TOTALSIZE);
    TRY_STATUS(check_blocks(header_size, diag));
    return check_mem_reserve(header_size, diag);
}

// The structure and strings blocks must lie inside [header, totalsize).
Status Blob::check_blocks(uint32_t header_size, Diag* diag) {
    struct_off_ = load_be32(base_ + hdr::OFF_DT_STRUCT);
    if ((struct_off_ & 3u) != 0)
        return fail(diag, Error::BadAlignment, "structure block is not 4-byte aligned", hdr::OFF_DT_STRUCT);
    if (struct_off_ < header_size || struct_off_ > total_size_)
        return fail(diag, Error::Malformed, "structure block offset outside the blob", hdr::OFF_DT_STRUCT);
    // Version 16 has no size_dt_struct: the block may run to totalsize and
    // ends at its FDT_END token.
    uint32_t struct_size = total_size_ - struct_off_;
    if (version_ >= 17) {
        uint32_t declared = load_be32(base_ + hdr::SIZE_DT_STRUCT);
        if (declared > struct_size)
            return fail(diag, Error::Malformed, "structure block extends past totalsize",
                        hdr::SIZE_DT_STRUCT);
        struct_size = declared;
    }
    struct_end_ = struct_off_ + struct_size;

    strings_off_ = load_be32(base_ + hdr::OFF_DT_STRINGS);
    strings_size_ = load_be32(base_ + hdr::SIZE_DT_STRINGS);
    if (strings_off_ < header_size || strings_off_ > total_size_)
        return fail(diag, Error::Malformed, "strings block offset outside the blob", hdr::OFF_DT_STRINGS);
    if (strings_size_ > total_size_ - strings_off_)
        return fail(diag, Error::Malformed, "strings block extends past totalsize", hdr::SIZE_DT_STRINGS);
    return ok_status();
}

// The reservation map is a list of (address, size) pairs ended by an entry
// of size 0; the terminator must lie inside the blob.
Status Blob::check_mem_reserve(uint32_t header_size, Diag* diag) {
    rsv_off_ = load_be32(base_ + hdr::OFF_MEM_RSVMAP);
    if ((rsv_off_ & 7u) != 0)
        return fail(diag, Error::BadAlignment, "memory reservation block is not 8-byte aligned",
                    hdr::OFF_MEM_RSVMAP);
    if (rsv_off_ < header_size || rsv_off_ > total_size_)
        return fail(diag, Error::Malformed, "memory reservation block offset outside the blob",
                    hdr::OFF_MEM_RSVMAP);
    nr_rsv_ = 0;
    for (uint32_t off = rsv_off_; total_size_ - off >= RSV_ENTRY_SIZE; off += RSV_ENTRY_SIZE) {
        if (load_be64(base_ + off + 8) == 0) return ok_status();
        nr_rsv_++;
    }
    return fail(diag, Error::Malformed, "memory reservation block has no terminator", rsv_off_);
}

namespace {

// What check_structure() knows of the nesting so far.
class Nesting {
public:
    // A token's error and why, or why == nullptr when it fits.
    struct Verdict {
        Error error = Error::None;
        const char* why = nullptr;
    };

    bool root_seen() const { return root_seen_; }

    Verdict step(Token token) {
        switch (token) {
            case Token::Nop:
                return {};
            case Token::BeginNode:
                return begin_node();
            case Token::EndNode:
                if (depth_ == 0) return {Error::Malformed, "END_NODE without BEGIN_NODE"};
                depth_--;
                return {};
            case Token::Prop:
                if (depth_ == 0) return {Error::Malformed, "property outside any node"};
                if (child_seen_[depth_]) return {Error::Malformed, "property after a subnode"};
                return {};
            case Token::End:
                return end();
        }
        return {};
    }

private:
    Verdict begin_node() {
        if (root_seen_ && depth_ == 0) return {Error::Malformed, "second root node"};
        if (depth_ == MAX_DEPTH) return {Error::Unsupported, "nodes nested deeper than MAX_DEPTH"};
        root_seen_ = true;
        child_seen_[depth_] = true;
        child_seen_[++depth_] = false;
        return {};
    }

    Verdict end() const {
        if (depth_ != 0) return {Error::Malformed, "FDT_END inside a node (BEGIN_NODE without END_NODE)"};
        if (!root_seen_) return {Error::Malformed, "structure block has no root node"};
        return {};
    }

    bool child_seen_[MAX_DEPTH + 1] = {};
    unsigned depth_ = 0;
    bool root_seen_ = false;
};

}  // namespace

// Walks every token once: nodes balance, properties sit inside a node and
// before its subnodes, exactly one root, FDT_END closes the block.
Status Blob::check_structure(Diag* diag) {
    Nesting nesting;
    uint32_t off = struct_off_;
    for (;;) {
        Tag tag = TRY(decode(off, diag));
        bool first_root = tag.token == Token::BeginNode && !nesting.root_seen();
        Nesting::Verdict v = nesting.step(tag.token);
        if (v.why) return fail(diag, v.error, v.why, off);
        if (first_root) root_off_ = off;
        if (tag.token == Token::End) return ok_status();
        off = tag.next;
    }
}

Result<Tag> Blob::decode(uint32_t offset, Diag* diag) const {
    if (offset < struct_off_ || offset > struct_end_ || struct_end_ - offset < CELL_SIZE)
        return fail(diag, Error::Malformed, "structure block ends without FDT_END", offset);
    uint32_t word = load_be32(base_ + offset);
    switch (static_cast<Token>(word)) {
        case Token::BeginNode:
            return decode_begin_node(offset, diag);
        case Token::Prop:
            return decode_prop(offset, diag);
        case Token::EndNode:
        case Token::Nop:
        case Token::End:
            return Tag{static_cast<Token>(word), offset, offset + CELL_SIZE};
    }
    return fail(diag, Error::Malformed, "unknown structure block token", offset);
}

Result<Tag> Blob::decode_begin_node(uint32_t offset, Diag* diag) const {
    uint32_t name_off = offset + CELL_SIZE;
    uint32_t room = struct_end_ - name_off;
    size_t len = bounded_strlen(reinterpret_cast<const char*>(base_ + name_off), room);
    if (len == room) return fail(diag, Error::Malformed, "unterminated node name", offset);
    return Tag{Token::BeginNode, offset, align4(name_off + uint32_t(len) + 1)};
}

Result<Tag> Blob::decode_prop(uint32_t offset, Diag* diag) const {
    if (struct_end_ - offset < 3 * CELL_SIZE)
        return fail(diag, Error::Malformed, "property header past the end of the structure block", offset);
    uint32_t len = load_be32(base_ + offset + 4);
    uint32_t nameoff = load_be32(base_ + offset + 8);
    uint32_t value_off = offset + 3 * CELL_SIZE;
    if (len > struct_end_ - value_off)
        return fail(diag, Error::Malformed, "property length past the end of the structure block", offset);
    if (nameoff >= strings_size_)
        return fail(diag, Error::Malformed, "property name offset outside the strings block", offset);
    uint32_t room = strings_size_ - nameoff;
    if (bounded_strlen(string_at(nameoff), room) == room)
        return fail(diag, Error::Malformed, "unterminated property name string", offset);
    return Tag{Token::Prop, offset, align4(value_off + len)};
}

Tag Blob::next_tag(uint32_t offset) const {
    for (;;) {
        Result<Tag> tag = decode(offset);
        if (!tag.ok()) return Tag{Token::End, offset, struct_end_};
        if (tag->token != Token::Nop) return *tag;
        offset = tag->next;
    }
}

uint32_t Blob::skip_subtree(uint32_t offset) const {
    unsigned depth = 0;
    for (;;) {
        Tag tag = next_tag(offset);
        switch (tag.token) {
            case Token::BeginNode:
                depth++;
                break;
            case Token::EndNode:
                if (depth == 0) return tag.offset;  // `offset` was not a BEGIN_NODE
                if (--depth == 0) return tag.next;
                break;
            case Token::End:
                return tag.offset;
            default:
                break;
        }
        offset = tag.next;
    }
}

const char* Blob::node_name(uint32_t offset) const {
    Result<Tag> tag = decode(offset);
    if (!tag.ok() || tag->token != Token::BeginNode) return "";
    return reinterpret_cast<const char*>(base_ + offset + CELL_SIZE);
}

const char* Blob::string_at(uint32_t nameoff) const {
    return reinterpret_cast<const char*>(base_ + strings_off_ + nameoff);
}

Result<MemReserve> Blob::mem_reserve(size_t i) const {
    if (i >= nr_rsv_) return Error::OutOfRange;
    const uint8_t* p = base_ + rsv_off_ + i * RSV_ENTRY_SIZE;
    return MemReserve{load_be64(p), load_be64(p + 8)};
}

// ==== The tree ===============================================================
// Property readers, 'reg' lists, node accessors and the property/child
// iterators, the tree walker, and the Blob's node lookups. They rely on
// the structure checks of Blob::open(); on an empty or foreign offset they
// see an End token and yield nothing.

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
