// The reader of fdt.h on synthetic blobs, in its order: Blob::open()'s
// header, block and structure validation, then Node, Property, RegList
// and TreeWalker.
#include "fdt/fdt.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

// ==== The blob ===============================================================

// A tiny valid tree: / { a = <1>; child { b = "x"; }; };
Bytes small_tree() {
    FdtWriter w;
    w.begin("").prop_u32("a", {1}).begin("child").prop_str("b", "x").end().end();
    return w.finish();
}

TEST(FdtBlob, OpensAValidTree) {
    Bytes b = small_tree();
    fdt::Diag diag;
    Result<fdt::Blob> blob = open_bytes(b, &diag);
    ASSERT_TRUE(blob.ok()) << diag.what;
    EXPECT_EQ(blob->total_size(), b.size());
    EXPECT_EQ(blob->version(), 17u);
    EXPECT_EQ(blob->nr_mem_reserve(), 0u);
    EXPECT_STREQ(blob->root().name(), "");
    EXPECT_EQ(diag.what, nullptr);
}

TEST(FdtBlob, AcceptsVersion16WithoutStructSize) {
    Bytes b = FdtWriter().begin("").end().finish(true, 16, 16);
    set_be32(b, H_SIZE_STRUCT, 0xffffffff);  // not part of a v16 header
    ASSERT_TRUE(open_bytes(b).ok());
}

TEST(FdtBlob, AcceptsBufferLargerThanTotalsize) {
    Bytes b = small_tree();
    b.resize(b.size() + 1000, 0xaa);
    ASSERT_TRUE(open_bytes(b).ok());
}

TEST(FdtBlob, RejectsNullPointer) {
    fdt::Diag diag;
    Result<fdt::Blob> r = fdt::Blob::open(nullptr, 100, &diag);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(failed_with(r.error(), diag, Error::InvalidArgument, "null"));
}

TEST(FdtBlob, RejectsMisalignedPointer) {
    Bytes b = small_tree();
    Bytes shifted(b.size() + 8);
    std::copy(b.begin(), b.end(), shifted.begin() + 4);
    fdt::Diag diag;
    Result<fdt::Blob> r = fdt::Blob::open(shifted.data() + 4, b.size(), &diag);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(failed_with(r.error(), diag, Error::BadAlignment, "8-byte aligned"));
}

TEST(FdtBlob, RejectsBufferShorterThanHeader) {
    Bytes b = small_tree();
    fdt::Diag diag;
    Result<fdt::Blob> r = fdt::Blob::open(b.data(), 35, &diag);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(failed_with(r.error(), diag, Error::OutOfRange, "shorter than the FDT header"));
    // A v17 header is 40 bytes; 36 only suffices for v16.
    r = fdt::Blob::open(b.data(), 39, &diag);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(failed_with(r.error(), diag, Error::OutOfRange, "shorter than the FDT header"));
}

TEST(FdtBlob, RejectsBadMagic) {
    Bytes b = small_tree();
    b[0] ^= 1;
    uint32_t off = 0;
    EXPECT_TRUE(open_fails(b, Error::Malformed, "magic", &off));
    EXPECT_EQ(off, 0u);
}

TEST(FdtBlob, RejectsOldVersion) {
    Bytes b = small_tree();
    set_be32(b, H_VERSION, 15);
    uint32_t off = 0;
    EXPECT_TRUE(open_fails(b, Error::Unsupported, "version", &off));
    EXPECT_EQ(off, uint32_t(H_VERSION));
}

TEST(FdtBlob, RejectsNewerLastCompVersion) {
    Bytes b = small_tree();
    set_be32(b, H_LAST_COMP, 18);
    EXPECT_TRUE(open_fails(b, Error::Unsupported, "last_comp_version"));
}

TEST(FdtBlob, RejectsTotalsizeBeyondBuffer) {
    Bytes b = small_tree();
    set_be32(b, H_TOTALSIZE, uint32_t(b.size() + 1));
    EXPECT_TRUE(open_fails(b, Error::OutOfRange, "totalsize exceeds the buffer"));
}

