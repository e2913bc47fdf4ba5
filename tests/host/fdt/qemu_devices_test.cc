// parse_devices() on the device trees QEMU dumped at build time (see
// CMakeLists.txt), for every hart of each machine: checked against
// fdtget's reading of the same file and against QEMU virt's fixed layout;
// and every word of the devices' bus corrupted, which must still give a
// consistent result (the host build runs with ASan and UBSan).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fdt/devices.h"
#include "fdt/fdt.h"
#include "fdt_writer.h"
#include "fdtget_reference.h"
#include "qemu_fixture.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

// How the machine's devices reach the harts.
enum class Irqchip {
    Plic,           // one PLIC with an M- and an S-mode context per hart
    PlicPerSocket,  // one PLIC per NUMA socket: the UART on socket 0's, virtio on socket 1's
    Aia,            // APLIC/IMSIC: no PLIC at all
};

struct QemuConfig {
    const char* name;
    uint32_t harts;
    Irqchip irqchip;
};

// Keep in step with the fdt_qemu_dump() calls in CMakeLists.txt.
const QemuConfig kConfigs[] = {
    {"m128", 1, Irqchip::Plic},
    {"m1g-smp4", 4, Irqchip::Plic},
    {"m3g", 1, Irqchip::Plic},
    {"m8g-smp2", 2, Irqchip::Plic},
    {"numa2", 2, Irqchip::PlicPerSocket},
    {"numa3", 3, Irqchip::Aia},
    {"numa4", 8, Irqchip::Aia},
    {"chosen", 1, Irqchip::Plic},
    {"resv-m128", 1, Irqchip::Plic},
    {"resv-numa2", 2, Irqchip::PlicPerSocket},
};

void PrintTo(const QemuConfig& cfg, std::ostream* os) { *os << cfg.name; }

// QEMU virt's layout (hw/riscv/virt.c, QEMU 7.2).
constexpr uint64_t PLIC_BASE = 0x0c000000;
constexpr uint64_t PLIC_SIZE = 0x600000;
constexpr uint32_t PLIC_NDEV = 0x60;
constexpr uint64_t UART_BASE = 0x10000000;
constexpr uint64_t UART_SIZE = 0x100;
constexpr uint32_t UART_IRQ = 10;
constexpr uint64_t VIRTIO_BASE = 0x10001000;
constexpr uint64_t VIRTIO_SIZE = 0x1000;
constexpr uint32_t VIRTIO_COUNT = 8;  // irqs 1..8
// The UART and the virtio transports, each skipped when there is no PLIC.
constexpr size_t QEMU_DEVICES = 1 + VIRTIO_COUNT;

// --- An independent reading through fdtget -----------------------------------

struct RefPlic {
    uint64_t base, size;
    uint32_t ndev;
    uint64_t phandle;
    std::optional<uint32_t> context;  // nullopt: none for the hart
};

struct RefDevice {
    fdt::DeviceKind kind;
    uint64_t base, size;
    uint32_t irq;
    uint64_t interrupt_parent;
};

// QEMU's /soc has #address-cells = #size-cells = 2.
std::pair<uint64_t, uint64_t> first_reg(const Fdtget& f, const std::string& path) {
    std::vector<uint64_t> c = f.cells(path, "reg").value_or(std::vector<uint64_t>{});
    if (c.size() < 4) return {0, 0};
    return {c[0] << 32 | c[1], c[2] << 32 | c[3]};
}

bool compatible_holds(const Fdtget& f, const std::string& path, const std::string& compat) {
    std::string list = " " + f.string(path, "compatible").value_or("") + " ";
    return list.find(" " + compat + " ") != std::string::npos;
}

