// parse_machine() on device trees QEMU dumped at build time (see
// CMakeLists.txt), checked against fdtget's reading of the same file and
// against what the QEMU command line asked for; and every truncation and
// word corruption of those real blobs, which must be refused or parsed
// (by parse_machine() and parse_devices()), never crash (the host build
// runs with ASan and UBSan).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fdt/devices.h"
#include "fdt/fdt.h"
#include "fdt/machine.h"
#include "fdt_writer.h"
#include "fdtget_reference.h"
#include "qemu_fixture.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

constexpr uint64_t MiB = uint64_t(1) << 20;
constexpr uint64_t GiB = uint64_t(1) << 30;

struct QemuConfig {
    const char* name;
    std::vector<uint64_t> node_ram;  // RAM per NUMA node (one entry: no NUMA)
    unsigned harts;
    bool distance_map;
    const char* bootargs;  // nullptr: none
    bool initrd;
    size_t memreserve;        // entries in the reservation block
    size_t reserved_regions;  // /reserved-memory children with reg
};

// Keep in step with the fdt_qemu_dump() calls in CMakeLists.txt.
const QemuConfig kConfigs[] = {
    {"m128", {128 * MiB}, 1, false, nullptr, false, 0, 0},
    {"m1g-smp4", {1 * GiB}, 4, false, nullptr, false, 0, 0},
    {"m3g", {3 * GiB}, 1, false, nullptr, false, 0, 0},
    {"m8g-smp2", {8 * GiB}, 2, false, nullptr, false, 0, 0},
    {"numa2", {1 * GiB, 1 * GiB}, 2, true, nullptr, false, 0, 0},
    {"numa3", {512 * MiB, 1 * GiB, 2 * GiB}, 3, false, nullptr, false, 0, 0},
    {"numa4", {1 * GiB, 1 * GiB, 1 * GiB, 1 * GiB}, 8, true, nullptr, false, 0, 0},
    {"chosen", {1 * GiB}, 1, false, "console=ttyS0 kernelcore=512M", true, 0, 0},
    {"resv-m128", {128 * MiB}, 1, false, nullptr, false, 2, 3},
    {"resv-numa2", {1 * GiB, 1 * GiB}, 2, true, nullptr, false, 2, 3},
};

// How a configuration appears in test output and CTest names.
void PrintTo(const QemuConfig& cfg, std::ostream* os) { *os << cfg.name; }

// Visits every node and property the way a consumer would, so that
// sanitizers see every read the accessors make.
size_t walk_everything(const fdt::Blob& blob) {
    size_t work = 0;
    fdt::TreeWalker walker(blob);
    while (walker.next()) {
        const fdt::Node& n = walker.node();
        work += strlen(n.name());
        for (fdt::Property p : n.properties()) {
            work += strlen(p.name());
            for (uint32_t i = 0; i < p.size(); i++) work += p.data()[i];
            if (auto list = p.as_string_list(); list.ok())
                for (const char* s : *list) work += strlen(s);
        }
        if (auto reg = n.reg(); reg.ok())
            for (fdt::RegEntry e : *reg) work += e.size != 0;
        for (fdt::Node c : n.children()) work += c.valid();
    }
    return work;
}

class QemuTree : public ::testing::TestWithParam<QemuConfig> {
protected:
    void SetUp() override {
        path_ = fixture_path(GetParam().name);
        bytes_ = read_file(path_);
        ASSERT_GE(bytes_.size(), 40u) << path_;
    }
    fdt::MachineInfo& parsed() {
        static fdt::MachineInfo info;
        fdt::Diag diag;
        Status s = fdt::parse_machine(bytes_.data(), bytes_.size(), info, &diag);
        EXPECT_TRUE(s.ok()) << diag.what << " at " << diag.offset;
        return info;
    }
    uint32_t total_size() const { return get_be32(bytes_, H_TOTALSIZE); }

    std::string path_;
    Bytes bytes_;
};

