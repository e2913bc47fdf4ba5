// The NUMA distance map (Documentation/devicetree/bindings/numa.txt,
// compatible "numa-distance-map-v1"): distance-matrix is a list of
// (from, to, distance) triples of cells.
#include "fdt/machine_parts.h"

namespace fdt::detail {

namespace {

inline constexpr uint32_t TRIPLE_BYTES = 3 * CELL_SIZE;

struct Triple {
    uint32_t from, to, distance;
};

// Checks one entry the way the binding defines distances: 10 to itself,
// more than 10 to any other node, and (here) small enough for a byte.
Status check_triple(const Triple& t, uint32_t offset, Diag* diag) {
    if (t.from >= mm::MAX_NUMNODES || t.to >= mm::MAX_NUMNODES)
        return fail(diag, Error::OutOfRange, "distance-matrix names a node id >= MAX_NUMNODES", offset);
    if (t.distance > 0xff) return fail(diag, Error::Malformed, "distance-matrix distance above 255", offset);
    if (t.from == t.to && t.distance != LOCAL_DISTANCE)
        return fail(diag, Error::Malformed, "distance-matrix self-distance is not 10", offset);
    if (t.from != t.to && t.distance <= LOCAL_DISTANCE)
        return fail(diag, Error::Malformed, "distance-matrix remote distance is not above 10", offset);
    return ok_status();
}

}  // namespace

Status parse_distance_map(const Blob& blob, MachineInfo& out, Diag* diag) {
    Result<Node> map = blob.find_compatible("numa-distance-map-v1");
    if (!map.ok()) return ok_status();
    Result<Property> matrix = map->property("distance-matrix");
    if (!matrix.ok())
        return fail(diag, Error::Malformed, "distance-map has no distance-matrix", map->offset());
    uint32_t size = matrix->size();
    if (size == 0 || size % TRIPLE_BYTES != 0)
        return fail(diag, Error::Malformed, "distance-matrix is not whole (from, to, distance) triples",
                    matrix->offset());

    bool given[mm::MAX_NUMNODES][mm::MAX_NUMNODES] = {};
    const uint8_t* p = matrix->data();
    for (uint32_t pos = 0; pos < size; pos += TRIPLE_BYTES) {
        Triple t{load_be32(p + pos), load_be32(p + pos + 4), load_be32(p + pos + 8)};
        uint32_t offset = matrix->offset() + 3 * CELL_SIZE + pos;
        TRY_STATUS(check_triple(t, offset, diag));
        out.distance[t.from][t.to] = uint8_t(t.distance);
        given[t.from][t.to] = true;
    }
    // An entry stands for both directions unless the reverse is given too.
    for (unsigned a = 0; a < mm::MAX_NUMNODES; a++)
        for (unsigned b = 0; b < mm::MAX_NUMNODES; b++)
            if (given[a][b] && !given[b][a]) out.distance[b][a] = out.distance[a][b];
    out.has_distance_map = true;
    return ok_status();
}

}  // namespace fdt::detail