// The first /soc child that is a PLIC serving hart `hart` (its S-mode
// context), or else the first PLIC, without one.
std::optional<RefPlic> ref_plic(const Fdtget& f, uint32_t hart) {
    std::optional<RefPlic> first;
    for (const std::string& n : f.subnodes("/soc")) {
        std::string path = "/soc/" + n;
        if (!compatible_holds(f, path, "riscv,plic0") && !compatible_holds(f, path, "sifive,plic-1.0.0"))
            continue;
        auto [base, size] = first_reg(f, path);
        RefPlic plic{base, size, uint32_t(f.number(path, "riscv,ndev", 0)), f.number(path, "phandle", 0),
                     std::nullopt};
        uint64_t intc = f.number("/cpus/cpu@" + std::to_string(hart) + "/interrupt-controller", "phandle", 0);
        std::vector<uint64_t> ext = f.cells(path, "interrupts-extended").value_or(std::vector<uint64_t>{});
        for (size_t i = 0; i + 1 < ext.size() && !plic.context; i += 2)
            if (ext[i] == intc && ext[i + 1] == fdt::IRQ_S_EXTERNAL) plic.context = uint32_t(i / 2);
        if (plic.context) return plic;  // the first PLIC that serves the hart
        if (!first) first = plic;
    }
    return first;
}

// The /soc children that are virtio-mmio transports or 16550 UARTs.
// QEMU gives each its own interrupt-parent.
std::vector<RefDevice> ref_devices(const Fdtget& f) {
    std::vector<RefDevice> v;
    for (const std::string& n : f.subnodes("/soc")) {
        std::string path = "/soc/" + n;
        fdt::DeviceKind kind;
        if (compatible_holds(f, path, "virtio,mmio"))
            kind = fdt::DeviceKind::VirtioMmio;
        else if (compatible_holds(f, path, "ns16550a"))
            kind = fdt::DeviceKind::Uart16550;
        else
            continue;
        auto [base, size] = first_reg(f, path);
        v.push_back({kind, base, size, uint32_t(f.number(path, "interrupts", 0)),
                     f.number(path, "interrupt-parent", 0)});
    }
    return v;
}

// --- The tests ---------------------------------------------------------------

class QemuDevices : public ::testing::TestWithParam<QemuConfig> {
protected:
    void SetUp() override {
        path_ = fixture_path(GetParam().name);
        Bytes file = read_file(path_);
        ASSERT_GE(file.size(), 40u) << path_;
        // An exact-size copy, so ASan flags any read past the blob.
        bytes_.assign(file.begin(), file.begin() + get_be32(file, H_TOTALSIZE));
        Result<fdt::Blob> blob = open_bytes(bytes_);
        ASSERT_TRUE(blob.ok());
        blob_ = *blob;
    }
    const fdt::DeviceInfo& parsed(uint32_t hart) {
        static fdt::DeviceInfo info;
        EXPECT_TRUE(fdt::parse_devices(blob_, hart, &info).ok());
        return info;
    }

    std::string path_;
    Bytes bytes_;
    fdt::Blob blob_;
};

TEST_P(QemuDevices, MatchesFdtget) {
    Fdtget f(path_);
    std::vector<RefDevice> all = ref_devices(f);
    ASSERT_EQ(all.size(), QEMU_DEVICES);
    for (uint32_t hart = 0; hart < GetParam().harts; hart++) {
        SCOPED_TRACE("hart " + std::to_string(hart));
        const fdt::DeviceInfo& info = parsed(hart);
        std::optional<RefPlic> plic = ref_plic(f, hart);
        ASSERT_EQ(info.has_plic, plic && plic->context);
        if (!info.has_plic) {
            EXPECT_EQ(info.nr_devices, 0u);
            continue;
        }
        EXPECT_EQ(info.plic.base, plic->base);
        EXPECT_EQ(info.plic.size, plic->size);
        EXPECT_EQ(info.plic.ndev, plic->ndev);
        EXPECT_EQ(info.plic.context, *plic->context);
        std::vector<RefDevice> ref;
        for (const RefDevice& d : all)
            if (d.interrupt_parent == plic->phandle) ref.push_back(d);
        ASSERT_EQ(info.nr_devices, ref.size());
        for (size_t i = 0; i < ref.size(); i++) {
            EXPECT_EQ(info.devices[i].kind, ref[i].kind) << i;
            EXPECT_EQ(info.devices[i].base, ref[i].base) << i;
            EXPECT_EQ(info.devices[i].size, ref[i].size) << i;
            EXPECT_EQ(info.devices[i].irq, ref[i].irq) << i;
        }
    }
}

