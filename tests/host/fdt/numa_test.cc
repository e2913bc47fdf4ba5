// parse_machine(): NUMA node ids, the single-node fallback and the
// numa-distance-map-v1 distance matrix.
#include <gtest/gtest.h>

#include <vector>

#include "fdt/fdt.h"
#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

fdt::MachineInfo info;

Status parse(const Bytes& b) { return fdt::parse_machine(b.data(), b.size(), info); }

// Two nodes (memory and a hart each) plus `extra`.
Bytes two_nodes(const std::function<void(FdtWriter&)>& extra = {}) {
    return tree([&](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x40000000, 0);
        memory_node(w, 0xc0000000, 0x40000000, 1);
        cpus_node(w, {{0, 0}, {1, 1}});
        if (extra) extra(w);
    });
}

Bytes one_hart_with_bad_node() {
    return tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.prop_u32("timebase-frequency", {TIMEBASE});
        w.begin("cpu@0").prop_str("device_type", "cpu").prop_u32("reg", {0}).prop("numa-node-id", Bytes{1});
        w.end().end();
    });
}

void distance_map(FdtWriter& w, const std::vector<uint32_t>& triples,
                  const char* compatible = "numa-distance-map-v1") {
    Bytes b;
    for (uint32_t v : triples) put_be32(b, v);
    w.begin("distance-map").prop_str("compatible", compatible).prop("distance-matrix", b).end();
}

TEST(FdtNuma, NodeIdsOfBanksAndHarts) {
    ASSERT_TRUE(parse(two_nodes()).ok());
    EXPECT_EQ(info.nr_nodes, 2u);
    EXPECT_EQ(info.banks[0].node, 0u);
    EXPECT_EQ(info.banks[1].node, 1u);
    EXPECT_EQ(info.harts[0].node, 0u);
    EXPECT_EQ(info.harts[1].node, 1u);
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
    EXPECT_EQ(info.distance[1][1], 10);
}

TEST(FdtNuma, HighestIdSetsTheNodeCount) {
    // A hart-only node counts too; ids need not be dense.
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0);
        cpus_node(w, {{0, 0}, {1, 5}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 6u);
}

TEST(FdtNuma, MalformedNodeId) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("memory@0").prop_str("device_type", "memory").prop("reg", reg64(0, 0x1000));
        w.prop("numa-node-id", cells({0, 1})).end();
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "numa-node-id"));
    Bytes c = one_hart_with_bad_node();
    EXPECT_TRUE(machine_fails(c, Error::Malformed, "numa-node-id"));
}

TEST(FdtNuma, TooManyNodesFallsBackToOneNode) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0);
        memory_node(w, 0x90000000, 0x1000, int(mm::MAX_NUMNODES));
        cpus_node(w, {{0, 1}, {1, int(mm::MAX_NUMNODES)}});
        distance_map(w, {0, 1, 20, 1, 0, 20});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 1u);
    ASSERT_EQ(info.nr_banks, 2u);
    EXPECT_EQ(info.banks[1].node, 0u);
    EXPECT_EQ(info.harts[0].node, 0u);
    EXPECT_EQ(info.harts[1].node, 0u);
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
    EXPECT_TRUE(has_warning(info, "MAX_NUMNODES"));
    EXPECT_TRUE(has_warning(info, "distance-map ignored"));
}

TEST(FdtNuma, HugeNodeIdFallsBackToo) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0x7fffffff);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 1u);
    EXPECT_EQ(info.banks[0].node, 0u);
}

TEST(FdtNuma, DistanceMatrix) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 0, 10, 0, 1, 30, 1, 0, 30, 1, 1, 10}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_TRUE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][0], 10);
    EXPECT_EQ(info.distance[0][1], 30);
    EXPECT_EQ(info.distance[1][0], 30);
    EXPECT_EQ(info.distance[1][1], 10);
}

TEST(FdtNuma, OneDirectionStandsForBoth) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {1, 0, 25}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.distance[1][0], 25);
    EXPECT_EQ(info.distance[0][1], 25);
}

TEST(FdtNuma, ExplicitReverseDistanceWinsWhateverTheOrder) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {1, 0, 40, 0, 1, 25}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.distance[0][1], 25);
    EXPECT_EQ(info.distance[1][0], 40);
}

TEST(FdtNuma, MapIsFoundByCompatibleOnly) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 1, 99}, "numa-distance-map-v2"); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
}

TEST(FdtNuma, MapWithoutMatrix) {
    Bytes b = two_nodes(
        [](FdtWriter& w) { w.begin("distance-map").prop_str("compatible", "numa-distance-map-v1").end(); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "no distance-matrix"));
}

TEST(FdtNuma, MatrixMustBeWholeTriples) {
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1});
                              }),
                              Error::Malformed, "triples"));
    EXPECT_TRUE(
        machine_fails(two_nodes([](FdtWriter& w) { distance_map(w, {}); }), Error::Malformed, "triples"));
}

TEST(FdtNuma, MatrixNodeOutOfRange) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, mm::MAX_NUMNODES, 20}); });
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "node id >= MAX_NUMNODES"));
}

TEST(FdtNuma, BadDistances) {
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 256});
                              }),
                              Error::Malformed, "above 255"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {1, 1, 20});
                              }),
                              Error::Malformed, "self-distance"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 10});
                              }),
                              Error::Malformed, "remote distance"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 5});
                              }),
                              Error::Malformed, "remote distance"));
}

TEST(FdtNuma, DiagPointsAtTheBadTriple) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 1, 20, 1, 1, 11}); });
    fdt::Diag diag;
    ASSERT_FALSE(fdt::parse_machine(b.data(), b.size(), info, &diag).ok());
    ASSERT_NE(diag.offset, fdt::NO_OFFSET);
    EXPECT_EQ(get_be32(b, diag.offset), 1u);
    EXPECT_EQ(get_be32(b, diag.offset + 4), 1u);
    EXPECT_EQ(get_be32(b, diag.offset + 8), 11u);
}

}  // namespace
