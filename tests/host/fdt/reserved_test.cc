// parse_machine(): reserved ranges from the memreserve block and from
// /reserved-memory.
#include <gtest/gtest.h>

#include "fdt/fdt.h"
#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

fdt::MachineInfo info;

Status parse(const Bytes& b) { return fdt::parse_machine(b.data(), b.size(), info); }

// A machine whose /reserved-memory holds what `body` adds, with
// `memreserve` entries in the reservation block.
Bytes with_reserved(const std::function<void(FdtWriter&)>& body,
                    std::initializer_list<std::pair<uint64_t, uint64_t>> memreserve = {},
                    uint32_t cells = 2) {
    FdtWriter w;
    for (auto [a, s] : memreserve) w.reserve(a, s);
    root(w, [&](FdtWriter& t) {
        memory_node(t, 0x80000000, 0x8000000);
        cpus_node(t, {{0}});
        t.begin("reserved-memory").prop_u32("#address-cells", {cells}).prop_u32("#size-cells", {cells});
        t.prop("ranges");
        body(t);
        t.end();
    });
    return w.finish();
}

void region(FdtWriter& w, const char* name, uint64_t base, uint64_t size, bool no_map) {
    w.begin(name).prop("reg", reg64(base, size));
    if (no_map) w.prop("no-map");
    w.end();
}

TEST(FdtReserved, MemReserveBlockAndReservedMemoryNodes) {
    Bytes b = with_reserved(
        [](FdtWriter& w) {
            region(w, "mmode_resv0@80000000", 0x80000000, 0x40000, true);
            region(w, "mmode_resv1@80040000", 0x80040000, 0x20000, true);
            region(w, "shm@84000000", 0x84000000, 0x200000, false);
        },
        {{0x87000000, 0x10000}});
    fdt::Diag diag;
    ASSERT_TRUE(fdt::parse_machine(b.data(), b.size(), info, &diag).ok()) << diag.what;
    ASSERT_EQ(info.nr_reserved, 4u);
    EXPECT_EQ(info.reserved[0].source, fdt::ReservedSource::MemReserveBlock);
    EXPECT_EQ(info.reserved[0].range, (PhysRange{PhysAddr(0x87000000), 0x10000}));
    EXPECT_FALSE(info.reserved[0].no_map);
    EXPECT_STREQ(info.reserved[0].name, "/memreserve/");
    EXPECT_EQ(info.reserved[1].source, fdt::ReservedSource::ReservedMemoryNode);
    EXPECT_EQ(info.reserved[1].range, (PhysRange{PhysAddr(0x80000000), 0x40000}));
    EXPECT_TRUE(info.reserved[1].no_map);
    EXPECT_STREQ(info.reserved[1].name, "mmode_resv0@80000000");
    EXPECT_TRUE(info.reserved[2].no_map);
    EXPECT_STREQ(info.reserved[3].name, "shm@84000000");
    EXPECT_FALSE(info.reserved[3].no_map);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtReserved, ChildrenUseReservedMemoryCellCounts) {
    Bytes b = with_reserved(
        [](FdtWriter& w) {
            w.begin("fw@80000000").prop_u32("reg", {0x80000000, 0x1000, 0x80010000, 0x2000}).end();
        },
        {}, 1);
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_reserved, 2u);
    EXPECT_EQ(info.reserved[0].range, (PhysRange{PhysAddr(0x80000000), 0x1000}));
    EXPECT_EQ(info.reserved[1].range, (PhysRange{PhysAddr(0x80010000), 0x2000}));
    EXPECT_STREQ(info.reserved[1].name, "fw@80000000");
}

TEST(FdtReserved, SkipsDynamicDisabledAndEmptyRegions) {
    Bytes b = with_reserved([](FdtWriter& w) {
        w.begin("pool").prop("size", cells({0, 0x400000})).prop("alloc-ranges", reg64(0x80000000, 0x8000000));
        w.end();
        w.begin("off@90000000").prop("reg", reg64(0x90000000, 0x1000)).prop_str("status", "disabled").end();
        region(w, "empty@91000000", 0x91000000, 0, true);
        region(w, "real@92000000", 0x92000000, 0x1000, false);
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_reserved, 1u);
    EXPECT_STREQ(info.reserved[0].name, "real@92000000");
    EXPECT_TRUE(has_warning(info, "dynamic placement"));
    EXPECT_TRUE(has_warning(info, "disabled reserved-memory"));
    EXPECT_TRUE(has_warning(info, "zero-sized reserved-memory"));
}

TEST(FdtReserved, OverflowingRegionIsOutOfRange) {
    Bytes b = with_reserved([](FdtWriter& w) { region(w, "x@0", 0xffffffffffff0000, 0x10001, false); });
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "reserved-memory base + size overflows"));
}

TEST(FdtReserved, OverflowingMemReserveIsOutOfRange) {
    Bytes b = with_reserved([](FdtWriter&) {}, {{0xfffffffffffff000, 0x2000}});
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "memreserve base + size overflows"));
}

TEST(FdtReserved, RegionWithBadRegIsMalformed) {
    Bytes b = with_reserved([](FdtWriter& w) { w.begin("x@0").prop_u32("reg", {0, 0, 1}).end(); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "reg is not a whole number"));
}

TEST(FdtReserved, RangeLimit) {
    auto ranges = [](size_t rsv_entries, size_t nodes) {
        FdtWriter w;
        for (size_t i = 0; i < rsv_entries; i++) w.reserve(0x80000000 + i * 0x1000, 0x1000);
        root(w, [&](FdtWriter& t) {
            memory_node(t, 0x80000000, 0x8000000);
            cpus_node(t, {{0}});
            t.begin("reserved-memory").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
            for (size_t i = 0; i < nodes; i++)
                region(t, unit_name("r", 0x90000000 + i * 0x1000).c_str(), 0x90000000 + i * 0x1000, 0x1000,
                       false);
            t.end();
        });
        return w.finish();
    };
    ASSERT_TRUE(parse(ranges(fdt::MAX_RESERVED / 2, fdt::MAX_RESERVED / 2)).ok());
    EXPECT_EQ(info.nr_reserved, fdt::MAX_RESERVED);
    EXPECT_TRUE(machine_fails(ranges(fdt::MAX_RESERVED / 2, fdt::MAX_RESERVED / 2 + 1), Error::Unsupported,
                              "MAX_RESERVED"));
    EXPECT_TRUE(machine_fails(ranges(fdt::MAX_RESERVED + 1, 0), Error::Unsupported, "MAX_RESERVED"));
}

}  // namespace
