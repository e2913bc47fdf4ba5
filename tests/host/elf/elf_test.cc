// The ELF64 loader's checks (libs/elf): a good executable is parsed into
// its entry point and loadable segments, and each malformed header,
// program header or segment is refused with its error and reason. The
// images are built here, field by field.
#include "elf/elf.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

// abi::Rights (libs/abi/cap.h), which this test cannot include: GoogleTest
// brings in <cxxabi.h>, whose namespace alias `abi` takes the name.
constexpr uint8_t RIGHT_READ = 1, RIGHT_WRITE = 2, RIGHT_EXEC = 4;

constexpr uint64_t LO = 0x10000, HI = 0x3000000000;  // the pager's bounds for a program image
constexpr uint32_t PT_LOAD = 1, PT_NOTE = 4;
constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
constexpr size_t EHDR = 64, PHDR = 56;

struct Phdr {
    uint32_t type = PT_LOAD;
    uint32_t flags = PF_R;
    uint64_t offset = 0;
    uint64_t vaddr = LO;
    uint64_t filesz = 0;
    uint64_t memsz = 0x1000;
};

// An executable's bytes: the ELF header, then the program headers, then
// `payload` bytes of zeros for the segments to point into.
struct Image {
    uint64_t entry = LO;
    std::vector<Phdr> phdrs;
    size_t payload = 0x100;

    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> b(EHDR + phdrs.size() * PHDR + payload);
        const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* little-endian */,
                                 1 /* EV_CURRENT */};
        for (size_t i = 0; i < sizeof ident; i++) b[i] = ident[i];
        put(b, 16, 2, 2);    // e_type: ET_EXEC
        put(b, 18, 2, 243);  // e_machine: EM_RISCV
        put(b, 20, 4, 1);    // e_version
        put(b, 24, 8, entry);
        put(b, 32, 8, EHDR);  // e_phoff
        put(b, 52, 2, EHDR);  // e_ehsize
        put(b, 54, 2, PHDR);  // e_phentsize
        put(b, 56, 2, phdrs.size());
        for (size_t i = 0; i < phdrs.size(); i++) {
            const Phdr& p = phdrs[i];
            const size_t at = EHDR + i * PHDR;
            put(b, at + 0, 4, p.type);
            put(b, at + 4, 4, p.flags);
            put(b, at + 8, 8, p.offset);
            put(b, at + 16, 8, p.vaddr);
            put(b, at + 24, 8, p.vaddr);  // p_paddr
            put(b, at + 32, 8, p.filesz);
            put(b, at + 40, 8, p.memsz);
            put(b, at + 48, 8, 0x1000);  // p_align
        }
        return b;
    }

    static void put(std::vector<uint8_t>& b, size_t at, unsigned n, uint64_t v) {
        for (unsigned i = 0; i < n; i++) b[at + i] = uint8_t(v >> (8 * i));
    }
};

// One read-execute segment holding the entry point.
Image minimal() {
    Image img;
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_X, EHDR + PHDR, LO, 0x40, 0x1000});
    return img;
}

struct Parsed {
    Error error;
    std::string why;
    elf::Image out;
};

Parsed parse(const std::vector<uint8_t>& b, uint64_t lo = LO, uint64_t hi = HI) {
    Parsed p{};
    const char* why = nullptr;
    p.error = elf::parse(b.data(), b.size(), lo, hi, p.out, &why).error();
    p.why = why ? why : "";
    EXPECT_EQ(p.error == Error::None, why == nullptr) << "a reason exactly when refused";
    return p;
}
Parsed parse(const Image& img) { return parse(img.bytes()); }

// The error and reason an image is refused with.
::testing::AssertionResult refused(const Parsed& p, Error e, const std::string& why) {
    if (p.error == e && p.why == why) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "got " << error_name(p.error) << " (" << p.why << "), expected "
                                         << error_name(e) << " (" << why << ")";
}

