// Mobility types for anti-fragmentation (Linux's migratetypes).
//
// Every pageblock (2^PAGEBLOCK_ORDER frames) carries one type, and every
// free block sits on the free list of its pageblock's type. Allocations
// of one mobility are served from pageblocks of that type first, so
// frames that can never move do not end up scattered over all of memory.
#pragma once

#include <stdint.h>

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

}  // namespace mm