TEST_P(QemuTree, MatchesFdtget) {
    const fdt::MachineInfo& info = parsed();
    RefMachine ref = Fdtget(path_).machine();

    EXPECT_EQ(info.model, ref.model);
    EXPECT_EQ(info.timebase_frequency, ref.timebase);
    ASSERT_EQ(info.nr_banks, ref.banks.size());
    for (size_t i = 0; i < ref.banks.size(); i++) {
        EXPECT_EQ(info.banks[i].range.base.raw(), ref.banks[i].base) << i;
        EXPECT_EQ(info.banks[i].range.size, ref.banks[i].size) << i;
        EXPECT_EQ(info.banks[i].node, ref.banks[i].node) << i;
    }
    ASSERT_EQ(info.nr_harts, ref.harts.size());
    for (size_t i = 0; i < ref.harts.size(); i++) {
        EXPECT_EQ(info.harts[i].hartid, ref.harts[i].hartid) << i;
        EXPECT_EQ(info.harts[i].node, ref.harts[i].node) << i;
        EXPECT_EQ(info.harts[i].enabled, ref.harts[i].enabled) << i;
        ASSERT_NE(info.harts[i].isa, nullptr);
        EXPECT_EQ(info.harts[i].isa, ref.harts[i].isa) << i;
    }
    if (ref.bootargs) {
        ASSERT_NE(info.bootargs, nullptr);
        EXPECT_EQ(info.bootargs, *ref.bootargs);
    } else {
        EXPECT_EQ(info.bootargs, nullptr);
    }
    ASSERT_EQ(info.has_initrd, ref.initrd.has_value());
    if (ref.initrd) {
        EXPECT_EQ(info.initrd.base.raw(), ref.initrd->first);
        EXPECT_EQ(info.initrd.end().raw(), ref.initrd->second);
    }
    ASSERT_EQ(info.has_distance_map, !ref.distance_triples.empty());
    for (size_t i = 0; i + 2 < ref.distance_triples.size(); i += 3) {
        uint32_t a = ref.distance_triples[i], b = ref.distance_triples[i + 1];
        EXPECT_EQ(info.distance[a][b], ref.distance_triples[i + 2]) << a << "->" << b;
    }
    ASSERT_EQ(info.nr_reserved, ref.reserved.size());
    for (size_t i = 0; i < ref.reserved.size(); i++) {
        EXPECT_EQ(info.reserved[i].range.base.raw(), ref.reserved[i].base) << i;
        EXPECT_EQ(info.reserved[i].range.size, ref.reserved[i].size) << i;
        EXPECT_EQ(info.reserved[i].no_map, ref.reserved[i].no_map) << i;
        EXPECT_EQ(info.reserved[i].name, ref.reserved[i].name) << i;
    }
}