TEST(FdtBlob, RejectsTotalsizeSmallerThanHeader) {
    Bytes b = small_tree();
    set_be32(b, H_TOTALSIZE, 20);
    EXPECT_TRUE(open_fails(b, Error::Malformed, "totalsize is smaller than the header"));
}

TEST(FdtBlob, RejectsStructOffsetOutOfRange) {
    Bytes b = small_tree();
    set_be32(b, H_OFF_STRUCT, uint32_t(b.size() + 4));
    EXPECT_TRUE(open_fails(b, Error::Malformed, "structure block offset"));
    set_be32(b, H_OFF_STRUCT, 8);  // inside the header
    EXPECT_TRUE(open_fails(b, Error::Malformed, "structure block offset"));
}

TEST(FdtBlob, RejectsMisalignedStructOffset) {
    Bytes b = small_tree();
    set_be32(b, H_OFF_STRUCT, get_be32(b, H_OFF_STRUCT) + 2);
    EXPECT_TRUE(open_fails(b, Error::BadAlignment, "structure block is not 4-byte aligned"));
}

TEST(FdtBlob, RejectsStructSizePastTotalsize) {
    Bytes b = small_tree();
    set_be32(b, H_SIZE_STRUCT, uint32_t(b.size()));
    EXPECT_TRUE(open_fails(b, Error::Malformed, "structure block extends past totalsize"));
}

TEST(FdtBlob, RejectsStringsOffsetOutOfRange) {
    Bytes b = small_tree();
    set_be32(b, H_OFF_STRINGS, uint32_t(b.size() + 1));
    EXPECT_TRUE(open_fails(b, Error::Malformed, "strings block offset"));
}

TEST(FdtBlob, RejectsStringsSizePastTotalsize) {
    Bytes b = small_tree();
    set_be32(b, H_SIZE_STRINGS, get_be32(b, H_SIZE_STRINGS) + 1);
    EXPECT_TRUE(open_fails(b, Error::Malformed, "strings block extends past totalsize"));
}

TEST(FdtBlob, RejectsMisalignedReservationMap) {
    Bytes b = small_tree();
    set_be32(b, H_OFF_RSVMAP, 44);
    EXPECT_TRUE(open_fails(b, Error::BadAlignment, "memory reservation block is not 8-byte aligned"));
}

TEST(FdtBlob, RejectsReservationMapOutOfRange) {
    Bytes b = small_tree();
    set_be32(b, H_OFF_RSVMAP, uint32_t(align_up(b.size(), 8) + 8));
    EXPECT_TRUE(open_fails(b, Error::Malformed, "memory reservation block offset"));
}

TEST(FdtBlob, RejectsReservationMapWithoutTerminator) {
    // Point the map at the strings block's end: no room for a terminator.
    Bytes b = small_tree();
    b.resize(align_up(b.size(), 8) + 16, 0xff);
    set_be32(b, H_TOTALSIZE, uint32_t(b.size()));
    set_be32(b, H_OFF_RSVMAP, uint32_t(b.size() - 16));
    EXPECT_TRUE(open_fails(b, Error::Malformed, "no terminator"));
}

TEST(FdtBlob, ListsReservationEntries) {
    FdtWriter w;
    w.reserve(0x80000000, 0x1000).reserve(0x90000000, 0x2000).begin("").end();
    Bytes b = w.finish();
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    ASSERT_EQ(blob->nr_mem_reserve(), 2u);
    EXPECT_EQ(blob->mem_reserve(0)->address, 0x80000000u);
    EXPECT_EQ(blob->mem_reserve(0)->size, 0x1000u);
    EXPECT_EQ(blob->mem_reserve(1)->address, 0x90000000u);
    EXPECT_EQ(blob->mem_reserve(1)->size, 0x2000u);
    EXPECT_EQ(blob->mem_reserve(2).error(), Error::OutOfRange);
}

TEST(FdtBlob, RejectsNameOffsetPastStringsBlock) {
    FdtWriter w;
    w.begin("").raw(3).raw(4).raw(1000).raw(0).end();  // PROP len 4, nameoff 1000
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "property name offset outside the strings block"));
}

