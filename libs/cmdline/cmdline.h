// The kernel command line (FDT /chosen/bootargs): parameters and sizes.
//
// Parameters are separated by white space. Each is a bare `flag` or a
// `key=value`; a value may be quoted (`key="a b"`), and so may a whole
// parameter (`"key=a b"`), with the semantics of Linux's next_arg():
// quotes group white space and are dropped from the edges of the value.
// A bare `--` ends the kernel's parameters (the rest belongs to init).
// Key comparison treats '-' and '_' as the same character (parameq).
//
// Nothing here writes to the text or keeps state beyond the iterator, so
// it can read the bootargs in place, inside the FDT blob.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

// A piece of a string: not NUL-terminated.
struct StrView {
    const char* data = nullptr;
    size_t len = 0;

    constexpr bool empty() const { return len == 0; }
    constexpr char operator[](size_t i) const { return data[i]; }
    // Whole-string equality with a NUL-terminated string.
    bool equals(const char* s) const;
    // Makes a view of a NUL-terminated string (nullptr gives an empty view).
    static StrView of(const char* s);
};

// At most this many bytes of a command line are examined; the rest is
// ignored and reported through Cmdline::truncated(). Linux's riscv
// COMMAND_LINE_SIZE is 1024; this leaves room for longer test lines.
inline constexpr size_t CMDLINE_MAX = 4096;

struct CmdlineParam {
    StrView key;                // quotes removed from the edges
    StrView value;              // quotes removed from the edges; empty without '='
    bool has_value = false;     // `key=` (possibly empty) rather than a bare flag
    bool unterminated = false;  // a quote opened in this parameter never closed
};

// Walks the parameters of a command line, left to right.
class Cmdline {
public:
    // `text` may be nullptr (no command line). Reading stops at a NUL or
    // after `max_len` bytes, whichever comes first.
    explicit Cmdline(const char* text, size_t max_len = CMDLINE_MAX);

    // Stores the next parameter in `out`; false at the end or at `--`.
    bool next(CmdlineParam& out);

    // The last parameter whose key matches `key` (later ones override
    // earlier ones, as with Linux's early_param handlers).
    bool find(const char* key, CmdlineParam& out) const;

    // Whether a parameter with this key is present, with or without value.
    bool has(const char* key) const;

    // Whether no NUL was found within `max_len` bytes (the rest is ignored).
    bool truncated() const { return truncated_; }

    // Starts the walk again from the beginning.
    void rewind() {
        pos_ = 0;
        done_ = false;
    }

private:
    const char* text_;
    size_t len_;
    size_t pos_ = 0;
    bool truncated_ = false;
    bool done_ = false;
};

// Key equality with '-' and '_' interchangeable.
bool cmdline_key_equals(StrView key, const char* name);

// A number at the start of `s`, C-style base prefix as simple_strtoull(.., 0):
// "0x"/"0X" followed by a hex digit selects hex, a leading "0" octal,
// otherwise decimal.
struct ParsedNumber {
    uint64_t value;
    size_t used;  // characters consumed
};
// Errors: InvalidArgument (no digit at the start), OutOfRange (the value
// does not fit in 64 bits).
Result<ParsedNumber> parse_number_prefix(StrView s);

// memparse: a number followed by an optional binary suffix K, M, G, T, P
// or E (either case), and nothing else.
// Errors: InvalidArgument (empty, no digits, anything after the suffix),
// OutOfRange (the value or value << suffix does not fit in 64 bits).
Result<uint64_t> parse_size(StrView s);

// A plain number (same bases as parse_number_prefix) and nothing else.
// Errors: InvalidArgument, OutOfRange.
Result<uint64_t> parse_u64(StrView s);