// The PLIC QEMU virt puts at 0x0c000000, with the boot hart's S-mode
// context after its M-mode context.
void expect_qemu_plic(const fdt::DeviceInfo& info, uint32_t hart) {
    ASSERT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.base, PLIC_BASE);
    EXPECT_EQ(info.plic.size, PLIC_SIZE);
    EXPECT_EQ(info.plic.ndev, PLIC_NDEV);
    EXPECT_EQ(info.plic.context, 2 * hart + 1);
}

// When `uart`, the UART at 0x10000000 (irq 10) and, when `virtio`, the
// eight virtio transports at 0x10001000 + i * 0x1000 (irq i + 1), in
// whatever order the tree has them.
void expect_qemu_devices(const fdt::DeviceInfo& info, bool uart, bool virtio) {
    ASSERT_EQ(info.nr_devices, (virtio ? VIRTIO_COUNT : 0) + (uart ? 1 : 0));
    std::vector<int> virtio_seen(VIRTIO_COUNT, 0);
    int uart_seen = 0;
    for (size_t i = 0; i < info.nr_devices; i++) {
        const fdt::Device& d = info.devices[i];
        if (d.kind == fdt::DeviceKind::Uart16550) {
            EXPECT_EQ(d.base, UART_BASE);
            EXPECT_EQ(d.size, UART_SIZE);
            EXPECT_EQ(d.irq, UART_IRQ);
            uart_seen++;
            continue;
        }
        ASSERT_EQ(d.kind, fdt::DeviceKind::VirtioMmio);
        uint64_t n = (d.base - VIRTIO_BASE) / VIRTIO_SIZE;
        ASSERT_LT(n, VIRTIO_COUNT) << std::hex << d.base;
        EXPECT_EQ(d.base, VIRTIO_BASE + n * VIRTIO_SIZE);
        EXPECT_EQ(d.size, VIRTIO_SIZE);
        EXPECT_EQ(d.irq, n + 1);
        virtio_seen[n]++;
    }
    EXPECT_EQ(uart_seen, uart ? 1 : 0);
    EXPECT_EQ(virtio_seen, std::vector<int>(VIRTIO_COUNT, virtio ? 1 : 0));
}

// Warnings [first, nr_warnings) all say `what`, and with those dropped
// there are `total` warnings.
void expect_warnings(const fdt::DeviceInfo& info, size_t first, const char* what, size_t total) {
    for (size_t i = first; i < info.nr_warnings; i++) EXPECT_STREQ(info.warnings[i].what, what) << i;
    EXPECT_EQ(info.nr_warnings, std::min(total, fdt::MAX_DEVICE_WARNINGS));
    EXPECT_EQ(info.nr_warnings + info.nr_dropped_warnings, total);
}

// No usable PLIC: the first warning says why, and each device's skip
// follows.
void expect_no_plic(const fdt::DeviceInfo& info, const char* why) {
    EXPECT_FALSE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 0u);
    ASSERT_GT(info.nr_warnings, 0u);
    EXPECT_NE(strstr(info.warnings[0].what, why), nullptr) << info.warnings[0].what;
    expect_warnings(info, 1, "device skipped: no usable PLIC", 1 + QEMU_DEVICES);
}

