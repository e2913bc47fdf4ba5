// build_zonelist (libs/mm/zonelist.h): node order by distance, zones
// from high to low, only populated zones.
#include "mm/zonelist.h"

#include <gtest/gtest.h>

#include <vector>

namespace mm {
namespace {

using Pop = bool[MAX_NUMNODES][MAX_NR_ZONES];

std::vector<ZoneRef> refs(const Zonelist& z) { return {z.refs, z.refs + z.count}; }
constexpr ZoneRef R(unsigned n, ZoneType t) { return ZoneRef{uint8_t(n), t}; }
constexpr ZoneType D = ZoneType::DMA32, N = ZoneType::Normal, M = ZoneType::Movable;

void fill_distance(DistanceMatrix& d, unsigned n, uint8_t other) {
    for (unsigned i = 0; i < MAX_NUMNODES; i++)
        for (unsigned j = 0; j < MAX_NUMNODES; j++) d[i][j] = i == j ? 10 : other;
    (void)n;
}

TEST(Zonelist, SingleNodeHighToLow) {
    DistanceMatrix d;
    fill_distance(d, 1, 20);
    Pop p = {{true, true, true}};
    Zonelist z;
    build_zonelist(0, 1, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(0, M), R(0, N), R(0, D)}));
}

TEST(Zonelist, SkipsUnpopulatedZonesAndNodes) {
    DistanceMatrix d;
    fill_distance(d, 3, 20);
    Pop p = {{true, false, false}, {false, false, false}, {false, true, true}};
    Zonelist z;
    build_zonelist(1, 3, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(0, D), R(2, M), R(2, N)}));
}

TEST(Zonelist, NearestNodesFirstTiesById) {
    // Four nodes on a ring: 0-1-2-3-0; opposite corners are 30 apart.
    DistanceMatrix d;
    fill_distance(d, 4, 20);
    d[0][2] = d[2][0] = d[1][3] = d[3][1] = 30;
    Pop p = {{true}, {true}, {true}, {true}};
    Zonelist z;
    build_zonelist(0, 4, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(0, D), R(1, D), R(3, D), R(2, D)}));
    build_zonelist(2, 4, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(2, D), R(1, D), R(3, D), R(0, D)}));
    build_zonelist(3, 4, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(3, D), R(0, D), R(2, D), R(1, D)}));
}

TEST(Zonelist, AsymmetricDistancesUseTheRowOfTheNode) {
    DistanceMatrix d;
    fill_distance(d, 3, 20);
    d[0][1] = 40;  // from node 0, node 2 is nearer than node 1
    d[1][0] = 15;
    Pop p = {{true}, {true}, {true}};
    Zonelist z;
    build_zonelist(0, 3, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(0, D), R(2, D), R(1, D)}));
    build_zonelist(1, 3, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(1, D), R(0, D), R(2, D)}));
}

TEST(Zonelist, LocalNodeFirstEvenIfADistanceIsSmaller) {
    DistanceMatrix d;
    fill_distance(d, 2, 5);
    Pop p = {{true}, {true}};
    Zonelist z;
    build_zonelist(1, 2, d, p, z);
    EXPECT_EQ(refs(z), (std::vector<ZoneRef>{R(1, D), R(0, D)}));
}

TEST(Zonelist, EightNodesFullList) {
    DistanceMatrix d;
    for (unsigned i = 0; i < MAX_NUMNODES; i++)
        for (unsigned j = 0; j < MAX_NUMNODES; j++)
            d[i][j] = uint8_t(i == j ? 10 : 10 + 10 * (i > j ? i - j : j - i));
    Pop p;
    for (auto& n : p)
        for (bool& b : n) b = true;
    Zonelist z;
    build_zonelist(4, MAX_NUMNODES, d, p, z);
    ASSERT_EQ(z.count, MAX_NUMNODES * MAX_NR_ZONES);
    std::vector<unsigned> order;
    for (unsigned i = 0; i < z.count; i += MAX_NR_ZONES) order.push_back(z.refs[i].nid);
    EXPECT_EQ(order, (std::vector<unsigned>{4, 3, 5, 2, 6, 1, 7, 0}));
}

TEST(Zonelist, OutOfRangeNodeArgumentsGiveAnEmptyList) {
    DistanceMatrix d;
    fill_distance(d, 2, 20);
    Pop p = {{true}, {true}};
    Zonelist z;
    z.count = 7;
    build_zonelist(2, 2, d, p, z);  // nid not below nr_nodes
    EXPECT_EQ(z.count, 0u);
    z.count = 7;
    build_zonelist(0, MAX_NUMNODES + 1, d, p, z);
    EXPECT_EQ(z.count, 0u);
}

}  // namespace
}  // namespace mm
