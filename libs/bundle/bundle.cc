#include "bundle/bundle.h"

namespace bundle {

namespace {

constexpr size_t HEADER = 110;  // "070701" + 13 fields of 8 hex digits

bool hex8(const uint8_t* p, uint32_t& out) {
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = (v << 4) | d;
    }
    out = v;
    return true;
}

size_t pad4(size_t v) { return (v + 3) & ~size_t(3); }

// The 13 fields of the newc header at `h` (HEADER bytes readable), or
// why it is not one.
const char* parse_header(const uint8_t* h, uint32_t (&f)[13]) {
    if (h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' ||
        (h[5] != '1' && h[5] != '2'))
        return "not a newc cpio header";
    for (size_t i = 0; i < 13; i++)
        if (!hex8(h + 6 + 8 * i, f[i])) return "bad hex digit in cpio header";
    return nullptr;
}

bool name_is(const File& f, const char* name) {
    size_t i = 0;
    for (; i < f.name_len; i++)
        if (name[i] != f.name[i]) return false;
    return name[i] == '\0';
}

}  // namespace

bool Archive::fail(Error e, const char* why) {
    error_ = e;
    why_ = why;
    pos_ = size_;
    return false;
}

bool Archive::next(File& out) {
    while (pos_ < size_) {
        if (size_ - pos_ < HEADER) return fail(Error::Malformed, "truncated cpio header");
        uint32_t f[13];
        if (const char* bad = parse_header(base_ + pos_, f)) return fail(Error::Malformed, bad);
        uint32_t mode = f[1], filesize = f[6], namesize = f[11];
        if (namesize < 2 || namesize > 4096)
            return fail(Error::Malformed, "bad cpio name size");  // empty, or over 4096
        size_t name_at = pos_ + HEADER;
        if (namesize > size_ - name_at) return fail(Error::Malformed, "cpio name past the end");
        if (base_[name_at + namesize - 1] != '\0') return fail(Error::Malformed, "cpio name not terminated");
        size_t data_at = pad4(name_at + namesize);
        if (data_at > size_ || filesize > size_ - data_at)
            return fail(Error::Malformed, "cpio file data past the end");
        File file{reinterpret_cast<const char*>(base_ + name_at), namesize - 1, base_ + data_at, filesize};
        pos_ = pad4(data_at + filesize);
        if (name_is(file, "TRAILER!!!")) {
            pos_ = size_;
            return false;
        }
        if ((mode & 0170000) != 0100000) continue;  // only regular files
        // "./name" and "name" are the same file.
        if (file.name_len > 2 && file.name[0] == '.' && file.name[1] == '/') {
            file.name += 2;
            file.name_len -= 2;
        }
        out = file;
        return true;
    }
    return false;
}

Result<File> Archive::find(const char* name, const char** why) const {
    Archive walk(base_, size_);
    File f;
    while (walk.next(f))
        if (name_is(f, name)) return f;
    if (walk.error() != Error::None) {
        if (why) *why = walk.why();
        return walk.error();
    }
    return Error::NotFound;
}

