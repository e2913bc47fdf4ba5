#include "kernel/lib/log.h"

#include "kernel/platform.h"

namespace klog {

namespace {

constinit Level g_level = Level::Info;

void console_write(void*, const char* s, size_t n) { platform::console_write(s, n); }

void prefix() {
    uint64_t us = platform::uptime_us();
    format(console_sink(), "[%5lu.%06lu] ", static_cast<unsigned long>(us / 1000000),
           static_cast<unsigned long>(us % 1000000));
}

// Line assembler for info_line_sink: emits a prefix at each line start.
constinit bool g_at_line_start = true;
void info_line_write(void*, const char* s, size_t n) {
    if (!enabled(Level::Info)) return;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (g_at_line_start) {
            prefix();
            g_at_line_start = false;
        }
        if (s[i] == '\n') {
            platform::console_write(s + start, i + 1 - start);
            start = i + 1;
            g_at_line_start = true;
        }
    }
    if (start < n) platform::console_write(s + start, n - start);
}

}  // namespace

void set_level(Level max_shown) { g_level = max_shown; }
Level level() { return g_level; }
bool enabled(Level l) { return int(l) <= int(g_level); }

TextSink console_sink() { return TextSink{console_write, nullptr}; }
TextSink info_line_sink() { return TextSink{info_line_write, nullptr}; }

void vlog(Level l, const char* fmt, va_list ap) {
    if (!enabled(l)) return;
    prefix();
    if (l == Level::Warn) format(console_sink(), "WARNING: ");
    if (l == Level::Error) format(console_sink(), "ERROR: ");
    vformat(console_sink(), fmt, ap);
    platform::console_write("\n", 1);
}

void log(Level l, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(l, fmt, ap);
    va_end(ap);
}

#define DEFINE_LEVEL(name, lvl)       \
    void name(const char* fmt, ...) { \
        va_list ap;                   \
        va_start(ap, fmt);            \
        vlog(lvl, fmt, ap);           \
        va_end(ap);                   \
    }
DEFINE_LEVEL(debug, Level::Debug)
DEFINE_LEVEL(info, Level::Info)
DEFINE_LEVEL(warn, Level::Warn)
DEFINE_LEVEL(error, Level::Error)
#undef DEFINE_LEVEL

}  // namespace klog
