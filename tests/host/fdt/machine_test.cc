// parse_machine() on synthetic trees: the whole result, and memory banks.
// Harts, /chosen, NUMA and reserved ranges have their own files.
#include <gtest/gtest.h>
#include <string.h>

#include "fdt/fdt.h"
#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

fdt::MachineInfo info;  // large: keep it out of the stack, as boot does

Status parse(const Bytes& b, fdt::Diag* diag = nullptr) {
    return fdt::parse_machine(b.data(), b.size(), info, diag);
}

TEST(FdtMachine, MinimalMachine) {
    Bytes b = basic_machine();
    fdt::Diag diag;
    ASSERT_TRUE(parse(b, &diag).ok()) << diag.what;
    EXPECT_STREQ(info.model, "test,machine");
    EXPECT_EQ(info.fdt_size, b.size());
    ASSERT_EQ(info.nr_banks, 1u);
    EXPECT_EQ(info.banks[0].range, (PhysRange{PhysAddr(0x80000000), 0x8000000}));
    EXPECT_EQ(info.banks[0].node, 0u);
    ASSERT_EQ(info.nr_harts, 1u);
    EXPECT_EQ(info.harts[0].hartid, 0u);
    EXPECT_TRUE(info.harts[0].enabled);
    EXPECT_STREQ(info.harts[0].isa, "rv64imafdc");
    EXPECT_EQ(info.timebase_frequency, TIMEBASE);
    EXPECT_EQ(info.nr_nodes, 1u);
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][0], 10);
    EXPECT_EQ(info.distance[0][1], 20);
    EXPECT_EQ(info.nr_reserved, 0u);
    EXPECT_EQ(info.bootargs, nullptr);
    EXPECT_FALSE(info.has_initrd);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtMachine, ResetsEverythingOnReuse) {
    Bytes big = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 1);
        memory_node(w, 0x90000000, 0, 0);
        cpus_node(w, {{0, 1}, {1, 1}});
        w.begin("chosen").prop_str("bootargs", "x").prop_u32("linux,initrd-start", {0x1000});
        w.prop_u32("linux,initrd-end", {0x2000}).end();
    });
    ASSERT_TRUE(parse(big).ok());
    ASSERT_EQ(info.nr_nodes, 2u);
    ASSERT_TRUE(info.has_initrd);
    ASSERT_EQ(info.nr_warnings, 1u);
    ASSERT_TRUE(parse(basic_machine()).ok());
    EXPECT_EQ(info.nr_banks, 1u);
    EXPECT_EQ(info.nr_harts, 1u);
    EXPECT_EQ(info.nr_nodes, 1u);
    EXPECT_EQ(info.bootargs, nullptr);
    EXPECT_FALSE(info.has_initrd);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtMachine, OpenErrorsPassThrough) {
    Bytes b = basic_machine();
    b[1] = 0;
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "magic"));
    Bytes c = basic_machine();
    fdt::Diag diag;
    Status s = fdt::parse_machine(c.data(), c.size() - 1, info, &diag);
    EXPECT_TRUE(failed_with(s.error(), diag, Error::OutOfRange, "totalsize"));
}

TEST(FdtMachine, ParsesAnOpenBlob) {
    Bytes b = basic_machine();
    Result<fdt::Blob> blob = open_bytes(b);
    ASSERT_TRUE(blob.ok());
    ASSERT_TRUE(fdt::parse_machine(*blob, info).ok());
    EXPECT_EQ(info.nr_banks, 1u);
}

TEST(FdtMachineMemory, EveryRegEntryIsABankAndAnyDepthCounts) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("memory@80000000").prop_str("device_type", "memory");
        w.prop("reg", cells({0, 0x80000000, 0, 0x1000, 0, 0x90000000, 0, 0x2000})).end();
        // Not a bank: a memory-like name without device_type.
        w.begin("memory@a0000000").prop("reg", reg64(0xa0000000, 0x1000)).end();
        // A bank below a bus with its own cell counts.
        w.begin("bus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {1});
        w.begin("sram@1000").prop_str("device_type", "memory").prop_u32("reg", {0x1000, 0x800}).end();
        w.end();
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_banks, 3u);
    EXPECT_EQ(info.banks[0].range, (PhysRange{PhysAddr(0x80000000), 0x1000}));
    EXPECT_EQ(info.banks[1].range, (PhysRange{PhysAddr(0x90000000), 0x2000}));
    EXPECT_EQ(info.banks[2].range, (PhysRange{PhysAddr(0x1000), 0x800}));
}