TEST(ElfParse, MinimalExecutable) {
    Parsed p = parse(minimal());
    ASSERT_EQ(p.error, Error::None) << p.why;
    EXPECT_EQ(p.out.entry, LO);
    ASSERT_EQ(p.out.nr_segments, 1u);
    const elf::Segment& s = p.out.segments[0];
    EXPECT_EQ(s.vaddr, LO);
    EXPECT_EQ(s.memsz, 0x1000u);
    EXPECT_EQ(s.filesz, 0x40u);
    EXPECT_EQ(s.offset, EHDR + PHDR);
    EXPECT_EQ(s.rights, RIGHT_READ | RIGHT_EXEC);
}

TEST(ElfParse, RightsFollowTheSegmentFlags) {
    Image img = minimal();
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_W, 0, LO + 0x1000, 0, 0x1000});
    img.phdrs.push_back(Phdr{PT_LOAD, PF_W, 0, LO + 0x2000, 0, 0x1000});
    img.phdrs.push_back(Phdr{PT_LOAD, 0, 0, LO + 0x3000, 0, 0x1000});
    img.phdrs.push_back(Phdr{PT_LOAD, PF_X, 0, LO + 0x4000, 0, 0x1000});
    Parsed p = parse(img);
    ASSERT_EQ(p.error, Error::None) << p.why;
    ASSERT_EQ(p.out.nr_segments, 5u);
    EXPECT_EQ(p.out.segments[1].rights, RIGHT_READ | RIGHT_WRITE);
    EXPECT_EQ(p.out.segments[2].rights, RIGHT_READ | RIGHT_WRITE);  // writable implies readable
    EXPECT_EQ(p.out.segments[3].rights, RIGHT_READ);                // no flags: readable
    EXPECT_EQ(p.out.segments[4].rights, RIGHT_EXEC);                // execute-only stays so
}

TEST(ElfParse, OtherProgramHeadersAndEmptySegmentsAreSkipped) {
    Image img = minimal();
    img.phdrs.insert(img.phdrs.begin(), Phdr{PT_NOTE, PF_R, 0, 0, 0, 0x10});
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_W, ~uint64_t(0), 1, ~uint64_t(0), 0});  // memsz 0
    Parsed p = parse(img);
    ASSERT_EQ(p.error, Error::None) << p.why;
    ASSERT_EQ(p.out.nr_segments, 1u);
    EXPECT_EQ(p.out.segments[0].vaddr, LO);
}

TEST(ElfParse, SixteenSegmentsAndNoMore) {
    Image img = minimal();
    for (uint64_t i = 1; i < elf::MAX_SEGMENTS; i++)
        img.phdrs.push_back(Phdr{PT_LOAD, PF_R, 0, LO + i * 0x1000, 0, 0x1000});
    EXPECT_EQ(parse(img).error, Error::None);
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R, 0, LO + elf::MAX_SEGMENTS * 0x1000, 0, 0x1000});
    EXPECT_TRUE(refused(parse(img), Error::Unsupported, "too many loadable segments"));
}

TEST(ElfParse, NoReasonPointerIsAllowed) {
    std::vector<uint8_t> b = minimal().bytes();
    elf::Image out;
    EXPECT_TRUE(elf::parse(b.data(), b.size(), LO, HI, out, nullptr).ok());
    b[0] = 0;
    EXPECT_EQ(elf::parse(b.data(), b.size(), LO, HI, out, nullptr).error(), Error::Malformed);
}

// ---- the ELF header -------------------------------------------------------

TEST(ElfHeader, ShorterThanAHeader) {
    std::vector<uint8_t> b = minimal().bytes();
    b.resize(EHDR - 1);
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "shorter than an ELF header"));
    EXPECT_TRUE(refused(parse(std::vector<uint8_t>{}), Error::Malformed, "shorter than an ELF header"));
}

TEST(ElfHeader, BadMagic) {
    for (size_t i = 0; i < 4; i++) {
        std::vector<uint8_t> b = minimal().bytes();
        b[i] ^= 0x20;
        EXPECT_TRUE(refused(parse(b), Error::Malformed, "bad magic")) << "byte " << i;
    }
}

