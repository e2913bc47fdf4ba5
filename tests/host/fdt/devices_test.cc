// parse_devices() on synthetic trees, in the order of devices.cc: the
// whole result, the PLIC and the boot hart's context, the devices and
// their interrupts, and the limits.
#include "fdt/devices.h"

#include <gtest/gtest.h>
#include <string.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

fdt::DeviceInfo info;  // kept out of the stack, as boot does

// --- Trees shaped like QEMU virt's -------------------------------------------

constexpr uint64_t PLIC_BASE = 0xc000000;
constexpr uint64_t PLIC_SIZE = 0x600000;
constexpr uint32_t NDEV = 0x60;
constexpr uint32_t PLIC_PHANDLE = 0x50;
constexpr uint32_t OTHER_PHANDLE = 0x51;  // another interrupt controller
constexpr uint32_t M_EXTERNAL = 11;       // machine external interrupt (priv spec 3.1.9)
constexpr uint64_t VIRTIO_BASE = 0x10001000;
constexpr uint64_t UART_BASE = 0x10000000;

// The phandle of hart h's interrupt controller.
constexpr uint32_t intc(uint32_t hart) { return 0x10 + hart; }

// interrupts-extended as QEMU writes it: an M-mode and an S-mode external
// context per hart, so hart h's S-mode context is 2h + 1.
Bytes qemu_contexts(uint32_t harts) {
    Bytes b;
    for (uint32_t h = 0; h < harts; h++)
        for (uint32_t cause : {M_EXTERNAL, fdt::IRQ_S_EXTERNAL}) {
            put_be32(b, intc(h));
            put_be32(b, cause);
        }
    return b;
}

// Each optional property is left out when nullopt (or 0).
struct PlicSpec {
    const char* compatible = "riscv,plic0";
    std::optional<Bytes> reg = reg64(PLIC_BASE, PLIC_SIZE);
    std::optional<Bytes> ndev = cells({NDEV});
    std::optional<Bytes> contexts = qemu_contexts(1);
    uint32_t phandle = PLIC_PHANDLE;
};

void plic_node(FdtWriter& w, const PlicSpec& p = {}) {
    w.begin(unit_name("plic", PLIC_BASE));
    if (p.phandle != 0) w.prop_u32("phandle", {p.phandle});
    if (p.ndev) w.prop("riscv,ndev", *p.ndev);
    if (p.reg) w.prop("reg", *p.reg);
    if (p.contexts) w.prop("interrupts-extended", *p.contexts);
    w.prop("interrupt-controller").prop_u32("#interrupt-cells", {1}).prop_u32("#address-cells", {0});
    w.prop_str("compatible", p.compatible);
    w.end();
}

struct DevSpec {
    const char* compatible = "virtio,mmio";
    std::optional<Bytes> reg = reg64(VIRTIO_BASE, 0x1000);
    std::optional<Bytes> interrupts = cells({1});
    uint32_t parent = PLIC_PHANDLE;  // interrupt-parent
    const char* status = nullptr;
};

void device_node(FdtWriter& w, const DevSpec& d = {}) {
    w.begin("device");
    if (d.interrupts) w.prop("interrupts", *d.interrupts);
    if (d.parent != 0) w.prop_u32("interrupt-parent", {d.parent});
    if (d.reg) w.prop("reg", *d.reg);
    if (d.status) w.prop_str("status", d.status);
    w.prop_str("compatible", d.compatible);
    w.end();
}

// QEMU's virtio-mmio transport i (0-based).
DevSpec virtio(uint32_t i) {
    return DevSpec{.reg = reg64(VIRTIO_BASE + i * 0x1000, 0x1000), .interrupts = cells({i + 1})};
}

DevSpec uart() {
    return DevSpec{.compatible = "ns16550a", .reg = reg64(UART_BASE, 0x100), .interrupts = cells({10})};
}

