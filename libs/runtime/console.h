// Console output for user tasks: printf-style text (libs/format/format.h)
// collected in a line buffer and handed to the kernel with Sys::DebugWrite.
//
// The buffer is flushed at every newline and whenever it fills, so a line
// from one task is printed in one piece (up to the buffer size) even when
// several tasks print at once. Each task has its own buffer (its own .bss);
// it is not safe to print from two threads of one address space.
#pragma once

#include <stddef.h>

#include "format/format.h"

// Appends `n` bytes to the console buffer.
void console_write(const char* s, size_t n);

// Prints whatever is buffered. Errors from DebugWrite are dropped: there is
// nowhere else to report them.
void console_flush();

// Drops buffered text without printing it (a new task starting from a copy
// of its creator's data).
void console_discard();

// A TextSink writing to the console (for format() and the Unity runner).
TextSink console_sink();

size_t uprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