TEST(ElfHeader, WrongClassDataOrVersion) {
    std::vector<uint8_t> b = minimal().bytes();
    b[4] = 1;  // ELFCLASS32
    EXPECT_TRUE(refused(parse(b), Error::Unsupported, "not ELFCLASS64"));
    b = minimal().bytes();
    b[5] = 2;  // big-endian
    EXPECT_TRUE(refused(parse(b), Error::Unsupported, "not little-endian"));
    b = minimal().bytes();
    b[6] = 0;
    EXPECT_TRUE(refused(parse(b), Error::Unsupported, "unknown ELF version"));
}

TEST(ElfHeader, WrongType) {
    for (uint64_t type : {0u, 1u /* ET_REL */, 3u /* ET_DYN */, 4u /* ET_CORE */, 0x202u}) {
        std::vector<uint8_t> b = minimal().bytes();
        Image::put(b, 16, 2, type);
        EXPECT_TRUE(refused(parse(b), Error::Unsupported, "not an executable (ET_EXEC)")) << "type " << type;
    }
}

TEST(ElfHeader, WrongMachine) {
    for (uint64_t machine : {0u, 62u /* x86-64 */, 183u /* AArch64 */, 243u + 256u}) {
        std::vector<uint8_t> b = minimal().bytes();
        Image::put(b, 18, 2, machine);
        EXPECT_TRUE(refused(parse(b), Error::Unsupported, "not a RISC-V binary")) << "machine " << machine;
    }
}

TEST(ElfHeader, UnexpectedProgramHeaderSize) {
    std::vector<uint8_t> b = minimal().bytes();
    Image::put(b, 54, 2, PHDR - 1);
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "unexpected program header size"));
    Image::put(b, 54, 2, 64);
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "unexpected program header size"));
}

// ---- program headers out of bounds ----------------------------------------

TEST(ElfProgramHeaders, PastTheEndOfTheFile) {
    Image img = minimal();
    img.payload = 0;
    std::vector<uint8_t> b = img.bytes();
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "segment bytes past the end of the file"));
    b.resize(EHDR + PHDR - 1);  // the program header is cut short
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "program headers past the end of the file"));
}

TEST(ElfProgramHeaders, CountBeyondTheFile) {
    std::vector<uint8_t> b = minimal().bytes();
    Image::put(b, 56, 2, 0xffff);
    EXPECT_TRUE(refused(parse(b), Error::Malformed, "program headers past the end of the file"));
}

TEST(ElfProgramHeaders, OffsetBeyondTheFile) {
    for (uint64_t phoff : {uint64_t(1) << 20, ~uint64_t(0), ~uint64_t(0) - PHDR + 1, uint64_t(1) << 63}) {
        std::vector<uint8_t> b = minimal().bytes();
        Image::put(b, 32, 8, phoff);
        EXPECT_TRUE(refused(parse(b), Error::Malformed, "program headers past the end of the file"))
            << "phoff " << phoff;
    }
}

TEST(ElfProgramHeaders, LastHeaderEndingExactlyAtTheEndIsFine) {
    Image img = minimal();
    img.phdrs[0].offset = 0;
    img.phdrs[0].filesz = EHDR + PHDR;
    img.payload = 0;
    EXPECT_EQ(parse(img).error, Error::None);
}

// ---- segments -------------------------------------------------------------

TEST(ElfSegments, FileSizeAboveMemorySize) {
    Image img = minimal();
    img.phdrs[0].filesz = img.phdrs[0].memsz + 1;
    img.payload = 0x2000;
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segment file size exceeds its memory size"));
}

TEST(ElfSegments, FileBytesPastTheEnd) {
    Image img = minimal();
    const size_t size = img.bytes().size();
    img.phdrs[0].offset = size - 0x10;
    img.phdrs[0].filesz = 0x11;
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segment bytes past the end of the file"));
    img.phdrs[0].filesz = 0x10;  // up to the last byte exactly
    EXPECT_EQ(parse(img).error, Error::None);
    img.phdrs[0].offset = size + 1;
    img.phdrs[0].filesz = 0;
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segment bytes past the end of the file"));
}

TEST(ElfSegments, OffsetPlusFileSizeWrappingAround) {
    Image img = minimal();
    img.phdrs[0].offset = 0x10;
    img.phdrs[0].filesz = ~uint64_t(0) - 0x8;  // offset + filesz wraps to a small number
    img.phdrs[0].memsz = ~uint64_t(0);
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segment bytes past the end of the file"));
}