TEST_P(QemuTree, MatchesTheQemuCommandLine) {
    const QemuConfig& cfg = GetParam();
    const fdt::MachineInfo& info = parsed();
    EXPECT_STREQ(info.model, "riscv-virtio,qemu");
    EXPECT_EQ(info.timebase_frequency, 10000000u);  // QEMU virt's 10 MHz timer
    EXPECT_EQ(info.nr_nodes, cfg.node_ram.size());
    std::vector<uint64_t> ram(info.nr_nodes, 0);
    for (size_t i = 0; i < info.nr_banks; i++) {
        ASSERT_LT(info.banks[i].node, info.nr_nodes);
        ram[info.banks[i].node] += info.banks[i].range.size;
    }
    EXPECT_EQ(ram, cfg.node_ram);
    EXPECT_EQ(info.banks[0].range.base, PhysAddr(0x80000000));  // RAM starts at 2 GiB on virt

    ASSERT_EQ(info.nr_harts, cfg.harts);
    for (size_t i = 0; i < info.nr_harts; i++) {
        EXPECT_EQ(info.harts[i].hartid, i);
        EXPECT_TRUE(info.harts[i].enabled);
        EXPECT_EQ(strncmp(info.harts[i].isa, "rv64", 4), 0) << info.harts[i].isa;
        // -numa ...cpus= gives each node an equal share of the harts here.
        EXPECT_EQ(info.harts[i].node, i / (cfg.harts / cfg.node_ram.size()));
    }

    EXPECT_EQ(info.has_distance_map, cfg.distance_map);
    for (unsigned a = 0; a < info.nr_nodes; a++) {
        EXPECT_EQ(info.distance[a][a], 10);
    }
    if (std::string(cfg.name) == "numa4") {
        EXPECT_EQ(info.distance[0][3], 40);
        EXPECT_EQ(info.distance[3][0], 40);
        EXPECT_EQ(info.distance[1][2], 25);
        EXPECT_EQ(info.distance[2][3], 15);
    }
    if (info.nr_nodes > 1) {
        EXPECT_EQ(info.distance[0][1], 20);
    }

    if (cfg.bootargs) {
        EXPECT_STREQ(info.bootargs, cfg.bootargs);
    } else {
        EXPECT_EQ(info.bootargs, nullptr);
    }
    EXPECT_EQ(info.has_initrd, cfg.initrd);
    if (cfg.initrd) {
        EXPECT_GT(info.initrd.size, 0u);
        EXPECT_GE(info.initrd.base, info.banks[0].range.base);
    }

    ASSERT_EQ(info.nr_reserved, cfg.memreserve + cfg.reserved_regions);
    for (size_t i = 0; i < cfg.memreserve; i++)
        EXPECT_EQ(info.reserved[i].source, fdt::ReservedSource::MemReserveBlock);
    if (cfg.reserved_regions > 0) {
        const fdt::ReservedRange& fw = info.reserved[cfg.memreserve];
        EXPECT_EQ(fw.source, fdt::ReservedSource::ReservedMemoryNode);
        EXPECT_STREQ(fw.name, "mmode_resv0@80000000");
        EXPECT_EQ(fw.range, (PhysRange{PhysAddr(0x80000000), 0x40000}));
        EXPECT_TRUE(fw.no_map);
        EXPECT_TRUE(has_warning(info, "dynamic placement"));  // the pool without reg
        EXPECT_EQ(info.nr_warnings, 1u);
    } else {
        EXPECT_EQ(info.nr_warnings, 0u);
    }
}

TEST_P(QemuTree, EveryPrefixIsRefused) {
    const uint32_t total = total_size();
    ASSERT_LE(total, bytes_.size());
    static fdt::MachineInfo info;
    for (uint32_t len = 0; len <= total; len++) {
        // An exact-size copy, so ASan flags any read past `len`.
        std::unique_ptr<uint8_t[]> buf(new uint8_t[len]);
        std::copy(bytes_.begin(), bytes_.begin() + len, buf.get());
        fdt::Diag diag;
        Status s = fdt::parse_machine(buf.get(), len, info, &diag);
        if (len == total) {
            EXPECT_TRUE(s.ok()) << diag.what;
        } else {
            ASSERT_EQ(s.error(), Error::OutOfRange) << "prefix " << len;
            ASSERT_NE(diag.what, nullptr);
        }
    }
}

TEST_P(QemuTree, EveryStructureBlockTruncationIsRefused) {
    const uint32_t struct_size = get_be32(bytes_, H_SIZE_STRUCT);
    Bytes b = bytes_;
    for (uint32_t len = 0; len < struct_size; len++) {
        set_be32(b, H_SIZE_STRUCT, len);
        fdt::Diag diag;
        Result<fdt::Blob> r = open_bytes(b, &diag);
        ASSERT_FALSE(r.ok()) << "structure block cut to " << len;
        ASSERT_EQ(r.error(), Error::Malformed);
        ASSERT_NE(diag.what, nullptr);
    }
    set_be32(b, H_SIZE_STRUCT, struct_size);
    EXPECT_TRUE(open_bytes(b).ok());
}

