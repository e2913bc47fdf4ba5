#include "runtime/console.h"

#include <stdarg.h>

#include "runtime/syscall.h"

namespace {

// One line of 200 characters plus room for a long file name: most Unity
// lines fit in one DebugWrite.
constexpr size_t CONSOLE_BUFFER = 256;
constinit char g_buffer[CONSOLE_BUFFER];
constinit size_t g_used = 0;

void sink_write(void*, const char* s, size_t n) { console_write(s, n); }

}  // namespace

void console_write(const char* s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (g_used == CONSOLE_BUFFER) console_flush();
        g_buffer[g_used++] = s[i];
        if (s[i] == '\n') console_flush();
    }
}

void console_flush() {
    if (g_used == 0) return;
    (void)sys::debug_write(g_buffer, g_used);
    g_used = 0;
}

void console_discard() { g_used = 0; }

TextSink console_sink() { return TextSink{sink_write, nullptr}; }

size_t uprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(console_sink(), fmt, ap);
    va_end(ap);
    return n;
}
