// Rights (abi::Rights bits), as capabilities hold them and as user space
// names them: the one check of rights, for capability lookups, copies,
// mappings and the endpoints' Grant.
#pragma once

#include <stdint.h>

#include "abi/cap.h"

namespace rights {

// Whether every right in `rights` is among `allowed`. `rights` may be a
// word from user space as it came: a bit beyond abi::Rights is never
// allowed.
constexpr bool within(uint64_t rights, uint64_t allowed) { return (rights & ~allowed) == 0; }

// Whether `rights` can be a mapping's, within `allowed`: some of Read,
// Write and Exec, and Write only with Read.
constexpr bool mappable(uint64_t rights, uint64_t allowed) {
    constexpr uint64_t RWX = abi::RIGHT_READ | abi::RIGHT_WRITE | abi::RIGHT_EXEC;
    const bool write_without_read = (rights & abi::RIGHT_WRITE) && !(rights & abi::RIGHT_READ);
    return rights != 0 && within(rights, allowed & RWX) && !write_without_read;
}

static_assert(within(abi::RIGHT_READ, abi::RIGHTS_ALL) && !within(abi::RIGHTS_ALL + 1, abi::RIGHTS_ALL));
static_assert(!within(uint64_t(1) << 32 | abi::RIGHT_READ, abi::RIGHTS_ALL));
static_assert(mappable(abi::RIGHT_READ | abi::RIGHT_WRITE, abi::RIGHTS_ALL) &&
              !mappable(abi::RIGHT_WRITE, abi::RIGHTS_ALL) && !mappable(0, abi::RIGHTS_ALL) &&
              !mappable(abi::RIGHT_GRANT, abi::RIGHTS_ALL) && !mappable(abi::RIGHT_EXEC, abi::RIGHT_READ));

}  // namespace rights