TEST(ElfSegments, NotPageAligned) {
    for (uint64_t off : {1u, 8u, 0x800u, 0xfffu}) {
        Image img = minimal();
        img.phdrs[0].vaddr = LO + off;
        img.entry = LO + off;
        EXPECT_TRUE(refused(parse(img), Error::Malformed, "segment not page aligned")) << "offset " << off;
    }
}

TEST(ElfSegments, OutsideTheAllowedRange) {
    const char* why = "segment outside the allowed address range";
    Image img = minimal();
    img.phdrs[0].vaddr = img.entry = LO - 0x1000;  // below
    EXPECT_TRUE(refused(parse(img), Error::OutOfRange, why));
    img.phdrs[0].vaddr = img.entry = HI;  // at the end
    EXPECT_TRUE(refused(parse(img), Error::OutOfRange, why));
    img.phdrs[0].vaddr = img.entry = HI - 0x1000;  // running past it
    img.phdrs[0].memsz = 0x1001;
    EXPECT_TRUE(refused(parse(img), Error::OutOfRange, why));
    img.phdrs[0].memsz = 0x1000;  // ending exactly there
    EXPECT_EQ(parse(img).error, Error::None);
}

TEST(ElfSegments, AddressPlusSizeWrappingAround) {
    Image img = minimal();
    img.phdrs[0].memsz = ~uint64_t(0) - LO + 0x1001;  // vaddr + memsz wraps to 0x1000
    EXPECT_TRUE(refused(parse(img), Error::OutOfRange, "segment outside the allowed address range"));
    img.phdrs[0].vaddr = 0xfffffffffffff000;  // near the top, beyond every bound
    img.phdrs[0].memsz = 0x2000;
    EXPECT_TRUE(refused(parse(img), Error::OutOfRange, "segment outside the allowed address range"));
}

TEST(ElfSegments, WritableAndExecutable) {
    Image img = minimal();
    img.phdrs[0].flags = PF_R | PF_W | PF_X;
    EXPECT_TRUE(refused(parse(img), Error::Unsupported, "segment writable and executable"));
}

TEST(ElfSegments, Overlapping) {
    Image img = minimal();
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_W, 0, LO, 0, 0x1000});  // the same page
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segments overlap"));
    img.phdrs[1].vaddr = LO + 0x1000;  // the next page: fine
    EXPECT_EQ(parse(img).error, Error::None);
    img.phdrs[0].memsz = 0x1001;  // the first now ends inside that page
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segments overlap"));
}

TEST(ElfSegments, SharingAPageWithALaterSegmentBelowIt) {
    Image img = minimal();
    img.phdrs[0].vaddr = img.entry = LO + 0x1000;
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_W, 0, LO, 0, 0x1800});  // reaches into the first's page
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "segments overlap"));
}

TEST(ElfSegments, NoLoadableSegment) {
    Image img;
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "no loadable segment"));
    img.phdrs.push_back(Phdr{PT_NOTE, PF_R, 0, 0, 0, 0x10});
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_X, 0, LO, 0, 0});  // empty
    EXPECT_TRUE(refused(parse(img), Error::Malformed, "no loadable segment"));
}

// ---- the entry point ------------------------------------------------------

TEST(ElfEntry, OutsideEveryExecutableSegment) {
    const char* why = "entry point outside every executable segment";
    Image img = minimal();
    img.entry = LO + 0x1000;  // just past the segment
    EXPECT_TRUE(refused(parse(img), Error::Malformed, why));
    img.entry = LO + 0xfff;  // its last byte
    EXPECT_EQ(parse(img).error, Error::None);
    img.entry = 0;
    EXPECT_TRUE(refused(parse(img), Error::Malformed, why));
    img.entry = LO + 0x1000;  // inside a segment, but not an executable one
    img.phdrs.push_back(Phdr{PT_LOAD, PF_R | PF_W, 0, LO + 0x1000, 0, 0x1000});
    EXPECT_TRUE(refused(parse(img), Error::Malformed, why));
}

}  // namespace