TEST(FdtBlob, RejectsUnterminatedPropertyName) {
    Bytes b = small_tree();
    // Cut the strings block's last NUL: the last name runs off the block.
    set_be32(b, H_SIZE_STRINGS, get_be32(b, H_SIZE_STRINGS) - 1);
    EXPECT_TRUE(open_fails(b, Error::Malformed, "unterminated property name"));
}

TEST(FdtBlob, RejectsUnterminatedNodeName) {
    FdtWriter w;
    w.raw(1).raw_bytes({'a', 'b', 'c', 'd'});  // BEGIN_NODE "abcd" with no NUL, then the block ends
    Bytes b = w.finish(false);
    uint32_t off = 0;
    EXPECT_TRUE(open_fails(b, Error::Malformed, "unterminated node name", &off));
    EXPECT_EQ(off, w.struct_offset());
}

TEST(FdtBlob, RejectsPropertyLengthPastEnd) {
    FdtWriter w;
    w.begin("").prop_u32("x", {1});
    uint32_t prop_at = w.struct_offset() + w.struct_size() - 16;
    w.end();
    Bytes b = w.finish();
    set_be32(b, prop_at + 4, 0x100);
    uint32_t off = 0;
    EXPECT_TRUE(open_fails(b, Error::Malformed, "property length past the end", &off));
    EXPECT_EQ(off, prop_at);
    set_be32(b, prop_at + 4, 0xfffffff0);  // must not wrap around
    EXPECT_TRUE(open_fails(b, Error::Malformed, "property length past the end"));
}

TEST(FdtBlob, RejectsTruncatedPropertyHeader) {
    FdtWriter w;
    w.begin("").raw(3).raw(0);  // PROP and len, then the block ends
    EXPECT_TRUE(open_fails(w.finish(false), Error::Malformed, "property header past the end"));
}

TEST(FdtBlob, RejectsBeginNodeWithoutEndNode) {
    FdtWriter w;
    w.begin("").begin("a").begin("b").end();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "BEGIN_NODE without END_NODE"));
}

TEST(FdtBlob, RejectsStructureWithoutEndToken) {
    FdtWriter w;
    w.begin("").begin("a").end().end();
    EXPECT_TRUE(open_fails(w.finish(false), Error::Malformed, "without FDT_END"));
    FdtWriter open_nodes;
    open_nodes.begin("").begin("a");  // nesting that never ends
    EXPECT_TRUE(open_fails(open_nodes.finish(false), Error::Malformed, "without FDT_END"));
}

TEST(FdtBlob, RejectsEndNodeWithoutBeginNode) {
    FdtWriter w;
    w.begin("").end().end();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "END_NODE without BEGIN_NODE"));
    FdtWriter first;
    first.end();
    EXPECT_TRUE(open_fails(first.finish(), Error::Malformed, "END_NODE without BEGIN_NODE"));
}

TEST(FdtBlob, RejectsUnknownToken) {
    FdtWriter w;
    w.begin("");
    uint32_t at = w.struct_offset() + w.struct_size();
    w.raw(7).end();
    uint32_t off = 0;
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "unknown structure block token", &off));
    EXPECT_EQ(off, at);
}

TEST(FdtBlob, RejectsPropertyOutsideAnyNode) {
    FdtWriter w;
    w.prop_u32("x", {1}).begin("").end();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "property outside any node"));
}

TEST(FdtBlob, RejectsPropertyAfterSubnode) {
    FdtWriter w;
    w.begin("").begin("a").end().prop_u32("x", {1}).end();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "property after a subnode"));
}

TEST(FdtBlob, RejectsSecondRoot) {
    FdtWriter w;
    w.begin("").end().begin("").end();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "second root"));
}

TEST(FdtBlob, RejectsStructureWithoutRoot) {
    FdtWriter w;
    w.nop();
    EXPECT_TRUE(open_fails(w.finish(), Error::Malformed, "no root node"));
}

