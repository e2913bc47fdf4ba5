// Fuzzes the boot bundle parser: the input is walked as a cpio archive
// (every file must lie inside the input, the walk must end), then as a
// manifest (every entry's name and arguments must be well formed), and
// the archive's own `manifest`, if any, is walked as well.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/bundle.h"

namespace {

void check_inside(const void* p, size_t n, const uint8_t* base, size_t size) {
    const auto* b = static_cast<const uint8_t*>(p);
    if (b < base || n > size || b > base + size - n) abort();
}

void walk_manifest(const char* text, size_t len) {
    bundle::Manifest m(text, len);
    bundle::RunEntry e;
    unsigned last_line = 0;
    for (;;) {
        Result<bool> r = m.next(e);
        // Each call consumes at least one line, and there are at most len + 1.
        if (m.line() <= last_line && (r.ok() ? r.value() : true)) abort();
        if (m.line() > len + 1) abort();
        last_line = m.line();
        if (!r.ok()) {
            if (m.why() == nullptr) abort();
            if (r.error() != Error::InvalidArgument && r.error() != Error::OutOfRange) abort();
            continue;
        }
        if (!r.value()) return;
        // Names and arguments may hold NUL bytes from the input; what
        // matters is that each is terminated inside its storage.
        if (e.name[bundle::MAX_NAME] != '\0') abort();
        if (e.nr_args > bundle::MAX_ARGS) abort();
        for (size_t i = 0; i < e.nr_args; i++) {
            const char* a = e.arg(i);
            if (a < e.storage || a >= e.storage + sizeof e.storage) abort();
            size_t room = size_t(e.storage + sizeof e.storage - a);
            if (strnlen(a, room) == room) abort();  // unterminated
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    bundle::Archive a(data, size);
    bundle::File f;
    size_t files = 0;
    while (a.next(f)) {
        check_inside(f.name, f.name_len, data, size);
        check_inside(f.data, f.size, data, size);
        if (f.name_len == 0) abort();
        if (++files > size / 110 + 1) abort();  // each entry has a 110-byte header
    }
    if ((a.error() == Error::None) != (a.why() == nullptr)) abort();
    if (a.error() != Error::None && a.error() != Error::Malformed) abort();
    if (a.next(f)) abort();  // the end is final

    Result<bundle::File> m = a.find("manifest");
    if (m.ok()) {
        check_inside(m->data, m->size, data, size);
        walk_manifest(reinterpret_cast<const char*>(m->data), m->size);
    } else if (m.error() != Error::NotFound && m.error() != Error::Malformed) {
        abort();
    }
    walk_manifest(reinterpret_cast<const char*>(data), size);
    return 0;
}