// A machine of `harts` harts whose interrupt controllers have phandles,
// and a /soc bus (#address-cells = #size-cells = 2) holding what `soc`
// writes.
Bytes machine(uint32_t harts, const std::function<void(FdtWriter&)>& soc) {
    return tree([&](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x8000000);
        std::vector<CpuSpec> cpus;
        for (uint32_t h = 0; h < harts; h++) cpus.push_back(CpuSpec{.hartid = h, .intc_phandle = intc(h)});
        cpus_node(w, cpus);
        w.begin("soc").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        w.prop_str("compatible", "simple-bus").prop("ranges");
        soc(w);
        w.end();
    });
}

// One hart, a PLIC as `plic` says and the devices `devices`.
Bytes with(const PlicSpec& plic, const std::vector<DevSpec>& devices = {virtio(0)}) {
    return machine(1, [&](FdtWriter& w) {
        plic_node(w, plic);
        for (const DevSpec& d : devices) device_node(w, d);
    });
}

Bytes with_devices(const std::vector<DevSpec>& devices) { return with(PlicSpec{}, devices); }

Status parse(const Bytes& b, uint32_t boot_hart = 0, fdt::Diag* diag = nullptr) {
    Result<fdt::Blob> blob = open_bytes(b);
    if (!blob.ok()) return blob.error();
    return fdt::parse_devices(*blob, boot_hart, &info, diag);
}

// The tree parses; its PLIC is refused with a first warning containing
// `needle`, and every device is skipped for want of a PLIC.
::testing::AssertionResult plic_refused(const Bytes& b, const char* needle, uint32_t boot_hart = 0) {
    if (!parse(b, boot_hart).ok()) return ::testing::AssertionFailure() << "parse_devices() failed";
    if (info.has_plic) return ::testing::AssertionFailure() << "has_plic";
    if (info.nr_warnings == 0) return ::testing::AssertionFailure() << "no warning";
    if (strstr(info.warnings[0].what, needle) == nullptr)
        return ::testing::AssertionFailure()
               << "warning \"" << info.warnings[0].what << "\" lacks \"" << needle << "\"";
    if (info.nr_devices != 0) return ::testing::AssertionFailure() << info.nr_devices << " devices";
    if (!has_warning(info, "no usable PLIC")) return ::testing::AssertionFailure() << "devices not skipped";
    return ::testing::AssertionSuccess();
}

// The tree parses; of its devices none is listed, and the first warning
// contains `needle`.
::testing::AssertionResult device_skipped(const Bytes& b, const char* needle) {
    if (!parse(b).ok()) return ::testing::AssertionFailure() << "parse_devices() failed";
    if (!info.has_plic) return ::testing::AssertionFailure() << "no PLIC";
    if (info.nr_devices != 0) return ::testing::AssertionFailure() << info.nr_devices << " devices";
    if (info.nr_warnings == 0) return ::testing::AssertionFailure() << "no warning";
    if (strstr(info.warnings[0].what, needle) == nullptr)
        return ::testing::AssertionFailure()
               << "warning \"" << info.warnings[0].what << "\" lacks \"" << needle << "\"";
    return ::testing::AssertionSuccess();
}

// --- The whole result --------------------------------------------------------

TEST(FdtDevices, QemuShapedMachine) {
    ASSERT_TRUE(parse(with_devices({uart(), virtio(1), virtio(0)})).ok());
    ASSERT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.base, PLIC_BASE);
    EXPECT_EQ(info.plic.size, PLIC_SIZE);
    EXPECT_EQ(info.plic.ndev, NDEV);
    EXPECT_EQ(info.plic.context, 1u);
    ASSERT_EQ(info.nr_devices, 3u);
    EXPECT_EQ(info.devices[0].kind, fdt::DeviceKind::Uart16550);
    EXPECT_EQ(info.devices[0].base, UART_BASE);
    EXPECT_EQ(info.devices[0].size, 0x100u);
    EXPECT_EQ(info.devices[0].irq, 10u);
    EXPECT_EQ(info.devices[1].kind, fdt::DeviceKind::VirtioMmio);
    EXPECT_EQ(info.devices[1].base, VIRTIO_BASE + 0x1000);
    EXPECT_EQ(info.devices[1].size, 0x1000u);
    EXPECT_EQ(info.devices[1].irq, 2u);
    EXPECT_EQ(info.devices[2].base, VIRTIO_BASE);
    EXPECT_EQ(info.devices[2].irq, 1u);
    EXPECT_EQ(info.nr_warnings, 0u);
    EXPECT_EQ(info.nr_dropped_warnings, 0u);
}