TEST(FdtBlob, NestingLimit) {
    auto nested = [](unsigned levels) {
        FdtWriter w;
        for (unsigned i = 0; i < levels; i++) w.begin(i == 0 ? "" : "n");
        for (unsigned i = 0; i < levels; i++) w.end();
        return w.finish();
    };
    EXPECT_TRUE(open_bytes(nested(fdt::MAX_DEPTH)).ok());
    EXPECT_TRUE(open_fails(nested(fdt::MAX_DEPTH + 1), Error::Unsupported, "nested deeper"));
}

TEST(FdtBlob, SkipsNopTokensEverywhere) {
    FdtWriter w;
    w.nop().begin("").nop().prop_u32("a", {7}).nop().begin("c").nop().end().nop().end().nop();
    Bytes b = w.finish();
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    fdt::Node root = blob->root();
    EXPECT_EQ(*root.property("a")->as_u32(), 7u);
    Result<fdt::Node> c = root.child("c");
    ASSERT_TRUE(c.ok());
    EXPECT_STREQ(c->name(), "c");
}

// ==== The tree ===============================================================

// / {
//   #address-cells = <2>; #size-cells = <2>; compatible; model;
//   memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x1000>; };
//   soc { #address-cells = <1>; #size-cells = <1>; compatible = "simple-bus", "other";
//         uart@10000000 { reg = <0x10000000 0x100>; phandle = <5>; status = "disabled"; };
//         deep { #address-cells = <1>; #size-cells = <0>; leaf@7 { reg = <7>; linux,phandle = <9>; }; }; };
//   props { u32 = <0x12345678>; u64 = <1 2>; str = "hello"; list = "a", "bb", ""; empty; bad = [61 62]; };
// };
Bytes sample() {
    return tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        w.begin("soc").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
        w.prop_strs("compatible", {"simple-bus", "other"});
        w.begin("uart@10000000").prop_u32("reg", {0x10000000, 0x100}).prop_u32("phandle", {5});
        w.prop_str("status", "disabled").end();
        w.begin("deep").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.begin("leaf@7").prop_u32("reg", {7}).prop_u32("linux,phandle", {9}).end();
        w.end();
        w.end();
        w.begin("props").prop_u32("u32", {0x12345678}).prop_u32("u64", {1, 2}).prop_str("str", "hello");
        w.prop_strs("list", {"a", "bb", ""}).prop("empty").prop("bad", Bytes{'a', 'b'}).end();
    });
}

class FdtNode : public ::testing::Test {
protected:
    void SetUp() override {
        bytes_ = sample();
        Result<fdt::Blob> b = open_bytes(bytes_);
        ASSERT_TRUE(b.ok());
        blob_ = *b;
    }
    fdt::Node node(const char* path) {
        Result<fdt::Node> n = blob_.find_node(path);
        EXPECT_TRUE(n.ok()) << path;
        return n.ok() ? *n : fdt::Node();
    }
    Bytes bytes_;
    fdt::Blob blob_;
};

TEST_F(FdtNode, FindsNodesByPath) {
    EXPECT_EQ(node("/").offset(), blob_.root().offset());
    EXPECT_STREQ(node("/soc/uart@10000000").name(), "uart@10000000");
    EXPECT_STREQ(node("/soc/deep/leaf@7").name(), "leaf@7");
    EXPECT_STREQ(node("//soc//deep/").name(), "deep");
}

TEST_F(FdtNode, PathWithoutUnitAddressMatchesUnitNames) {
    EXPECT_STREQ(node("/memory").name(), "memory@80000000");
    EXPECT_STREQ(node("/soc/uart").name(), "uart@10000000");
    // With a unit address the match is exact.
    EXPECT_EQ(blob_.find_node("/memory@8000").error(), Error::NotFound);
    // A prefix of a name is not a match.
    EXPECT_EQ(blob_.find_node("/so").error(), Error::NotFound);
    EXPECT_EQ(blob_.find_node("/memory@80000000x").error(), Error::NotFound);
}

TEST_F(FdtNode, PathErrors) {
    EXPECT_EQ(blob_.find_node("soc").error(), Error::InvalidArgument);
    EXPECT_EQ(blob_.find_node(nullptr).error(), Error::InvalidArgument);
    EXPECT_EQ(blob_.find_node("/nope").error(), Error::NotFound);
    EXPECT_EQ(blob_.find_node("/soc/uart@10000000/x").error(), Error::NotFound);
}

