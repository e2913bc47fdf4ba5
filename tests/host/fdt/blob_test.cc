// Blob::open(): header, block and structure validation on synthetic blobs.
#include "fdt/blob.h"

#include <gtest/gtest.h>

#include "fdt/node.h"
#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

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

}  // namespace