TEST(FdtDevices, NullOutIsInvalidArgument) {
    Bytes b = with_devices({virtio(0)});
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    fdt::Diag diag;
    Status s = fdt::parse_devices(*blob, 0, nullptr, &diag);
    EXPECT_TRUE(failed_with(s.error(), diag, Error::InvalidArgument, "null"));
}

TEST(FdtDevices, ResetsEverythingOnReuse) {
    ASSERT_TRUE(parse(with_devices({virtio(0), DevSpec{.interrupts = cells({0})}})).ok());
    ASSERT_TRUE(info.has_plic);
    ASSERT_EQ(info.nr_devices, 1u);
    ASSERT_EQ(info.nr_warnings, 1u);
    ASSERT_TRUE(parse(machine(1, [](FdtWriter&) {})).ok());
    EXPECT_FALSE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 0u);
    EXPECT_EQ(info.nr_warnings, 1u);  // no PLIC
    EXPECT_EQ(info.nr_dropped_warnings, 0u);
}

TEST(FdtDevices, AnEmptyBlobHasNeitherPlicNorDevices) {
    ASSERT_TRUE(fdt::parse_devices(fdt::Blob(), 0, &info).ok());
    EXPECT_FALSE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 0u);
    EXPECT_TRUE(has_warning(info, "no PLIC"));
}