TEST_F(FdtNode, IteratesChildrenInOrder) {
    std::vector<std::string> names;
    for (fdt::Node c : blob_.root().children()) names.push_back(c.name());
    EXPECT_EQ(names, (std::vector<std::string>{"memory@80000000", "soc", "props"}));
    names.clear();
    for (fdt::Node c : node("/soc").children()) names.push_back(c.name());
    EXPECT_EQ(names, (std::vector<std::string>{"uart@10000000", "deep"}));
    int n = 0;
    for (fdt::Node c : node("/props").children()) n += c.valid();
    EXPECT_EQ(n, 0);
}

TEST_F(FdtNode, IteratesPropertiesInOrder) {
    std::vector<std::string> names;
    for (fdt::Property p : node("/props").properties()) names.push_back(p.name());
    EXPECT_EQ(names, (std::vector<std::string>{"u32", "u64", "str", "list", "empty", "bad"}));
    names.clear();
    for (fdt::Property p : node("/soc/deep").properties()) names.push_back(p.name());
    EXPECT_EQ(names, (std::vector<std::string>{"#address-cells", "#size-cells"}));
}

TEST_F(FdtNode, PropertyLookup) {
    fdt::Node props = node("/props");
    EXPECT_TRUE(props.has_property("empty"));
    EXPECT_FALSE(props.has_property("missing"));
    EXPECT_EQ(props.property("missing").error(), Error::NotFound);
    Result<fdt::Property> u = props.property("u32");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->size(), 4u);
    EXPECT_EQ(u->nr_cells(), 1u);
    EXPECT_EQ(u->data()[0], 0x12);
    EXPECT_EQ(bytes_[u->offset() + 3], 3);  // the PROP token
}

TEST_F(FdtNode, NumberReaders) {
    fdt::Node props = node("/props");
    EXPECT_EQ(*props.property("u32")->as_u32(), 0x12345678u);
    EXPECT_EQ(*props.property("u32")->as_u64(), 0x12345678u);
    EXPECT_EQ(*props.property("u64")->as_u64(), 0x100000002u);
    EXPECT_EQ(props.property("u64")->as_u32().error(), Error::Malformed);
    EXPECT_EQ(props.property("empty")->as_u32().error(), Error::Malformed);
    EXPECT_EQ(props.property("bad")->as_u64().error(), Error::Malformed);
    EXPECT_EQ(props.property("list")->as_u64().error(), Error::Malformed);
    EXPECT_EQ(*props.property("u64")->cell(1), 2u);
    EXPECT_EQ(props.property("u64")->cell(2).error(), Error::OutOfRange);
}

TEST_F(FdtNode, StringReaders) {
    fdt::Node props = node("/props");
    EXPECT_STREQ(*props.property("str")->as_string(), "hello");
    EXPECT_EQ(props.property("empty")->as_string().error(), Error::Malformed);
    EXPECT_EQ(props.property("bad")->as_string().error(), Error::Malformed);
    EXPECT_EQ(props.property("bad")->as_string_list().error(), Error::Malformed);
    Result<fdt::StringList> list = props.property("list")->as_string_list();
    ASSERT_TRUE(list.ok());
    std::vector<std::string> items;
    for (const char* s : *list) items.push_back(s);
    EXPECT_EQ(items, (std::vector<std::string>{"a", "bb", ""}));
    EXPECT_EQ(list->count(), 3u);
    EXPECT_TRUE(list->contains("bb"));
    EXPECT_FALSE(list->contains("b"));
}

