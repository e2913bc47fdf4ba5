// The boot bundle: a cpio archive ("newc" format, as `cpio -o -H newc`
// writes it) that QEMU loads as the initrd. It holds ELF programs and a
// text `manifest` saying which to start:
//
//   # comment
//   run NAME [quota=PAGES | quota=PERCENT%] [kmem=PAGES] [ARG...]
//
// A quota in percent (1% to 100%) is that share of the memory free when
// the pager starts, so that one manifest fits every machine size. kmem is
// the kernel memory the task may use besides its page tables (its
// capability space, the objects and tasks it creates), in pages.
//
// Everything here is hostile input: a damaged archive, manifest or entry
// gets an Error and a static reason, never an out-of-bounds read.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace bundle {

struct File {
    const char* name;  // not NUL-terminated: name_len bytes
    size_t name_len;
    const uint8_t* data;
    size_t size;
};

// Walks the files of a newc archive in order, up to the "TRAILER!!!" entry.
class Archive {
public:
    Archive(const void* data, size_t size) : base_(static_cast<const uint8_t*>(data)), size_(size) {}

    // The next regular file (directories and other entries are skipped).
    // false at the trailer or the end; when the archive is damaged, false
    // with error() and why() set.
    bool next(File& out);
    Error error() const { return error_; }
    const char* why() const { return why_; }

    // The file called `name`. Errors: NotFound, or the archive's own
    // (with its reason in *why, when given).
    Result<File> find(const char* name, const char** why = nullptr) const;

private:
    bool fail(Error e, const char* why);
    const uint8_t* base_;
    size_t size_;
    size_t pos_ = 0;
    Error error_ = Error::None;
    const char* why_ = nullptr;
};

inline constexpr size_t MAX_ARGS = 8;
inline constexpr size_t MAX_NAME = 32;

// What kind of driver a run line starts (driver=KIND), if any: the
// pager gives it the device's registers, interrupt line and memory.
enum class DriverKind : uint8_t { None, VirtioBlk };

struct RunEntry {
    char name[MAX_NAME + 1];
    DriverKind driver;              // driver=virtio-blk: a virtio block driver
    uint64_t quota_pages;           // 0: the pager's default
    uint8_t quota_percent;          // 1..100: quota_pages is 0 and this share of free memory counts
    uint64_t kmem_pages;            // 0: the pager's default
    uint16_t arg_offset[MAX_ARGS];  // into `storage` (offsets, so copies stay valid)
    size_t nr_args;
    char storage[256];
    const char* arg(size_t i) const { return storage + arg_offset[i]; }
};

// Walks the `run` lines of a manifest. Malformed lines are reported one
// at a time (error()/why()/line()) and skipped, so the rest still runs.
class Manifest {
public:
    Manifest(const char* text, size_t len) : text_(text), len_(len) {}
    // The next run line: Ok(true) with `out` filled, Ok(false) at the end,
    // or an error for a malformed line (InvalidArgument, OutOfRange), after
    // which the walk goes on with the following line.
    Result<bool> next(RunEntry& out);
    unsigned line() const { return line_; }
    const char* why() const { return why_; }

private:
    const char* text_;
    size_t len_;
    size_t pos_ = 0;
    unsigned line_ = 0;
    const char* why_ = nullptr;
};

}  // namespace bundle
