#include "elf/elf.h"

#include "abi/cap.h"
#include "base/addr.h"

namespace elf {

namespace {

// Read little-endian fields byte by byte: the blob may be unaligned.
uint64_t rd(const uint8_t* p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) v |= uint64_t(p[i]) << (8 * i);
    return v;
}

constexpr uint32_t PT_LOAD = 1;
constexpr uint16_t ET_EXEC = 2;
constexpr uint16_t EM_RISCV = 243;
constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
constexpr size_t EHDR_SIZE = 64, PHDR_SIZE = 56;

Error fail(const char** why, Error e, const char* what) {
    *why = what;
    return e;
}

// The ELF header: a little-endian ELF64 RISC-V executable.
Status check_header(const uint8_t* b, size_t size, const char** why) {
    if (size < EHDR_SIZE) return fail(why, Error::Malformed, "shorter than an ELF header");
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return fail(why, Error::Malformed, "bad magic");
    if (b[4] != 2) return fail(why, Error::Unsupported, "not ELFCLASS64");
    if (b[5] != 1) return fail(why, Error::Unsupported, "not little-endian");
    if (b[6] != 1) return fail(why, Error::Unsupported, "unknown ELF version");
    if (rd(b + 16, 2) != ET_EXEC) return fail(why, Error::Unsupported, "not an executable (ET_EXEC)");
    if (rd(b + 18, 2) != EM_RISCV) return fail(why, Error::Unsupported, "not a RISC-V binary");
    return {};
}

// One PT_LOAD segment on its own: inside the file, page aligned, inside
// [lo, hi), never writable and executable at once.
Status check_segment(const Segment& s, uint32_t flags, size_t size, uint64_t lo, uint64_t hi,
                     const char** why) {
    if (s.filesz > s.memsz) return fail(why, Error::Malformed, "segment file size exceeds its memory size");
    if (s.offset > size || s.filesz > size - s.offset)
        return fail(why, Error::Malformed, "segment bytes past the end of the file");
    if (!is_aligned(s.vaddr, PAGE_SIZE)) return fail(why, Error::Malformed, "segment not page aligned");
    if (s.vaddr < lo || s.vaddr >= hi || s.memsz > hi - s.vaddr)
        return fail(why, Error::OutOfRange, "segment outside the allowed address range");
    if ((flags & PF_W) && (flags & PF_X))
        return fail(why, Error::Unsupported, "segment writable and executable");
    return {};
}

// Capability rights for p_flags; writable or no-access segments are readable.
uint8_t segment_rights(uint32_t flags) {
    auto rights = uint8_t(((flags & PF_R) ? abi::RIGHT_READ : 0) | ((flags & PF_W) ? abi::RIGHT_WRITE : 0) |
                          ((flags & PF_X) ? abi::RIGHT_EXEC : 0));
    if ((rights & abi::RIGHT_WRITE) || rights == 0) rights |= abi::RIGHT_READ;
    return rights;
}

// Whether `s` shares a page with a segment already in `img`.
bool overlaps_any(const Image& img, const Segment& s) {
    uint64_t a0 = s.vaddr, a1 = align_up(s.vaddr + s.memsz, PAGE_SIZE);
    for (size_t k = 0; k < img.nr_segments; k++) {
        const Segment& o = img.segments[k];
        uint64_t b0 = o.vaddr, b1 = align_up(o.vaddr + o.memsz, PAGE_SIZE);
        if (a0 < b1 && b0 < a1) return true;
    }
    return false;
}

bool entry_in_exec_segment(const Image& img, uint64_t entry) {
    for (size_t k = 0; k < img.nr_segments; k++) {
        const Segment& s = img.segments[k];
        if ((s.rights & abi::RIGHT_EXEC) && entry >= s.vaddr && entry < s.vaddr + s.memsz) return true;
    }
    return false;
}

// The program header at `ph`, if it is a PT_LOAD with memory, into `out`.
Status add_segment(const uint8_t* ph, size_t size, uint64_t lo, uint64_t hi, Image& out, const char** why) {
    if (rd(ph, 4) != PT_LOAD) return {};
    auto flags = uint32_t(rd(ph + 4, 4));
    Segment s{rd(ph + 16, 8), rd(ph + 40, 8), rd(ph + 32, 8), rd(ph + 8, 8), 0};
    if (s.memsz == 0) return {};
    if (out.nr_segments == MAX_SEGMENTS) return fail(why, Error::Unsupported, "too many loadable segments");
    if (Status st = check_segment(s, flags, size, lo, hi, why); !st.ok()) return st;
    s.rights = segment_rights(flags);
    if (overlaps_any(out, s)) return fail(why, Error::Malformed, "segments overlap");
    out.segments[out.nr_segments++] = s;
    return {};
}

}  // namespace

Status parse(const void* data, size_t size, uint64_t lo, uint64_t hi, Image& out, const char** why) {
    const auto* b = static_cast<const uint8_t*>(data);
    const char* unused;
    if (!why) why = &unused;
    *why = nullptr;
    if (Status st = check_header(b, size, why); !st.ok()) return st;
    uint64_t entry = rd(b + 24, 8), phoff = rd(b + 32, 8);
    uint64_t phentsize = rd(b + 54, 2), phnum = rd(b + 56, 2);
    if (phentsize != PHDR_SIZE) return fail(why, Error::Malformed, "unexpected program header size");
    if (phoff > size || phnum > (size - phoff) / PHDR_SIZE)
        return fail(why, Error::Malformed, "program headers past the end of the file");
    out.entry = entry;
    out.nr_segments = 0;
    for (uint64_t i = 0; i < phnum; i++)
        if (Status st = add_segment(b + phoff + i * PHDR_SIZE, size, lo, hi, out, why); !st.ok()) return st;
    if (out.nr_segments == 0) return fail(why, Error::Malformed, "no loadable segment");
    if (entry_in_exec_segment(out, entry)) return {};
    return fail(why, Error::Malformed, "entry point outside every executable segment");
}

}  // namespace elf