TEST_F(FdtNode, CompatibleAndDeviceType) {
    EXPECT_TRUE(node("/soc").is_compatible("simple-bus"));
    EXPECT_TRUE(node("/soc").is_compatible("other"));
    EXPECT_FALSE(node("/soc").is_compatible("simple"));
    EXPECT_FALSE(node("/props").is_compatible("simple-bus"));
    EXPECT_TRUE(node("/memory").has_device_type("memory"));
    EXPECT_FALSE(node("/memory").has_device_type("mem"));
    EXPECT_FALSE(node("/soc").has_device_type("memory"));
    Result<fdt::Node> bus = blob_.find_compatible("simple-bus");
    ASSERT_TRUE(bus.ok());
    EXPECT_STREQ(bus->name(), "soc");
    EXPECT_EQ(blob_.find_compatible("nothing").error(), Error::NotFound);
}

TEST(FdtNodeStatus, AvailabilityFollowsStatus) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("none").end();
        w.begin("okay").prop_str("status", "okay").end();
        w.begin("ok").prop_str("status", "ok").end();
        w.begin("disabled").prop_str("status", "disabled").end();
        w.begin("fail").prop_str("status", "fail").end();
        w.begin("garbage").prop("status", Bytes{'o', 'k'}).end();
    });
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    EXPECT_TRUE(blob->find_node("/none")->is_available());
    EXPECT_TRUE(blob->find_node("/okay")->is_available());
    EXPECT_TRUE(blob->find_node("/ok")->is_available());
    EXPECT_FALSE(blob->find_node("/disabled")->is_available());
    EXPECT_FALSE(blob->find_node("/fail")->is_available());
    EXPECT_FALSE(blob->find_node("/garbage")->is_available());
}

TEST_F(FdtNode, Phandles) {
    EXPECT_EQ(*node("/soc/uart").phandle(), 5u);
    EXPECT_EQ(*node("/soc/deep/leaf@7").phandle(), 9u);
    EXPECT_EQ(node("/soc").phandle().error(), Error::NotFound);
    Result<fdt::Node> n = blob_.find_by_phandle(9);
    ASSERT_TRUE(n.ok());
    EXPECT_STREQ(n->name(), "leaf@7");
    EXPECT_STREQ(blob_.find_by_phandle(5)->name(), "uart@10000000");
    EXPECT_EQ(blob_.find_by_phandle(6).error(), Error::NotFound);
    EXPECT_EQ(blob_.find_by_phandle(0).error(), Error::InvalidArgument);
    EXPECT_EQ(blob_.find_by_phandle(0xffffffff).error(), Error::InvalidArgument);
}

TEST(FdtNodePhandle, MalformedPhandle) {
    Bytes b = tree([](FdtWriter& w) { w.begin("x").prop_u32("phandle", {1, 2}).end(); });
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    EXPECT_EQ(blob->find_node("/x")->phandle().error(), Error::Malformed);
}

TEST_F(FdtNode, CellFormats) {
    fdt::CellFormat root = *blob_.root().cell_format();
    EXPECT_EQ(root.address_cells, 2u);
    EXPECT_EQ(root.size_cells, 2u);
    fdt::CellFormat deep = *node("/soc/deep").cell_format();
    EXPECT_EQ(deep.address_cells, 1u);
    EXPECT_EQ(deep.size_cells, 0u);
    // Absent counts default to 2 and 1 (spec 2.3.5).
    fdt::CellFormat dflt = *node("/props").cell_format();
    EXPECT_EQ(dflt.address_cells, 2u);
    EXPECT_EQ(dflt.size_cells, 1u);
}

TEST_F(FdtNode, RegUsesTheParentsCellCounts) {
    fdt::RegList mem = *node("/memory").reg();
    ASSERT_EQ(mem.size(), 1u);
    EXPECT_EQ(mem[0].address, 0x80000000u);
    EXPECT_EQ(mem[0].size, 0x1000u);
    fdt::RegList uart = *node("/soc/uart").reg();
    ASSERT_EQ(uart.size(), 1u);
    EXPECT_EQ(uart[0].address, 0x10000000u);
    EXPECT_EQ(uart[0].size, 0x100u);
    fdt::RegList leaf = *node("/soc/deep/leaf").reg();
    ASSERT_EQ(leaf.size(), 1u);
    EXPECT_EQ(leaf[0].address, 7u);
    EXPECT_EQ(leaf[0].size, 0u);
    EXPECT_EQ(node("/props").reg().error(), Error::NotFound);
}