TEST(FdtMachineMemory, MissingMemoryIsNotFound) {
    Bytes b = tree([](FdtWriter& w) { cpus_node(w, {{0}}); });
    EXPECT_TRUE(machine_fails(b, Error::NotFound, "no memory node"));
}

TEST(FdtMachineMemory, ZeroSizedBanksAreSkippedWithAWarning) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0);
        memory_node(w, 0x90000000, 0x1000);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_banks, 1u);
    EXPECT_EQ(info.banks[0].range.base, PhysAddr(0x90000000));
    ASSERT_EQ(info.nr_warnings, 1u);
    EXPECT_TRUE(has_warning(info, "zero-sized memory bank"));
    EXPECT_NE(info.warnings[0].offset, fdt::NO_OFFSET);
}

TEST(FdtMachineMemory, OnlyZeroSizedBanksIsNotFound) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0);
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::NotFound, "no usable bank"));
}

TEST(FdtMachineMemory, DisabledAndReglessNodesAreSkipped) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("memory@0").prop_str("device_type", "memory").prop_str("status", "disabled");
        w.prop("reg", reg64(0, 0x1000)).end();
        w.begin("memory").prop_str("device_type", "memory").end();
        memory_node(w, 0x80000000, 0x1000);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_banks, 1u);
    EXPECT_EQ(info.banks[0].range.base, PhysAddr(0x80000000));
    EXPECT_TRUE(has_warning(info, "disabled memory node"));
    EXPECT_TRUE(has_warning(info, "memory node without reg"));
}

TEST(FdtMachineMemory, RegWithWrongLengthIsMalformed) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("memory@80000000").prop_str("device_type", "memory");
        w.prop("reg", cells({0, 0x80000000, 0x1000})).end();
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "reg is not a whole number"));
}

TEST(FdtMachineMemory, WideCellsAreUnsupported) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("bus").prop_u32("#address-cells", {3}).prop_u32("#size-cells", {1});
        w.begin("memory@0").prop_str("device_type", "memory").prop_u32("reg", {0, 0, 0, 1}).end();
        w.end();
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::Unsupported, "address cells"));
}

TEST(FdtMachineMemory, BadCellCountIsMalformed) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("bus").prop("#size-cells", Bytes{0, 1});
        w.begin("memory@0").prop_str("device_type", "memory").prop_u32("reg", {0, 0, 1}).end();
        w.end();
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "#address-cells or #size-cells"));
}

TEST(FdtMachineMemory, OverflowingBankIsOutOfRange) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0xfffffffffffff000, 0x1001);
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "memory bank base + size overflows"));
}

TEST(FdtMachineMemory, BankEndingAtTheTopIsAccepted) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0xfffffffffffff000, 0xfff);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.banks[0].range.end(), PhysAddr(~uint64_t(0)));
}

TEST(FdtMachineMemory, BankLimit) {
    auto banks = [](size_t n) {
        return tree([n](FdtWriter& w) {
            for (size_t i = 0; i < n; i++) memory_node(w, 0x80000000 + i * 0x100000, 0x100000);
            cpus_node(w, {{0}});
        });
    };
    ASSERT_TRUE(parse(banks(fdt::MAX_BANKS)).ok());
    EXPECT_EQ(info.nr_banks, fdt::MAX_BANKS);
    EXPECT_TRUE(machine_fails(banks(fdt::MAX_BANKS + 1), Error::Unsupported, "MAX_BANKS"));
}

TEST(FdtMachineMemory, WarningsBeyondTheListAreCounted) {
    Bytes b = tree([](FdtWriter& w) {
        for (int i = 0; i < 20; i++) memory_node(w, 0x80000000 + i * 0x1000, 0);
        memory_node(w, 0x90000000, 0x1000);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_warnings, fdt::MAX_WARNINGS);
    EXPECT_EQ(info.nr_dropped_warnings, 20 - fdt::MAX_WARNINGS);
}

TEST(FdtMachine, NonStringModelIsIgnoredWithAWarning) {
    FdtWriter w;
    w.begin("").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2}).prop_u32("model", {1});
    memory_node(w, 0x80000000, 0x1000);
    cpus_node(w, {{0}});
    w.end();
    ASSERT_TRUE(parse(w.finish()).ok());
    EXPECT_EQ(info.model, nullptr);
    EXPECT_TRUE(has_warning(info, "model"));
}

}  // namespace