TEST(FdtDevices, DevicesAtAnyDepthInBlobOrder) {
    Bytes b = tree([](FdtWriter& w) {
        cpus_node(w, {CpuSpec{.hartid = 0, .intc_phandle = intc(0)}});
        device_node(w, uart());  // a root child: the root's cell counts
        w.begin("soc").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        w.begin("bus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
        w.begin("bus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
        device_node(w, DevSpec{.reg = cells({0x20000000, 0x200}), .interrupts = cells({7})});
        w.end().end();
        plic_node(w);
        device_node(w, virtio(2));
        w.end();
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_TRUE(info.has_plic);
    ASSERT_EQ(info.nr_devices, 3u);
    EXPECT_EQ(info.devices[0].base, UART_BASE);
    EXPECT_EQ(info.devices[1].base, 0x20000000u);
    EXPECT_EQ(info.devices[1].size, 0x200u);
    EXPECT_EQ(info.devices[1].irq, 7u);
    EXPECT_EQ(info.devices[2].base, VIRTIO_BASE + 0x2000);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtDevices, OtherCompatiblesAreNotDevices) {
    Bytes b = with_devices({DevSpec{.compatible = "google,goldfish-rtc"}, DevSpec{.compatible = "ns16550"}});
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_devices, 0u);
    EXPECT_EQ(info.nr_warnings, 0u);
}

// --- The PLIC and the boot hart's context ------------------------------------

TEST(FdtDevicesPlic, EitherCompatibleNamesThePlic) {
    for (const char* compat : {"riscv,plic0", "sifive,plic-1.0.0"}) {
        ASSERT_TRUE(parse(with(PlicSpec{.compatible = compat})).ok()) << compat;
        EXPECT_TRUE(info.has_plic) << compat;
        EXPECT_EQ(info.nr_devices, 1u) << compat;
    }
    EXPECT_TRUE(plic_refused(with(PlicSpec{.compatible = "riscv,aplic"}), "no PLIC"));
}

TEST(FdtDevicesPlic, RegUsesTheParentsCellCounts) {
    Bytes b = tree([](FdtWriter& w) {
        cpus_node(w, {CpuSpec{.hartid = 0, .intc_phandle = intc(0)}});
        w.begin("soc").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
        plic_node(w, PlicSpec{.reg = cells({0xc000000, 0x4000000, 0xd000000, 0x1000})});
        w.end();
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.base, 0xc000000u);  // the first entry
    EXPECT_EQ(info.plic.size, 0x4000000u);
}

TEST(FdtDevicesPlic, TheFirstUsablePlicCounts) {
    Bytes b = machine(1, [](FdtWriter& w) {
        plic_node(w, PlicSpec{.reg = std::nullopt, .phandle = 0});
        plic_node(w);
        device_node(w, virtio(0));
    });
    ASSERT_TRUE(parse(b, 0).ok());
    EXPECT_TRUE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 1u);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtDevicesPlic, WithNoneUsableTheFirstSaysWhy) {
    Bytes b = machine(1, [](FdtWriter& w) {
        plic_node(w, PlicSpec{.reg = std::nullopt, .phandle = 0});
        plic_node(w, PlicSpec{.ndev = std::nullopt});
        device_node(w, virtio(0));
    });
    EXPECT_TRUE(plic_refused(b, "no reg"));
}

TEST(FdtDevicesPlic, ContextOfEachHart) {
    Bytes b = machine(4, [](FdtWriter& w) {
        plic_node(w, PlicSpec{.contexts = qemu_contexts(4)});
        device_node(w, virtio(0));
    });
    for (uint32_t h = 0; h < 4; h++) {
        ASSERT_TRUE(parse(b, h).ok());
        ASSERT_TRUE(info.has_plic) << h;
        EXPECT_EQ(info.plic.context, 2 * h + 1);
        EXPECT_EQ(info.nr_devices, 1u);
    }
    EXPECT_TRUE(plic_refused(b, "no cpu node", 4));
}

TEST(FdtDevicesPlic, ContextsInAnyOrder) {
    // The contexts of harts 1 and 0, S-mode first, and one more for hart 0.
    Bytes b = machine(2, [](FdtWriter& w) {
        plic_node(w, PlicSpec{.contexts = cells({intc(1), 9, intc(0), 9, intc(0), 9})});
    });
    ASSERT_TRUE(parse(b, 0).ok());
    EXPECT_EQ(info.plic.context, 1u);  // the first match
    ASSERT_TRUE(parse(b, 1).ok());
    EXPECT_EQ(info.plic.context, 0u);
}

TEST(FdtDevicesPlic, AbsentContextsAreSkipped) {
    // Boards without an M-mode context mark it with cause -1.
    Bytes b = with(PlicSpec{.contexts = cells({intc(0), 0xffffffff, intc(0), 9})});
    ASSERT_TRUE(parse(b).ok());
    ASSERT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.context, 1u);
}

TEST(FdtDevicesPlic, NoPlicSkipsEveryDevice) {
    Bytes b = machine(1, [](FdtWriter& w) {
        device_node(w, uart());
        device_node(w, virtio(0));
    });
    ASSERT_TRUE(plic_refused(b, "no PLIC"));
    EXPECT_EQ(info.warnings[0].offset, fdt::NO_OFFSET);
    EXPECT_EQ(info.nr_warnings, 3u);
}

TEST(FdtDevicesPlic, UnusableReg) {
    EXPECT_TRUE(plic_refused(with(PlicSpec{.reg = std::nullopt}), "PLIC ignored: no reg"));
    EXPECT_TRUE(plic_refused(with(PlicSpec{.reg = reg64(PLIC_BASE, 0)}), "PLIC ignored: zero-sized reg"));
    EXPECT_TRUE(plic_refused(with(PlicSpec{.reg = cells({0, 0xc000000, 0})}), "PLIC ignored: reg"));
    EXPECT_TRUE(plic_refused(with(PlicSpec{.reg = Bytes(5, 0)}), "PLIC ignored: reg"));
    EXPECT_TRUE(plic_refused(with(PlicSpec{.reg = reg64(~0ull - 0xfff, 0x1000)}), "overflows"));
    ASSERT_TRUE(parse(with(PlicSpec{.reg = reg64(~0ull - 0xfff, 0xfff)})).ok());
    EXPECT_TRUE(info.has_plic);  // ends exactly at the top
}

TEST(FdtDevicesPlic, BadNdev) {
    EXPECT_TRUE(plic_refused(with(PlicSpec{.ndev = std::nullopt}), "no riscv,ndev"));
    for (const Bytes& ndev : {cells({0}), cells({1024}), cells({0, 0x60}), Bytes{0, 0x60}, Bytes{}})
        EXPECT_TRUE(plic_refused(with(PlicSpec{.ndev = ndev}), "riscv,ndev is not one cell in 1..1023"));
    ASSERT_TRUE(parse(with(PlicSpec{.ndev = cells({1023})})).ok());
    EXPECT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.ndev, 1023u);
}

TEST(FdtDevicesPlic, InterruptsExtendedMustBeWholePairs) {
    EXPECT_TRUE(plic_refused(with(PlicSpec{.contexts = std::nullopt}), "no interrupts-extended"));
    for (const Bytes& ext : {Bytes{}, cells({intc(0)}), cells({intc(0), 11, intc(0)}), Bytes(6, 0)})
        EXPECT_TRUE(plic_refused(with(PlicSpec{.contexts = ext}), "not whole (phandle, cause) pairs"));
}

TEST(FdtDevicesPlic, PhandleToNothing) {
    for (uint32_t phandle : {0x999u, 0u, 0xffffffffu}) {
        Bytes b = with(PlicSpec{.contexts = cells({intc(0), 11, intc(0), 9, phandle, 9})});
        EXPECT_TRUE(plic_refused(b, "names a phandle of no node")) << phandle;
    }
}

TEST(FdtDevicesPlic, NoSModeContextForTheBootHart) {
    // Two harts, contexts for hart 0 only: hart 1 has none.
    Bytes b = machine(2, [](FdtWriter& w) {
        plic_node(w);
        device_node(w, virtio(0));
    });
    ASSERT_TRUE(parse(b, 0).ok());
    EXPECT_TRUE(info.has_plic);
    EXPECT_TRUE(plic_refused(b, "no S-mode external interrupt context", 1));
    // Only an M-mode context.
    EXPECT_TRUE(plic_refused(with(PlicSpec{.contexts = cells({intc(0), 11})}), "no S-mode external"));
}

TEST(FdtDevicesPlic, ContextMustNameTheHartsInterruptController) {
    // cpu@0 (phandle 0x30) has a child (0x31) that is not an interrupt
    // controller; 0x32 is an interrupt controller outside /cpus.
    Bytes b = tree([](FdtWriter& w) {
        w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.begin("cpu@0").prop_str("device_type", "cpu").prop_u32("reg", {0}).prop_u32("phandle", {0x30});
        w.begin("interrupt-controller").prop_u32("phandle", {0x31}).end();
        w.end().end();
        w.begin("intc").prop("interrupt-controller").prop_u32("phandle", {0x32}).end();
        plic_node(w, PlicSpec{.contexts = cells({0x30, 9, 0x31, 9, 0x32, 9})});
        device_node(w, virtio(0));
    });
    EXPECT_TRUE(plic_refused(b, "no S-mode external interrupt context"));
}

TEST(FdtDevicesPlic, TheBootHartIsFoundByReg) {
    // cpu@1 is a name only; a cpu node without device_type is no hart.
    Bytes b = tree([](FdtWriter& w) {
        w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.begin("cpu@1").prop_u32("reg", {1});
        w.begin("interrupt-controller").prop("interrupt-controller").prop_u32("phandle", {0x40}).end();
        w.end();
        w.begin("cpu@0").prop_str("device_type", "cpu").prop_u32("reg", {1});
        w.begin("interrupt-controller").prop("interrupt-controller").prop_u32("phandle", {0x41}).end();
        w.end().end();
        plic_node(w, PlicSpec{.contexts = cells({0x40, 9, 0x41, 9})});
        device_node(w, virtio(0));
    });
    ASSERT_TRUE(parse(b, 1).ok());
    ASSERT_TRUE(info.has_plic);
    EXPECT_EQ(info.plic.context, 1u);
    EXPECT_TRUE(plic_refused(b, "no cpu node", 0));
}

TEST(FdtDevicesPlic, APlicWithoutPhandleServesNoDevice) {
    ASSERT_TRUE(parse(with(PlicSpec{.phandle = 0})).ok());
    EXPECT_TRUE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 0u);
    EXPECT_TRUE(has_warning(info, "interrupt parent is not the PLIC"));
}