namespace {

// A malformed manifest line: the error and why.
struct Fault {
    Error error = Error::None;
    const char* why = nullptr;
};

// The words of one manifest line: `run`, the program name, its arguments.
struct Words {
    static constexpr size_t MAX = 2 + MAX_ARGS + 1;
    const char* word[MAX];
    size_t len[MAX];
    size_t n = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line (`len` bytes, no newline) into words; '#' starts a comment.
Fault split_words(const char* line, size_t len, Words& out) {
    for (size_t i = 0; i < len;) {
        while (i < len && is_blank(line[i])) i++;
        if (i >= len || line[i] == '#') break;
        size_t w = i;
        for (; i < len && !is_blank(line[i]); i++)
            if (line[i] == '\0') return {Error::InvalidArgument, "NUL byte in the manifest"};
        if (out.n == Words::MAX) return {Error::OutOfRange, "too many arguments"};
        out.word[out.n] = line + w;
        out.len[out.n++] = i - w;
    }
    return {};
}

bool is_quota(const char* w, size_t len) {
    return len >= 6 && w[0] == 'q' && w[1] == 'u' && w[2] == 'o' && w[3] == 't' && w[4] == 'a' && w[5] == '=';
}

// "quota=N": N pages, decimal, at most about 2^40; "quota=P%": P percent
// of the free memory, 1 to 100.
Fault parse_quota(const char* w, size_t len, RunEntry& out) {
    const Fault bad{Error::InvalidArgument, "quota must be a number of pages"};
    const bool percent = len > 6 && w[len - 1] == '%';
    const size_t end = percent ? len - 1 : len;
    if (end == 6) return bad;
    uint64_t v = 0;
    for (size_t i = 6; i < end; i++) {
        if (w[i] < '0' || w[i] > '9' || v > (uint64_t(1) << 40)) return bad;
        v = v * 10 + uint64_t(w[i] - '0');
    }
    if (percent && (v == 0 || v > 100)) return {Error::OutOfRange, "a quota in percent must be 1% to 100%"};
    out.quota_pages = percent ? 0 : v;
    out.quota_percent = percent ? uint8_t(v) : 0;
    return {};
}

bool is_kmem(const char* w, size_t len) {
    return len >= 5 && w[0] == 'k' && w[1] == 'm' && w[2] == 'e' && w[3] == 'm' && w[4] == '=';
}

// "kmem=N": N pages, decimal, 1 to 2^20 (4 GiB).
Fault parse_kmem(const char* w, size_t len, RunEntry& out) {
    const Fault bad{Error::InvalidArgument, "kmem must be a number of pages, 1 to 1048576"};
    if (len == 5) return bad;
    uint64_t v = 0;
    for (size_t i = 5; i < len; i++) {
        if (w[i] < '0' || w[i] > '9' || v > (uint64_t(1) << 20)) return bad;
        v = v * 10 + uint64_t(w[i] - '0');
    }
    if (v == 0 || v > (uint64_t(1) << 20)) return bad;
    out.kmem_pages = v;
    return {};
}

bool is_driver(const char* w, size_t len) {
    return len >= 7 && w[0] == 'd' && w[1] == 'r' && w[2] == 'i' && w[3] == 'v' && w[4] == 'e' &&
           w[5] == 'r' && w[6] == '=';
}

// "driver=virtio-blk", the one kind there is.
Fault parse_driver(const char* w, size_t len, RunEntry& out) {
    constexpr char KIND[] = "virtio-blk";
    constexpr size_t KIND_LEN = sizeof KIND - 1;
    bool same = len == 7 + KIND_LEN;
    for (size_t i = 0; same && i < KIND_LEN; i++) same = w[7 + i] == KIND[i];
    if (!same) return {Error::InvalidArgument, "driver must be virtio-blk"};
    out.driver = DriverKind::VirtioBlk;
    return {};
}

// Appends one argument to out.storage; `used` is the bytes taken so far.
Fault add_arg(RunEntry& out, size_t& used, const char* w, size_t len) {
    if (out.nr_args == MAX_ARGS || used + len + 1 > sizeof out.storage)
        return {Error::OutOfRange, "arguments too long"};
    out.arg_offset[out.nr_args++] = uint16_t(used);
    for (size_t i = 0; i < len; i++) out.storage[used++] = w[i];
    out.storage[used++] = '\0';
    return {};
}

// "run NAME [quota=N | quota=P%] [kmem=N] [driver=KIND] [ARG...]" into `out`.
Fault parse_run(const Words& w, RunEntry& out) {
    if (w.len[0] != 3 || w.word[0][0] != 'r' || w.word[0][1] != 'u' || w.word[0][2] != 'n')
        return {Error::InvalidArgument, "unknown directive (expected `run`)"};
    if (w.n < 2) return {Error::InvalidArgument, "`run` without a program name"};
    if (w.len[1] > MAX_NAME) return {Error::OutOfRange, "program name too long"};
    out = RunEntry{};
    for (size_t i = 0; i < w.len[1]; i++) out.name[i] = w.word[1][i];
    size_t used = 0;
    for (size_t k = 2; k < w.n; k++) {
        Fault f = is_quota(w.word[k], w.len[k])    ? parse_quota(w.word[k], w.len[k], out)
                  : is_kmem(w.word[k], w.len[k])   ? parse_kmem(w.word[k], w.len[k], out)
                  : is_driver(w.word[k], w.len[k]) ? parse_driver(w.word[k], w.len[k], out)
                                                   : add_arg(out, used, w.word[k], w.len[k]);
        if (f.why) return f;
    }
    return {};
}

}  // namespace

Result<bool> Manifest::next(RunEntry& out) {
    while (pos_ < len_) {
        size_t start = pos_;
        while (pos_ < len_ && text_[pos_] != '\n') pos_++;
        size_t end = pos_;
        if (pos_ < len_) pos_++;
        line_++;
        Words words;
        Fault f = split_words(text_ + start, end - start, words);
        if (!f.why && words.n == 0) continue;
        if (!f.why) f = parse_run(words, out);
        if (f.why) {
            why_ = f.why;
            return f.error;
        }
        return true;
    }
    return false;
}

}  // namespace bundle
