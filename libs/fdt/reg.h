// Address/size pairs of a 'reg'-style property (spec 2.3.6): each entry is
// #address-cells cells of address followed by #size-cells cells of size,
// both taken from the parent node (spec 2.3.5).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "fdt/property.h"

namespace fdt {

// The cell counts a node declares for its children's 'reg'. Absent
// properties default to 2 and 1 (spec 2.3.5).
struct CellFormat {
    uint32_t address_cells = 2;
    uint32_t size_cells = 1;
    constexpr uint32_t entry_bytes() const { return (address_cells + size_cells) * CELL_SIZE; }
};

struct RegEntry {
    uint64_t address;
    uint64_t size;
};

// Reads `cells` (0, 1 or 2) big-endian cells as one number.
constexpr uint64_t read_cells(const uint8_t* p, uint32_t cells) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++) v = (v << 32) | load_be32(p + i * CELL_SIZE);
    return v;
}

class RegList {
public:
    class Iterator {
    public:
        constexpr Iterator(const RegList* list, size_t i) : list_(list), i_(i) {}
        RegEntry operator*() const { return (*list_)[i_]; }
        Iterator& operator++() {
            i_++;
            return *this;
        }
        bool operator!=(const Iterator& o) const { return i_ != o.i_; }

    private:
        const RegList* list_;
        size_t i_;
    };

    constexpr RegList() = default;

    // Decodes `prop` with `format`. Errors:
    //   Unsupported  address cells not 1 or 2, or size cells above 2
    //                (the values would not fit 64 bits)
    //   Malformed    the value is empty or not a whole number of entries
    static Result<RegList> decode(const Property& prop, CellFormat format);

    size_t size() const { return count_; }
    // Entry i; the caller keeps i < size().
    RegEntry operator[](size_t i) const;
    Iterator begin() const { return Iterator(this, 0); }
    Iterator end() const { return Iterator(this, count_); }
    const Property& property() const { return prop_; }

private:
    Property prop_;
    CellFormat format_;
    size_t count_ = 0;
};

}  // namespace fdt
