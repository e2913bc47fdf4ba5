#include "cmdline/cmdline.h"

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// '-' and '_' compare equal in parameter names (Linux's parameq).
char fold_dash(char c) { return c == '-' ? '_' : c; }

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

// Shift for a memparse suffix, or -1 when `c` is not one.
int suffix_shift(char c) {
    switch (c) {
        case 'K':
        case 'k':
            return 10;
        case 'M':
        case 'm':
            return 20;
        case 'G':
        case 'g':
            return 30;
        case 'T':
        case 't':
            return 40;
        case 'P':
        case 'p':
            return 50;
        case 'E':
        case 'e':
            return 60;
        default:
            return -1;
    }
}

}  // namespace

bool StrView::equals(const char* s) const {
    size_t i = 0;
    for (; i < len; i++)
        if (s[i] == '\0' || s[i] != data[i]) return false;
    return s[i] == '\0';
}

StrView StrView::of(const char* s) {
    if (!s) return {};
    size_t n = 0;
    while (s[n]) n++;
    return {s, n};
}

bool cmdline_key_equals(StrView key, const char* name) {
    size_t i = 0;
    for (; i < key.len; i++)
        if (name[i] == '\0' || fold_dash(name[i]) != fold_dash(key[i])) return false;
    return name[i] == '\0';
}

Cmdline::Cmdline(const char* text, size_t max_len) : text_(text), len_(0) {
    if (!text_) return;
    while (len_ < max_len && text_[len_]) len_++;
    // No NUL within max_len bytes: the byte after is never read.
    truncated_ = len_ == max_len;
}

namespace {

// Where one parameter lies in the text: white space inside quotes does not
// end it; the first '=' (quoted or not) separates key and value.
struct ParamSpan {
    bool quoted = false;    // it starts with '"'
    bool in_quote = false;  // a quote is still open at its end
    bool has_equals = false;
    size_t body = 0;    // first byte after a leading quote
    size_t end = 0;     // one past its last byte
    size_t equals = 0;  // the first '=', when has_equals
};

ParamSpan scan_param(const char* text, size_t pos, size_t len) {
    ParamSpan s;
    s.quoted = text[pos] == '"';
    s.in_quote = s.quoted;
    s.body = s.quoted ? pos + 1 : pos;
    for (s.end = s.body; s.end < len; s.end++) {
        char c = text[s.end];
        if (is_space(c) && !s.in_quote) break;
        if (!s.has_equals && c == '=') {
            s.has_equals = true;
            s.equals = s.end;
        }
        if (c == '"') s.in_quote = !s.in_quote;
    }
    return s;
}

// Key and value of a scanned parameter, without their enclosing quotes.
CmdlineParam split_param(const char* text, const ParamSpan& s) {
    CmdlineParam out;
    out.unterminated = s.in_quote;
    out.has_value = s.has_equals;
    size_t key_end = s.has_equals ? s.equals : s.end;
    if (!s.has_equals && s.quoted && key_end > s.body && text[key_end - 1] == '"') key_end--;
    out.key = {text + s.body, key_end - s.body};
    if (s.has_equals) {
        size_t vstart = s.equals + 1, vend = s.end;
        bool value_quoted = vstart < vend && text[vstart] == '"';
        if (value_quoted) vstart++;
        if ((value_quoted || s.quoted) && vend > vstart && text[vend - 1] == '"') vend--;
        out.value = {text + vstart, vend - vstart};
    }
    return out;
}

}  // namespace

bool Cmdline::next(CmdlineParam& out) {
    if (done_) return false;
    while (pos_ < len_ && is_space(text_[pos_])) pos_++;
    if (pos_ >= len_) {
        done_ = true;
        return false;
    }
    ParamSpan span = scan_param(text_, pos_, len_);
    pos_ = span.end;
    out = split_param(text_, span);
    if (!span.has_equals && out.key.equals("--")) {
        done_ = true;
        return false;
    }
    return true;
}

bool Cmdline::find(const char* key, CmdlineParam& out) const {
    Cmdline walk = *this;
    walk.rewind();
    CmdlineParam p;
    bool found = false;
    while (walk.next(p)) {
        if (cmdline_key_equals(p.key, key)) {
            out = p;
            found = true;
        }
    }
    return found;
}

bool Cmdline::has(const char* key) const {
    CmdlineParam p;
    return find(key, p);
}

Result<ParsedNumber> parse_number_prefix(StrView s) {
    size_t i = 0;
    unsigned base = 10;
    if (s.len >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
        base = 16;
        i = 2;
    } else if (s.len >= 1 && s[0] == '0') {
        base = 8;
    }
    size_t first = i;
    uint64_t v = 0;
    for (; i < s.len; i++) {
        unsigned d = unsigned(digit_value(s[i]));
        if (d >= base) break;
        if (v > (UINT64_MAX - d) / base) return Error::OutOfRange;
        v = v * base + d;
    }
    if (i == first) return Error::InvalidArgument;
    return ParsedNumber{v, i};
}

Result<uint64_t> parse_size(StrView s) {
    ParsedNumber n = TRY(parse_number_prefix(s));
    if (n.used == s.len) return n.value;
    int shift = suffix_shift(s[n.used]);
    if (shift < 0 || n.used + 1 != s.len) return Error::InvalidArgument;
    if (n.value > (UINT64_MAX >> shift)) return Error::OutOfRange;
    return n.value << shift;
}

Result<uint64_t> parse_u64(StrView s) {
    ParsedNumber n = TRY(parse_number_prefix(s));
    if (n.used != s.len) return Error::InvalidArgument;
    return n.value;
}
