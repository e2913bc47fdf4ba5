// Zonelists: the order in which an allocation tries zones (Linux's
// build_zonelists, node order). A node's list holds every populated zone
// of the nearest node first, then of the next nearest, and so on; within
// a node zones go from the highest (Movable) to the lowest (DMA32), so a
// request that may use a high zone falls back to lower ones, and a
// request limited to a lower zone skips the entries above its limit.
#pragma once

#include <stdint.h>

#include "mm/mmzone.h"

namespace mm {

struct ZoneRef {
    uint8_t nid;
    ZoneType zone;
    constexpr bool operator==(const ZoneRef&) const = default;
};

struct Zonelist {
    ZoneRef refs[MAX_NUMNODES * MAX_NR_ZONES];
    uint8_t count = 0;
};

// Distances as the FDT's distance-map gives them: 10 for a node to
// itself, larger is farther.
using DistanceMatrix = uint8_t[MAX_NUMNODES][MAX_NUMNODES];

// Builds node `nid`'s zonelist over nodes [0, nr_nodes). Nodes are ordered
// by distance from `nid`, ties broken by node id, `nid` itself first.
// populated[n][z] says whether zone z of node n has any present pages.
// With nr_nodes above MAX_NUMNODES or nid not below nr_nodes the list is
// left empty (the arrays could not hold them).
constexpr void build_zonelist(unsigned nid, unsigned nr_nodes, const DistanceMatrix& distance,
                              const bool (&populated)[MAX_NUMNODES][MAX_NR_ZONES], Zonelist& out) {
    out.count = 0;
    if (nr_nodes > MAX_NUMNODES || nid >= nr_nodes) return;
    uint8_t order[MAX_NUMNODES] = {};
    unsigned n = 0;
    order[n++] = uint8_t(nid);
    for (unsigned i = 0; i < nr_nodes; i++)
        if (i != nid) order[n++] = uint8_t(i);
    // Insertion sort of the other nodes by (distance, id): n is at most 8.
    for (unsigned i = 2; i < n; i++) {
        uint8_t cur = order[i];
        unsigned j = i;
        while (j > 1 && distance[nid][order[j - 1]] > distance[nid][cur]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = cur;
    }
    out.count = 0;
    for (unsigned i = 0; i < n; i++)
        for (int z = int(MAX_NR_ZONES) - 1; z >= 0; z--)
            if (populated[order[i]][z]) out.refs[out.count++] = ZoneRef{order[i], ZoneType(z)};
}

}  // namespace mm
