// A property of a device tree node: a name and a byte string, with typed
// readers for the encodings the spec defines (spec 2.2.4): <u32>, <u64>,
// <string>, <stringlist>. Pointers point into the blob.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "fdt/layout.h"

namespace fdt {

// The strings of a <stringlist> value, each NUL-terminated, back to back.
class StringList {
public:
    class Iterator {
    public:
        constexpr Iterator(const char* p, const char* end) : p_(p), end_(end) {}
        const char* operator*() const { return p_; }
        Iterator& operator++() {
            p_ += bounded_strlen(p_, size_t(end_ - p_)) + 1;
            return *this;
        }
        bool operator!=(const Iterator& o) const { return p_ != o.p_; }

    private:
        const char* p_;
        const char* end_;
    };

    constexpr StringList() = default;
    // `data` must end with a NUL (Property::as_string_list() checks it).
    constexpr StringList(const char* data, size_t size) : data_(data), size_(size) {}

    Iterator begin() const { return Iterator(data_, data_ + size_); }
    Iterator end() const { return Iterator(data_ + size_, data_ + size_); }
    size_t count() const;
    bool contains(const char* s) const;

private:
    const char* data_ = nullptr;
    size_t size_ = 0;
};

class Property {
public:
    constexpr Property() = default;
    constexpr Property(const char* name, const uint8_t* data, uint32_t size, uint32_t offset)
        : name_(name), data_(data), size_(size), offset_(offset) {}

    const char* name() const { return name_; }
    const uint8_t* data() const { return data_; }
    uint32_t size() const { return size_; }
    // Offset of the property's token in the blob, for diagnostics.
    uint32_t offset() const { return offset_; }
    uint32_t nr_cells() const { return size_ / CELL_SIZE; }

    // Errors: Malformed unless the value is exactly one cell.
    Result<uint32_t> as_u32() const;
    // One or two cells, as dtc and firmware write 32- or 64-bit numbers
    // (e.g. linux,initrd-start). Errors: Malformed for any other size.
    Result<uint64_t> as_u64() const;
    // Errors: Malformed unless the value is non-empty and NUL-terminated.
    Result<const char*> as_string() const;
    Result<StringList> as_string_list() const;
    // Cell i of the value. Errors: OutOfRange when i >= nr_cells().
    Result<uint32_t> cell(size_t i) const;

private:
    const char* name_ = "";
    const uint8_t* data_ = nullptr;
    uint32_t size_ = 0;
    uint32_t offset_ = ~0u;
};

}  // namespace fdt
