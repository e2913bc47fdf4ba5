// Typed readers for property values and 'reg' lists.
#include "fdt/property.h"

#include "fdt/reg.h"

namespace fdt {

size_t StringList::count() const {
    size_t n = 0;
    for (const char* s : *this) {
        (void)s;
        n++;
    }
    return n;
}

bool StringList::contains(const char* s) const {
    for (const char* entry : *this)
        if (str_equal(entry, s)) return true;
    return false;
}

Result<uint32_t> Property::as_u32() const {
    if (size_ != CELL_SIZE) return Error::Malformed;
    return load_be32(data_);
}

Result<uint64_t> Property::as_u64() const {
    if (size_ == CELL_SIZE) return uint64_t(load_be32(data_));
    if (size_ == 2 * CELL_SIZE) return load_be64(data_);
    return Error::Malformed;
}

Result<const char*> Property::as_string() const {
    if (size_ == 0 || data_[size_ - 1] != '\0') return Error::Malformed;
    return reinterpret_cast<const char*>(data_);
}

Result<StringList> Property::as_string_list() const {
    const char* s = TRY(as_string());
    return StringList(s, size_);
}

Result<uint32_t> Property::cell(size_t i) const {
    if (i >= nr_cells()) return Error::OutOfRange;
    return load_be32(data_ + i * CELL_SIZE);
}

Result<RegList> RegList::decode(const Property& prop, CellFormat format) {
    if (format.address_cells < 1 || format.address_cells > 2 || format.size_cells > 2)
        return Error::Unsupported;
    uint32_t entry = format.entry_bytes();
    if (prop.size() == 0 || prop.size() % entry != 0) return Error::Malformed;
    RegList list;
    list.prop_ = prop;
    list.format_ = format;
    list.count_ = prop.size() / entry;
    return list;
}

RegEntry RegList::operator[](size_t i) const {
    const uint8_t* p = prop_.data() + i * format_.entry_bytes();
    uint64_t address = read_cells(p, format_.address_cells);
    uint64_t size = read_cells(p + format_.address_cells * CELL_SIZE, format_.size_cells);
    return RegEntry{address, size};
}

}  // namespace fdt