TEST_P(QemuDevices, MatchesTheVirtLayout) {
    const QemuConfig& cfg = GetParam();
    for (uint32_t hart = 0; hart < cfg.harts; hart++) {
        SCOPED_TRACE("hart " + std::to_string(hart));
        const fdt::DeviceInfo& info = parsed(hart);
        switch (cfg.irqchip) {
            case Irqchip::Plic:
                expect_qemu_plic(info, hart);
                expect_qemu_devices(info, true, true);
                EXPECT_EQ(info.nr_warnings, 0u);
                break;
            case Irqchip::PlicPerSocket:
                // One hart per socket here. Socket 0's PLIC serves hart 0
                // and the UART; socket 1's, after it, serves hart 1 (its
                // context 1) and the virtio transports.
                if (hart > 0) {
                    ASSERT_TRUE(info.has_plic);
                    EXPECT_GT(info.plic.base, PLIC_BASE);
                    EXPECT_EQ(info.plic.context, 1u);
                    expect_qemu_devices(info, false, true);
                    expect_warnings(info, 0, "device skipped: interrupt parent is not the PLIC", 1);
                    break;
                }
                expect_qemu_plic(info, 0);
                expect_qemu_devices(info, true, false);
                expect_warnings(info, 0, "device skipped: interrupt parent is not the PLIC", VIRTIO_COUNT);
                break;
            case Irqchip::Aia:
                expect_no_plic(info, "no PLIC");
                break;
        }
    }
}

// What parse_devices() promises of any result, whatever the tree.
::testing::AssertionResult consistent(const fdt::DeviceInfo& info) {
    if (info.nr_devices > fdt::MAX_DEVICES || info.nr_warnings > fdt::MAX_DEVICE_WARNINGS)
        return ::testing::AssertionFailure() << "counts past the arrays";
    if (info.has_plic && (info.plic.ndev == 0 || info.plic.ndev > fdt::PLIC_MAX_NDEV || info.plic.size == 0 ||
                          info.plic.size > ~uint64_t(0) - info.plic.base))
        return ::testing::AssertionFailure() << "unusable PLIC accepted";
    if (!info.has_plic && info.nr_devices != 0)
        return ::testing::AssertionFailure() << "devices without PLIC";
    for (size_t i = 0; i < info.nr_devices; i++) {
        const fdt::Device& d = info.devices[i];
        if (d.irq == 0 || d.irq >= info.plic.ndev || d.size == 0 || d.size > ~uint64_t(0) - d.base)
            return ::testing::AssertionFailure() << "unusable device " << i << " accepted";
    }
    for (size_t i = 0; i < info.nr_warnings; i++)
        if (info.warnings[i].what == nullptr)
            return ::testing::AssertionFailure() << "warning " << i << " empty";
    return ::testing::AssertionSuccess();
}

TEST_P(QemuDevices, EveryWordCorruptionOfSocGivesAConsistentResult) {
    Result<fdt::Node> soc = blob_.find_node("/soc");
    ASSERT_TRUE(soc.ok());
    const uint32_t begin = soc->offset();
    const uint32_t end = blob_.skip_subtree(begin);
    static fdt::DeviceInfo info;
    size_t accepted = 0;
    Bytes b = bytes_;
    for (uint32_t off = begin; off < end; off += 4) {
        const uint32_t original = get_be32(b, off);
        for (uint32_t word : {0u, 1u, 9u, 11u, PLIC_NDEV, 0x7fffffffu, 0xffffffffu}) {
            set_be32(b, off, word);
            Result<fdt::Blob> r = open_bytes(b);
            if (!r.ok()) continue;
            for (uint32_t hart : {0u, 1u}) {
                ASSERT_TRUE(fdt::parse_devices(*r, hart, &info).ok());
                ASSERT_TRUE(consistent(info)) << "word " << word << " at " << off << ", hart " << hart;
            }
            accepted++;
        }
        set_be32(b, off, original);
    }
    EXPECT_GT(accepted, 0u);
}

INSTANTIATE_TEST_SUITE_P(Qemu, QemuDevices, ::testing::ValuesIn(kConfigs));

}  // namespace
