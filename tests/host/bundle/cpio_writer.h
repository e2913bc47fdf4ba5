// Builds cpio "newc" archives byte by byte for the bundle parser tests,
// with hooks to damage any field: the magic, a header digit, the sizes,
// the terminating NUL of a name, the padding.
//
// Layout of one entry (as `cpio -o -H newc` writes it): a 110-byte header
// ("070701" and 13 fields of 8 hex digits: ino, mode, uid, gid, nlink,
// mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize,
// check), the name with its NUL, padding to a multiple of 4, the data,
// padding to a multiple of 4.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <string>

namespace bundle_test {

inline constexpr uint32_t MODE_FILE = 0100644;
inline constexpr uint32_t MODE_DIR = 0040755;
inline constexpr uint32_t MODE_SYMLINK = 0120777;
inline constexpr uint32_t MODE_FIFO = 0010644;
inline constexpr uint32_t MODE_CHARDEV = 0020644;
inline constexpr size_t HEADER_SIZE = 110;

// Indexes of the header fields, for Entry::field overrides.
enum Field : unsigned {
    INO,
    MODE,
    UID,
    GID,
    NLINK,
    MTIME,
    FILESIZE,
    DEVMAJOR,
    DEVMINOR,
    RDEVMAJOR,
    RDEVMINOR,
    NAMESIZE,
    CHECK
};

struct Entry {
    std::string name;
    std::string data;
    uint32_t mode = MODE_FILE;
    std::string magic = "070701";
    // Overrides of header fields (namesize and filesize default to the
    // real lengths); UINT64_MAX means "not overridden".
    uint64_t namesize = UINT64_MAX;
    uint64_t filesize = UINT64_MAX;
    bool terminate_name = true;  // false: the byte after the name is 'X', not NUL
};

class CpioWriter {
public:
    // Appends one entry and returns the offset of its header.
    size_t add(const Entry& e) {
        size_t at = out_.size();
        out_ += e.magic;
        uint32_t namesize = uint32_t(e.name.size() + 1);
        uint32_t fields[13] = {uint32_t(++ino_), e.mode, 0, 0, 1, 0, uint32_t(e.data.size()), 0, 0, 0, 0,
                               namesize,         0};
        if (e.namesize != UINT64_MAX) fields[NAMESIZE] = uint32_t(e.namesize);
        if (e.filesize != UINT64_MAX) fields[FILESIZE] = uint32_t(e.filesize);
        for (uint32_t f : fields) {
            char hex[9];
            snprintf(hex, sizeof hex, "%08X", f);
            out_.append(hex, 8);
        }
        out_ += e.name;
        out_ += e.terminate_name ? '\0' : 'X';
        pad();
        out_ += e.data;
        pad();
        return at;
    }

    size_t file(const std::string& name, const std::string& data, uint32_t mode = MODE_FILE) {
        Entry e;
        e.name = name;
        e.data = data;
        e.mode = mode;
        return add(e);
    }

    size_t trailer() { return file("TRAILER!!!", "", 0); }

    // Raw bytes, e.g. a truncated header.
    void raw(const std::string& bytes) { out_ += bytes; }

    std::string& bytes() { return out_; }

private:
    void pad() {
        while (out_.size() % 4) out_ += '\0';
    }
    std::string out_;
    unsigned ino_ = 0;
};

// The offset of header field `f` inside an entry whose header is at `at`.
inline size_t field_offset(size_t at, Field f) { return at + 6 + 8 * size_t(f); }

}  // namespace bundle_test