TEST(FdtDevicesPlic, ADuplicatePhandleDoesNotNameThePlic) {
    // find_by_phandle() finds the earlier node, so the PLIC's phandle
    // does not name it.
    Bytes b = machine(1, [](FdtWriter& w) {
        w.begin("decoy").prop_u32("phandle", {PLIC_PHANDLE}).end();
        plic_node(w);
        device_node(w, virtio(0));
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_TRUE(info.has_plic);
    EXPECT_EQ(info.nr_devices, 0u);
    EXPECT_TRUE(has_warning(info, "interrupt parent is not the PLIC"));
}

// --- Devices -----------------------------------------------------------------

TEST(FdtDevicesDevice, DisabledDevicesAreNotListed) {
    Bytes b = with_devices({DevSpec{.status = "disabled"}, DevSpec{.status = "fail"},
                            DevSpec{.status = "okay"}, DevSpec{.status = "ok"}});
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_devices, 2u);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtDevicesDevice, SourceMustBeBetweenOneAndNdevMinusOne) {
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.interrupts = cells({0})}}), "interrupt source 0"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.interrupts = cells({NDEV})}}), ">= riscv,ndev"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.interrupts = cells({~0u})}}), ">= riscv,ndev"));
    ASSERT_TRUE(parse(with_devices({DevSpec{.interrupts = cells({NDEV - 1})}})).ok());
    ASSERT_EQ(info.nr_devices, 1u);
    EXPECT_EQ(info.devices[0].irq, NDEV - 1);
}

