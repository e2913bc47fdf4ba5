// Fuzzes the command line walker and memparse: every parameter must lie
// inside the examined bytes, and parsing must agree with itself.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline/cmdline.h"

static void check_inside(StrView v, const char* base, size_t len) {
    if (v.len == 0) return;
    if (v.data < base || v.data + v.len > base + len) abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Not NUL-terminated on purpose: max_len must bound every read.
    const char* text = reinterpret_cast<const char*>(data);
    size_t max = size;
    Cmdline c(size ? text : nullptr, max);
    CmdlineParam p;
    size_t n = 0;
    while (c.next(p)) {
        check_inside(p.key, text, size);
        check_inside(p.value, text, size);
        if (!p.has_value && p.value.len != 0) abort();
        if (++n > size + 1) abort();  // each parameter consumes input
        Result<uint64_t> s = parse_size(p.value);
        Result<ParsedNumber> num = parse_number_prefix(p.value);
        if (s.ok() && !num.ok()) abort();
        if (num.ok() && num->used > p.value.len) abort();
        if (s.ok() && num.ok() && num->used == p.value.len && *s != num->value) abort();
    }
    if (size) {
        CmdlineParam q;
        char key[8] = {};
        memcpy(key, text, size < 7 ? size : 7);
        (void)c.find(key, q);
    }
    return 0;
}
