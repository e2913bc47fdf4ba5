// The kernel's leveled logger: printf-style lines on the early console,
// each prefixed with a timestamp like Linux's "[    0.000000] ".
//
// Levels (lowest shown by default is Info; `loglevel=N` or `quiet` on the
// command line change it): Debug 7, Info 6, Warn 4, Error 3.
#pragma once

#include <stdarg.h>

#include "format/format.h"

namespace klog {

enum class Level : int { Error = 3, Warn = 4, Info = 6, Debug = 7 };

void set_level(Level max_shown);
Level level();
bool enabled(Level l);

void vlog(Level l, const char* fmt, va_list ap);
void log(Level l, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void debug(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// A sink that writes raw text to the console (no prefix), and one that
// turns each line written into it into an Info log line (for printers
// that produce multi-line text, such as the zone log).
TextSink console_sink();
TextSink info_line_sink();

}  // namespace klog
