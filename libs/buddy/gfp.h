// The allocator's request vocabulary: what a caller asks for (Linux's
// gfp_t plus the preferred node) and the mobility types it is grouped by.
//
// An AllocRequest (order, zone limit, node preference, GFP flags) fits in
// one 64-bit register, so the IPC server can pass it through from a
// message word.
//
// Mobility types for anti-fragmentation (Linux's migratetypes): every
// pageblock (2^PAGEBLOCK_ORDER frames) carries one type, and every free
// block sits on the free list of its pageblock's type. Allocations of one
// mobility are served from pageblocks of that type first, so frames that
// can never move do not end up scattered over all of memory.
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "mm/mmzone.h"

namespace mm {

enum class MigrateType : uint8_t {
    Unmovable = 0,    // kernel-like data: pinned for its lifetime
    Movable = 1,      // user pages: can be reclaimed or migrated
    Reclaimable = 2,  // caches that can be dropped but not moved
};
inline constexpr unsigned MIGRATE_TYPES = 3;

constexpr const char* migratetype_name(MigrateType t) {
    switch (t) {
        case MigrateType::Unmovable:
            return "Unmovable";
        case MigrateType::Movable:
            return "Movable";
        case MigrateType::Reclaimable:
            return "Reclaimable";
    }
    return "?";
}

// Whether allocations are grouped by mobility at all. Without grouping
// every pageblock and every request is Unmovable: one set of lists, as in
// a plain buddy allocator (Linux's page_group_by_mobility_disabled).
enum class Grouping : uint8_t { ByMobility, Disabled };

// Which other types a request falls back to, in order, when its own
// lists are empty (Linux's fallbacks[] table).
inline constexpr MigrateType fallbacks[MIGRATE_TYPES][MIGRATE_TYPES - 1] = {
    {MigrateType::Reclaimable, MigrateType::Movable},    // Unmovable
    {MigrateType::Reclaimable, MigrateType::Unmovable},  // Movable
    {MigrateType::Unmovable, MigrateType::Movable},      // Reclaimable
};

// "No preference": start with the allocator's local node.
inline constexpr uint8_t NUMA_NO_NODE = 0xff;

// The two mobility bits are the top bits of the flags word, so that
// together with the zone limit in the byte above them they form the
// index of the allocator's fast-path table (fastpath.h) with one shift.
enum GfpFlag : uint16_t {
    GFP_ZERO = 1u << 0,          // hand the block out filled with zeroes
    GFP_MEMALLOC = 1u << 1,      // the pager's own needs: may dip below the min watermark
    GFP_THISNODE = 1u << 2,      // only the preferred node, no fallback to others
    GFP_MOVABLE = 1u << 14,      // frames can be reclaimed/migrated; may use ZONE_MOVABLE
    GFP_RECLAIMABLE = 1u << 15,  // frames can be dropped under pressure (caches)
    GFP_KNOWN_MASK = GFP_ZERO | GFP_MEMALLOC | GFP_THISNODE | GFP_MOVABLE | GFP_RECLAIMABLE,
};

// Read as one little-endian word: order in bits 0-7, nid in 8-15, flags
// in 16-31 and the zone limit from bit 32 (fastpath.h relies on this).
struct AllocRequest {
    uint8_t order = 0;                 // block of 2^order frames, < MAX_ORDER
    uint8_t nid = NUMA_NO_NODE;        // preferred node
    uint16_t flags = 0;                // GfpFlag bits
    ZoneType zone = ZoneType::Normal;  // highest zone the frames may come from
    uint8_t reserved_ = 0;
    uint16_t reserved2_ = 0;

    static constexpr AllocRequest of(unsigned order, uint16_t flags = 0, ZoneType zone = ZoneType::Normal,
                                     uint8_t nid = NUMA_NO_NODE) {
        AllocRequest r;
        r.order = uint8_t(order);
        r.zone = zone;
        r.nid = nid;
        r.flags = flags;
        return r;
    }
};
static_assert(sizeof(AllocRequest) == 8);

// The highest zone index a request may use (Linux's gfp_zone): ZONE_MOVABLE
// only serves movable requests, whatever limit the caller names.
constexpr unsigned highest_zoneidx(AllocRequest r) {
    unsigned z = unsigned(r.zone);
    if (z == unsigned(ZoneType::Movable) && !(r.flags & GFP_MOVABLE)) z = unsigned(ZoneType::Normal);
    return z;
}

constexpr MigrateType gfp_migratetype(uint16_t flags) {
    if (flags & GFP_MOVABLE) return MigrateType::Movable;
    if (flags & GFP_RECLAIMABLE) return MigrateType::Reclaimable;
    return MigrateType::Unmovable;
}

}  // namespace mm
