#include "format/format.h"

#include <stdint.h>

namespace {

struct Spec {
    bool left = false, zero = false, alt = false, plus = false, space = false;
    int width = 0;
    int precision = -1;
};

class Out {
public:
    explicit Out(TextSink sink) : sink_(sink) {}
    void put(const char* s, size_t n) {
        if (n == 0) return;
        sink_.write(sink_.ctx, s, n);
        count_ += n;
    }
    void put(char c) { put(&c, 1); }
    void pad(char c, int n) {
        for (int i = 0; i < n; i++) put(c);
    }
    size_t count() const { return count_; }

private:
    TextSink sink_;
    size_t count_ = 0;
};

size_t cstr_len(const char* s, int max) {
    size_t n = 0;
    while ((max < 0 || n < size_t(max)) && s[n]) n++;
    return n;
}

void emit_number(Out& out, uint64_t v, bool negative, unsigned base, bool upper, const Spec& spec) {
    char digits[24];
    int nd = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    if (v == 0 && spec.precision != 0) digits[nd++] = '0';
    while (v) {
        digits[nd++] = set[v % base];
        v /= base;
    }
    const char* prefix = "";
    if (negative)
        prefix = "-";
    else if (spec.plus)
        prefix = "+";
    else if (spec.space)
        prefix = " ";
    if (spec.alt && base == 16 && nd > 0 && !(nd == 1 && digits[0] == '0')) prefix = upper ? "0X" : "0x";
    if (spec.alt && base == 8) prefix = "0";
    int plen = int(cstr_len(prefix, -1));
    int zeros = spec.precision > nd ? spec.precision - nd : 0;
    int body = plen + zeros + nd;
    int padn = spec.width > body ? spec.width - body : 0;
    if (spec.zero && !spec.left && spec.precision < 0) {
        zeros += padn;
        padn = 0;
    }
    if (!spec.left) out.pad(' ', padn);
    out.put(prefix, size_t(plen));
    out.pad('0', zeros);
    while (nd) out.put(digits[--nd]);
    if (spec.left) out.pad(' ', padn);
}

// The variadic arguments, read in order. Helpers take it by reference so
// that each read advances the one list (va_list is an array type on some
// ABIs and a pointer on others, so it is never passed by value).
class Args {
public:
    explicit Args(va_list ap) { va_copy(ap_, ap); }
    ~Args() { va_end(ap_); }
    Args(const Args&) = delete;
    Args& operator=(const Args&) = delete;