TEST(FdtNodeReg, MultipleEntriesAndErrors) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("two").prop("reg", cells({0, 0x1000, 0, 0x10, 1, 0, 0, 0x20})).end();
        w.begin("short").prop("reg", cells({0, 0x1000, 0})).end();
        w.begin("empty").prop("reg").end();
        w.begin("wide").prop_u32("#address-cells", {3}).prop_u32("#size-cells", {1});
        w.begin("c").prop_u32("reg", {0, 0, 0, 0}).end().end();
        w.begin("bigsize").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {3});
        w.begin("c").prop_u32("reg", {0, 0, 0, 0}).end().end();
        w.begin("noaddr").prop_u32("#address-cells", {0}).prop_u32("#size-cells", {1});
        w.begin("c").prop_u32("reg", {0}).end().end();
        w.begin("badcells").prop("#address-cells", cells({1, 1}));
        w.begin("c").prop_u32("reg", {0, 0, 0}).end().end();
    });
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    fdt::RegList two = *blob->find_node("/two")->reg();
    ASSERT_EQ(two.size(), 2u);
    std::vector<uint64_t> seen;
    for (fdt::RegEntry e : two) {
        seen.push_back(e.address);
        seen.push_back(e.size);
    }
    EXPECT_EQ(seen, (std::vector<uint64_t>{0x1000, 0x10, 0x100000000, 0x20}));
    EXPECT_EQ(blob->find_node("/short")->reg().error(), Error::Malformed);
    EXPECT_EQ(blob->find_node("/empty")->reg().error(), Error::Malformed);
    EXPECT_EQ(blob->find_node("/wide/c")->reg().error(), Error::Unsupported);
    EXPECT_EQ(blob->find_node("/bigsize/c")->reg().error(), Error::Unsupported);
    EXPECT_EQ(blob->find_node("/noaddr/c")->reg().error(), Error::Unsupported);
    EXPECT_EQ(blob->find_node("/badcells/c")->reg().error(), Error::Malformed);
    EXPECT_EQ(blob->find_node("/badcells")->cell_format().error(), Error::Malformed);
}

TEST_F(FdtNode, WalkerVisitsEveryNodeDepthFirst) {
    std::vector<std::string> seen;
    fdt::TreeWalker walker(blob_);
    while (walker.next()) seen.push_back(std::to_string(walker.depth()) + ":" + walker.node().name());
    EXPECT_EQ(seen, (std::vector<std::string>{"0:", "1:memory@80000000", "1:soc", "2:uart@10000000", "2:deep",
                                              "3:leaf@7", "1:props"}));
    EXPECT_FALSE(walker.next());  // stays at the end
}

TEST_F(FdtNode, WalkerNodesKnowTheirParents) {
    fdt::TreeWalker walker(blob_);
    while (walker.next()) {
        if (std::string(walker.node().name()) != "leaf@7") continue;
        EXPECT_EQ(walker.node().parent_offset(), node("/soc/deep").offset());
        fdt::RegList reg = *walker.node().reg();
        EXPECT_EQ(reg[0].address, 7u);
        return;
    }
    FAIL() << "leaf@7 not visited";
}

TEST(FdtNodeEmpty, DefaultObjectsAreEmpty) {
    fdt::Node n;
    EXPECT_FALSE(n.valid());
    EXPECT_STREQ(n.name(), "");
    EXPECT_EQ(n.property("x").error(), Error::NotFound);
    int count = 0;
    for (fdt::Node c : n.children()) count += c.valid();
    for (fdt::Property p : n.properties()) count += p.size() + 1;
    EXPECT_EQ(count, 0);
    fdt::Blob blob;
    EXPECT_FALSE(blob.root().valid());
    EXPECT_EQ(blob.find_node("/").error(), Error::NotFound);
    EXPECT_EQ(blob.find_by_phandle(1).error(), Error::NotFound);
    EXPECT_EQ(blob.find_compatible("x").error(), Error::NotFound);
    fdt::TreeWalker walker(blob);
    EXPECT_FALSE(walker.next());
}

}  // namespace
