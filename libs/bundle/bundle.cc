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
        const uint8_t* h = base_ + pos_;
        if (h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' ||
            (h[5] != '1' && h[5] != '2'))
            return fail(Error::Malformed, "not a newc cpio header");
        uint32_t f[13];
        for (int i = 0; i < 13; i++)
            if (!hex8(h + 6 + 8 * i, f[i])) return fail(Error::Malformed, "bad hex digit in cpio header");
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

Result<bool> Manifest::next(RunEntry& out) {
    while (pos_ < len_) {
        size_t start = pos_;
        while (pos_ < len_ && text_[pos_] != '\n') pos_++;
        size_t end = pos_;
        if (pos_ < len_) pos_++;
        line_++;
        // Split into words.
        const char* words[2 + MAX_ARGS + 1];
        size_t lens[2 + MAX_ARGS + 1];
        size_t n = 0;
        for (size_t i = start; i < end;) {
            while (i < end && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\r')) i++;
            if (i >= end || text_[i] == '#') break;
            size_t w = i;
            while (i < end && text_[i] != ' ' && text_[i] != '\t' && text_[i] != '\r') {
                if (text_[i] == '\0') {
                    why_ = "NUL byte in the manifest";
                    return Error::InvalidArgument;
                }
                i++;
            }
            if (n == sizeof words / sizeof words[0]) {
                why_ = "too many arguments";
                return Error::OutOfRange;
            }
            words[n] = text_ + w;
            lens[n++] = i - w;
        }
        if (n == 0) continue;
        if (lens[0] != 3 || words[0][0] != 'r' || words[0][1] != 'u' || words[0][2] != 'n') {
            why_ = "unknown directive (expected `run`)";
            return Error::InvalidArgument;
        }
        if (n < 2) {
            why_ = "`run` without a program name";
            return Error::InvalidArgument;
        }
        if (lens[1] > MAX_NAME) {
            why_ = "program name too long";
            return Error::OutOfRange;
        }
        out = RunEntry{};
        for (size_t i = 0; i < lens[1]; i++) out.name[i] = words[1][i];
        size_t used = 0;
        for (size_t k = 2; k < n; k++) {
            const char* w = words[k];
            if (lens[k] >= 6 && w[0] == 'q' && w[1] == 'u' && w[2] == 'o' && w[3] == 't' && w[4] == 'a' &&
                w[5] == '=') {
                if (lens[k] == 6) {
                    why_ = "quota must be a number of pages";
                    return Error::InvalidArgument;
                }
                uint64_t v = 0;
                for (size_t i = 6; i < lens[k]; i++) {
                    if (w[i] < '0' || w[i] > '9' || v > (uint64_t(1) << 40)) {
                        why_ = "quota must be a number of pages";
                        return Error::InvalidArgument;
                    }
                    v = v * 10 + uint64_t(w[i] - '0');
                }
                out.quota_pages = v;
                continue;
            }
            if (out.nr_args == MAX_ARGS || used + lens[k] + 1 > sizeof out.storage) {
                why_ = "arguments too long";
                return Error::OutOfRange;
            }
            out.arg_offset[out.nr_args++] = uint16_t(used);
            for (size_t i = 0; i < lens[k]; i++) out.storage[used++] = w[i];
            out.storage[used++] = '\0';
        }
        return true;
    }
    return false;
}

}  // namespace bundle
