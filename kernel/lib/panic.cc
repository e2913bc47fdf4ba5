#include "kernel/lib/panic.h"

#include <stdarg.h>

#include "kernel/lib/log.h"
#include "kernel/platform.h"

namespace {
constinit bool g_panicking = false;
}

void panic_at(const char* file, int line, const char* fmt, ...) {
    TextSink out = klog::console_sink();
    if (g_panicking) {
        // A panic while panicking: print the least and stop.
        format(out, "\nPANIC (nested) at %s:%d\n", file, line);
        platform::exit(PANIC_EXIT_STATUS);
    }
    g_panicking = true;
    format(out, "\nKERNEL PANIC at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vformat(out, fmt, ap);
    va_end(ap);
    format(out, "\n");
    platform::dump_current_state(out);
    platform::exit(PANIC_EXIT_STATUS);
}
