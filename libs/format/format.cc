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

}  // namespace

size_t vformat(TextSink sink, const char* fmt, va_list ap) {
    Out out(sink);
    while (*fmt) {
        if (*fmt != '%') {
            const char* start = fmt;
            while (*fmt && *fmt != '%') fmt++;
            out.put(start, size_t(fmt - start));
            continue;
        }
        fmt++;
        Spec spec;
        for (;; fmt++) {
            if (*fmt == '-')
                spec.left = true;
            else if (*fmt == '0')
                spec.zero = true;
            else if (*fmt == '#')
                spec.alt = true;
            else if (*fmt == '+')
                spec.plus = true;
            else if (*fmt == ' ')
                spec.space = true;
            else
                break;
        }
        if (*fmt == '*') {
            spec.width = va_arg(ap, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') spec.width = spec.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            spec.precision = 0;
            if (*fmt == '*') {
                spec.precision = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9') spec.precision = spec.precision * 10 + (*fmt++ - '0');
            }
        }
        int len = 0;  // 0 int, 1 long, 2 long long, -1 short, -2 char
        for (;; fmt++) {
            if (*fmt == 'l')
                len = len >= 1 ? 2 : 1;
            else if (*fmt == 'h')
                len = len <= -1 ? -2 : -1;
            else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
                len = 2;
            else
                break;
        }
        char conv = *fmt;
        if (conv == '\0') break;
        fmt++;
        switch (conv) {
            case 'd':
            case 'i': {
                int64_t v = len >= 1 ? (len == 2 ? int64_t(va_arg(ap, long long)) : int64_t(va_arg(ap, long)))
                                     : int64_t(va_arg(ap, int));
                if (len == -1) v = int16_t(v);
                if (len == -2) v = int8_t(v);
                uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
                emit_number(out, mag, v < 0, 10, false, spec);
                break;
            }
            case 'u':
            case 'x':
            case 'X':
            case 'o': {
                uint64_t v = len >= 1 ? (len == 2 ? uint64_t(va_arg(ap, unsigned long long))
                                                  : uint64_t(va_arg(ap, unsigned long)))
                                      : uint64_t(va_arg(ap, unsigned));
                if (len == -1) v = uint16_t(v);
                if (len == -2) v = uint8_t(v);
                unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
                spec.plus = spec.space = false;
                emit_number(out, v, false, base, conv == 'X', spec);
                break;
            }
            case 'p': {
                spec.alt = true;
                emit_number(out, uint64_t(uintptr_t(va_arg(ap, void*))), false, 16, false, spec);
                break;
            }
            case 'c': {
                char c = char(va_arg(ap, int));
                if (!spec.left) out.pad(' ', spec.width - 1);
                out.put(c);
                if (spec.left) out.pad(' ', spec.width - 1);
                break;
            }
            case 's': {
                const char* s = va_arg(ap, const char*);
                if (!s) s = "(null)";
                int n = int(cstr_len(s, spec.precision));
                int padn = spec.width > n ? spec.width - n : 0;
                if (!spec.left) out.pad(' ', padn);
                out.put(s, size_t(n));
                if (spec.left) out.pad(' ', padn);
                break;
            }
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