TEST(FdtDevicesDevice, InterruptsMustBeOneCell) {
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.interrupts = std::nullopt}}), "no interrupts"));
    for (const Bytes& irq : {cells({1, 4}), Bytes{}, Bytes{0, 0, 1}, cells({1, 2, 3})})
        EXPECT_TRUE(device_skipped(with_devices({DevSpec{.interrupts = irq}}), "interrupts is not one cell"));
}

TEST(FdtDevicesDevice, InterruptParentMustBeThePlic) {
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.parent = OTHER_PHANDLE}}), "not the PLIC"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.parent = intc(0)}}), "not the PLIC"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.parent = 0}}), "no interrupt-parent"));
}

TEST(FdtDevicesDevice, MalformedInterruptParent) {
    for (const Bytes& parent : {cells({PLIC_PHANDLE, 0}), cells({0}), Bytes{0, 0x50}}) {
        Bytes b = machine(1, [&](FdtWriter& w) {
            plic_node(w);
            w.begin("device").prop("interrupt-parent", parent).prop_u32("interrupts", {1});
            w.prop("reg", reg64(VIRTIO_BASE, 0x1000)).prop_str("compatible", "virtio,mmio").end();
        });
        EXPECT_TRUE(device_skipped(b, "interrupt-parent is not a phandle"));
    }
}

TEST(FdtDevicesDevice, InterruptParentIsInheritedFromTheNearestAncestor) {
    Bytes b = tree([](FdtWriter& w) {
        cpus_node(w, {CpuSpec{.hartid = 0, .intc_phandle = intc(0)}});
        w.begin("soc").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        w.prop_u32("interrupt-parent", {PLIC_PHANDLE});
        plic_node(w);
        device_node(w, DevSpec{.interrupts = cells({1}), .parent = 0});  // from /soc
        w.begin("bus").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        w.begin("inner").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        device_node(w, DevSpec{.interrupts = cells({2}), .parent = 0});  // from /soc, two levels up
        w.end().end();
        w.begin("other-bus").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
        w.prop_u32("interrupt-parent", {OTHER_PHANDLE});
        device_node(w, DevSpec{.interrupts = cells({3}), .parent = 0});  // the nearer one: skipped
        device_node(w, DevSpec{.interrupts = cells({4})});               // its own
        w.end();
        device_node(w, DevSpec{.interrupts = cells({5}), .parent = 0});  // /soc's again
        w.end();
        device_node(w, DevSpec{.interrupts = cells({6}), .parent = 0});  // no ancestor has one
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_devices, 4u);
    EXPECT_EQ(info.devices[0].irq, 1u);
    EXPECT_EQ(info.devices[1].irq, 2u);
    EXPECT_EQ(info.devices[2].irq, 4u);
    EXPECT_EQ(info.devices[3].irq, 5u);
    ASSERT_EQ(info.nr_warnings, 2u);
    EXPECT_STREQ(info.warnings[0].what, "device skipped: interrupt parent is not the PLIC");
    EXPECT_STREQ(info.warnings[1].what, "device skipped: no interrupt-parent");
}

TEST(FdtDevicesDevice, UnusableReg) {
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.reg = std::nullopt}}), "device skipped: no reg"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.reg = reg64(VIRTIO_BASE, 0)}}), "zero-sized reg"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.reg = cells({0, 1, 2})}}), "reg or its parent"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.reg = Bytes(7, 0xff)}}), "reg or its parent"));
    EXPECT_TRUE(device_skipped(with_devices({DevSpec{.reg = reg64(~0ull, 2)}}), "overflows"));
}

