// printf-style formatting for freestanding code (kernel, pager, pure cores).
//
// Supports the conversions kernel logs need: %d %i %u %x %X %o %c %s %p %%
// with flags '-', '0', '#', '+', ' ', a width and precision (also '*'),
// and the length modifiers hh h l ll z t j. Floating point is not
// supported (the kernel has no FP state); %f prints "?".
#pragma once

#include <stdarg.h>
#include <stddef.h>

// Where formatted text goes: a function called with chunks of output.
struct TextSink {
    void (*write)(void* ctx, const char* s, size_t n);
    void* ctx;
};

// Formats into `sink`; returns the number of characters produced.
size_t vformat(TextSink sink, const char* fmt, va_list ap);
size_t format(TextSink sink, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// snprintf semantics: writes at most n-1 characters and a NUL (if n > 0);
// returns the length the full output would have had.
size_t vformat_buf(char* buf, size_t n, const char* fmt, va_list ap);
size_t format_buf(char* buf, size_t n, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