TEST_P(QemuTree, EveryStringsBlockTruncationIsRefused) {
    // dtc and QEMU store only names that are used, so cutting the block
    // anywhere leaves some property's name unterminated or out of range.
    const uint32_t strings_size = get_be32(bytes_, H_SIZE_STRINGS);
    Bytes b = bytes_;
    for (uint32_t len = 0; len < strings_size; len++) {
        set_be32(b, H_SIZE_STRINGS, len);
        fdt::Diag diag;
        Result<fdt::Blob> r = open_bytes(b, &diag);
        ASSERT_FALSE(r.ok()) << "strings block cut to " << len;
        ASSERT_EQ(r.error(), Error::Malformed);
        ASSERT_NE(strstr(diag.what, "property name"), nullptr) << diag.what;
    }
}

TEST_P(QemuTree, EveryWordCorruptionIsHandled) {
    // Token positions of the intact blob: corrupting one of them with an
    // undefined token must be refused at exactly that offset.
    std::vector<bool> is_token(bytes_.size() + 8, false);
    Result<fdt::Blob> intact = open_bytes(bytes_);
    ASSERT_TRUE(intact.ok());
    const uint32_t begin = get_be32(bytes_, H_OFF_STRUCT);
    const uint32_t end = begin + get_be32(bytes_, H_SIZE_STRUCT);
    for (uint32_t off = begin; off < end;) {
        fdt::Tag tag = *intact->decode(off);
        is_token[off] = true;
        off = tag.next;
    }
    static fdt::MachineInfo info;
    static fdt::DeviceInfo devices;
    size_t refused = 0, accepted = 0;
    Bytes b(bytes_.begin(), bytes_.begin() + total_size());
    for (uint32_t off = begin; off < end; off += 4) {
        const uint32_t original = get_be32(b, off);
        // Every token and the length and name offset after it get every
        // kind of damage; property values only the most hostile word.
        const bool structural = is_token[off] || is_token[off - 4] || is_token[off - 8];
        for (uint32_t word : {0xffffffffu, 1u, 2u, 3u, 9u, 0x7fffffffu}) {
            if (!structural && word != 0xffffffffu) continue;
            set_be32(b, off, word);
            fdt::Diag diag;
            Result<fdt::Blob> r = open_bytes(b, &diag);
            if (!r.ok()) {
                ASSERT_NE(diag.what, nullptr);
                refused++;
                continue;
            }
            ASSERT_FALSE(is_token[off] && word == 0xffffffffu) << "undefined token accepted at " << off;
            walk_everything(*r);
            (void)fdt::parse_machine(*r, info);
            ASSERT_TRUE(fdt::parse_devices(*r, 0, &devices).ok());
            accepted++;
        }
        set_be32(b, off, original);
    }
    EXPECT_GT(refused, 0u);
    EXPECT_GT(accepted, 0u);  // corrupting property values is harmless
}

TEST_P(QemuTree, UndefinedTokenIsReportedWhereItIs) {
    Bytes b = bytes_;
    const uint32_t begin = get_be32(bytes_, H_OFF_STRUCT);
    Result<fdt::Blob> intact = open_bytes(bytes_);
    ASSERT_TRUE(intact.ok());
    uint32_t second = intact->decode(begin)->next;  // the root's first property
    set_be32(b, second, 0x0badf00d);
    fdt::Diag diag;
    ASSERT_FALSE(open_bytes(b, &diag).ok());
    EXPECT_EQ(diag.offset, second);
    EXPECT_STREQ(diag.what, "unknown structure block token");
}

// gtest names the instances /0, /1, ...; CTest's discovery replaces the
// index with the PrintTo() text: Qemu/QemuTree.MatchesFdtget/numa2.
INSTANTIATE_TEST_SUITE_P(Qemu, QemuTree, ::testing::ValuesIn(kConfigs));

}  // namespace