TEST(FdtDevicesDevice, RegUsesTheParentsCellCounts) {
    Bytes b = machine(1, [](FdtWriter& w) {
        plic_node(w);
        w.begin("bus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        device_node(w, DevSpec{.reg = cells({0x1000})});  // no size: unusable
        w.end();
        w.begin("bus").prop_u32("#address-cells", {3}).prop_u32("#size-cells", {1});
        device_node(w, DevSpec{.reg = cells({0, 0, 0x1000, 0x100})});  // 3 address cells
        w.end();
        w.begin("bus").prop("#address-cells", Bytes{1}).prop_u32("#size-cells", {1});
        device_node(w, DevSpec{.reg = cells({0x1000, 0x100})});  // a malformed cell count
        w.end();
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_devices, 0u);
    ASSERT_EQ(info.nr_warnings, 3u);
    EXPECT_STREQ(info.warnings[0].what, "device skipped: zero-sized reg");
    EXPECT_STREQ(info.warnings[1].what, "device skipped: reg or its parent's cell counts are malformed");
    EXPECT_STREQ(info.warnings[2].what, "device skipped: reg or its parent's cell counts are malformed");
}

TEST(FdtDevicesDevice, WarningsPointAtTheProblem) {
    Bytes b = with_devices({DevSpec{.interrupts = cells({0})}, DevSpec{.parent = OTHER_PHANDLE}});
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE(fdt::parse_devices(*blob, 0, &info).ok());
    ASSERT_EQ(info.nr_warnings, 2u);
    fdt::TreeWalker walker(*blob);
    std::vector<fdt::Node> devices;
    while (walker.next())
        if (walker.node().is_compatible("virtio,mmio")) devices.push_back(walker.node());
    ASSERT_EQ(devices.size(), 2u);
    EXPECT_EQ(info.warnings[0].offset, devices[0].property("interrupts")->offset());
    EXPECT_EQ(info.warnings[1].offset, devices[1].offset());
}

// --- Limits ------------------------------------------------------------------

TEST(FdtDevicesLimits, DevicesPastTheLimitAreDropped) {
    std::vector<DevSpec> devices;
    for (uint32_t i = 0; i < fdt::MAX_DEVICES + 4; i++) devices.push_back(virtio(i));
    ASSERT_TRUE(parse(with_devices(devices)).ok());
    ASSERT_EQ(info.nr_devices, fdt::MAX_DEVICES);
    for (uint32_t i = 0; i < fdt::MAX_DEVICES; i++) {
        EXPECT_EQ(info.devices[i].base, VIRTIO_BASE + i * 0x1000) << i;
        EXPECT_EQ(info.devices[i].irq, i + 1) << i;
    }
    EXPECT_EQ(info.nr_warnings, 4u);
    EXPECT_TRUE(has_warning(info, "more than MAX_DEVICES"));
}

TEST(FdtDevicesLimits, WarningsBeyondTheListAreCounted) {
    std::vector<DevSpec> devices(fdt::MAX_DEVICE_WARNINGS + 5, DevSpec{.interrupts = cells({0})});
    devices.push_back(virtio(3));
    ASSERT_TRUE(parse(with_devices(devices)).ok());
    ASSERT_EQ(info.nr_devices, 1u);
    EXPECT_EQ(info.devices[0].irq, 4u);
    EXPECT_EQ(info.nr_warnings, fdt::MAX_DEVICE_WARNINGS);
    EXPECT_EQ(info.nr_dropped_warnings, 5u);
}

}  // namespace
