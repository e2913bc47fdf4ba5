// kernelcore= and movablecore=: how much memory must stay unmovable, or
// how much may become ZONE_MOVABLE (Linux cmdline_parse_core).
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "cmdline/cmdline.h"

namespace mm {

struct CoreSetting {
    enum class Unit : uint8_t {
        None,     // not given
        Pages,    // an amount of memory, in whole frames (bytes >> PAGE_SHIFT)
        Percent,  // a share of all memory pages
    };
    Unit unit = Unit::None;
    uint64_t value = 0;

    static constexpr CoreSetting none() { return {}; }
    static constexpr CoreSetting pages(uint64_t n) { return {Unit::Pages, n}; }
    static constexpr CoreSetting percent(uint64_t p) { return {Unit::Percent, p}; }
    constexpr bool given() const { return unit != Unit::None; }
    constexpr bool operator==(const CoreSetting&) const = default;
};

// Parses a kernelcore=/movablecore= value: "25%" (a share of total pages),
// or a memparse size ("512M", "1G", "123456", "0x10000000") rounded down to
// whole pages. Percentages above 100 are accepted, as in Linux (which only
// warns); zone sizing then treats them as "all memory" and says so.
// Errors: InvalidArgument (nullptr, empty, no digits, unknown suffix,
// trailing characters, "%" with a suffix), OutOfRange (overflows 64
// bits), Unsupported ("mirror": this kernel has no mirrored memory).
Result<CoreSetting> parse_core_setting(const char* s);
Result<CoreSetting> parse_core_setting(StrView s);

}  // namespace mm