    template <typename T>
    T next() {
        return va_arg(ap_, T);
    }

private:
    va_list ap_;
};

// Length modifiers in Spec::len: 0 int, 1 long, 2 long long, -1 short, -2 char.
struct Conversion {
    Spec spec;
    int len = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int parse_decimal(const char*& fmt) {
    int v = 0;
    while (is_digit(*fmt)) v = v * 10 + (*fmt++ - '0');
    return v;
}

// Flags: any of "-0#+ ".
const char* parse_flags(const char* fmt, Spec& spec) {
    for (;; fmt++) {
        switch (*fmt) {
            case '-':
                spec.left = true;
                break;
            case '0':
                spec.zero = true;
                break;
            case '#':
                spec.alt = true;
                break;
            case '+':
                spec.plus = true;
                break;
            case ' ':
                spec.space = true;
                break;
            default:
                return fmt;
        }
    }
}

// Width: digits, or '*' taking an int (negative means left-justified).
const char* parse_width(const char* fmt, Args& args, Spec& spec) {
    if (*fmt != '*') {
        spec.width = parse_decimal(fmt);
        return fmt;
    }
    spec.width = args.next<int>();
    if (spec.width < 0) {
        spec.left = true;
        spec.width = -spec.width;
    }
    return fmt + 1;
}

// Precision: '.' then digits, or '.*' taking an int.
const char* parse_precision(const char* fmt, Args& args, Spec& spec) {
    if (*fmt != '.') return fmt;
    fmt++;
    if (*fmt == '*') {
        spec.precision = args.next<int>();
        return fmt + 1;
    }
    spec.precision = parse_decimal(fmt);
    return fmt;
}

// Length modifiers: h, hh, l, ll; z, t and j as ll.
const char* parse_length(const char* fmt, int& len) {
    for (;; fmt++) {
        if (*fmt == 'l')
            len = len >= 1 ? 2 : 1;
        else if (*fmt == 'h')
            len = len <= -1 ? -2 : -1;
        else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
            len = 2;
        else
            return fmt;
    }
}

// Everything between '%' and the conversion character.
const char* parse_conversion(const char* fmt, Args& args, Conversion& c) {
    fmt = parse_flags(fmt, c.spec);
    fmt = parse_width(fmt, args, c.spec);
    fmt = parse_precision(fmt, args, c.spec);
    return parse_length(fmt, c.len);
}

// %d, %i
void emit_signed(Out& out, Args& args, const Conversion& c) {
    int64_t v = 0;
    if (c.len == 2)
        v = int64_t(args.next<long long>());
    else if (c.len == 1)
        v = int64_t(args.next<long>());
    else
        v = int64_t(args.next<int>());
    if (c.len == -1) v = int16_t(v);
    if (c.len == -2) v = int8_t(v);
    uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    emit_number(out, mag, v < 0, 10, false, c.spec);
}

// %u, %x, %X, %o
void emit_unsigned(Out& out, Args& args, const Conversion& c, char conv) {
    uint64_t v = 0;
    if (c.len == 2)
        v = uint64_t(args.next<unsigned long long>());
    else if (c.len == 1)
        v = uint64_t(args.next<unsigned long>());
    else
        v = uint64_t(args.next<unsigned>());
    if (c.len == -1) v = uint16_t(v);
    if (c.len == -2) v = uint8_t(v);
    unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
    Spec spec = c.spec;
    spec.plus = spec.space = false;
    emit_number(out, v, false, base, conv == 'X', spec);
}

// %p
void emit_pointer(Out& out, Args& args, const Conversion& c) {
    Spec spec = c.spec;
    spec.alt = true;
    emit_number(out, uint64_t(uintptr_t(args.next<void*>())), false, 16, false, spec);
}

// %c
void emit_char(Out& out, Args& args, const Conversion& c) {
    char ch = char(args.next<int>());
    if (!c.spec.left) out.pad(' ', c.spec.width - 1);
    out.put(ch);
    if (c.spec.left) out.pad(' ', c.spec.width - 1);
}

// %s; a null pointer prints as "(null)".
void emit_string(Out& out, Args& args, const Conversion& c) {
    const char* s = args.next<const char*>();
    if (!s) s = "(null)";
    int n = int(cstr_len(s, c.spec.precision));
    int padn = c.spec.width > n ? c.spec.width - n : 0;
    if (!c.spec.left) out.pad(' ', padn);
    out.put(s, size_t(n));
    if (c.spec.left) out.pad(' ', padn);
}

void emit_conversion(Out& out, Args& args, const Conversion& c, char conv) {
    switch (conv) {
        case 'd':
        case 'i':
            emit_signed(out, args, c);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            emit_unsigned(out, args, c, conv);
            break;
        case 'p':
            emit_pointer(out, args, c);
            break;
        case 'c':
            emit_char(out, args, c);
            break;
        case 's':
            emit_string(out, args, c);
            break;
        case '%':
            out.put('%');
            break;
        default:
            // Unknown conversion: print it verbatim so the mistake is visible.
            out.put('%');
            out.put(conv);
            break;
    }
}

}  // namespace

size_t vformat(TextSink sink, const char* fmt, va_list ap) {
    Out out(sink);
    Args args(ap);
    while (*fmt) {
        if (*fmt != '%') {
            const char* start = fmt;
            while (*fmt && *fmt != '%') fmt++;
            out.put(start, size_t(fmt - start));
            continue;
        }
        Conversion c;
        fmt = parse_conversion(fmt + 1, args, c);
        char conv = *fmt;
        if (conv == '\0') break;
        fmt++;
        emit_conversion(out, args, c, conv);
    }
    return out.count();
}

size_t format(TextSink sink, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(sink, fmt, ap);
    va_end(ap);
    return n;
}

namespace {
struct BufCtx {
    char* buf;
    size_t cap;  // usable characters (n - 1)
    size_t used;
};
void buf_write(void* ctx, const char* s, size_t n) {
    auto* b = static_cast<BufCtx*>(ctx);
    for (size_t i = 0; i < n && b->used < b->cap; i++) b->buf[b->used++] = s[i];
}
}  // namespace

size_t vformat_buf(char* buf, size_t n, const char* fmt, va_list ap) {
    BufCtx ctx{buf, n ? n - 1 : 0, 0};
    size_t total = vformat(TextSink{buf_write, &ctx}, fmt, ap);
    if (n) buf[ctx.used] = '\0';
    return total;
}

size_t format_buf(char* buf, size_t n, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t r = vformat_buf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}
