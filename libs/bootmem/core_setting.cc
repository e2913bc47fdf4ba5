#include "bootmem/core_setting.h"

#include "base/addr.h"

namespace mm {

Result<CoreSetting> parse_core_setting(StrView s) {
    if (!s.data || s.empty()) return Error::InvalidArgument;
    if (s.equals("mirror")) return Error::Unsupported;
    // A percentage is a bare number followed by '%' and nothing else.
    ParsedNumber n = TRY(parse_number_prefix(s));
    if (n.used < s.len && s[n.used] == '%') {
        if (n.used + 1 != s.len) return Error::InvalidArgument;
        return CoreSetting::percent(n.value);
    }
    uint64_t bytes = TRY(parse_size(s));
    return CoreSetting::pages(bytes >> PAGE_SHIFT);
}

Result<CoreSetting> parse_core_setting(const char* s) {
    if (!s) return Error::InvalidArgument;
    return parse_core_setting(StrView::of(s));
}

}  // namespace mm
