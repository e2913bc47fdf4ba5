// parse_machine() on synthetic trees, in the order of machine.cc: the whole
// result, /chosen, memory banks, reserved ranges, harts and the timebase
// from /cpus, NUMA node ids and the distance map.
#include "fdt/machine.h"

#include <gtest/gtest.h>
#include <string.h>

#include <vector>

#include "fdt_writer.h"
#include "machine_builder.h"
#include "test_util.h"

using namespace fdt_test;

namespace {

fdt::MachineInfo info;  // large: keep it out of the stack, as boot does

Status parse(const Bytes& b, fdt::Diag* diag = nullptr) {
    return fdt::parse_machine(b.data(), b.size(), info, diag);
}

// --- The whole machine -------------------------------------------------------

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

// --- /chosen: bootargs and the initrd ----------------------------------------

Bytes with_chosen(const std::function<void(FdtWriter&)>& body) {
    return basic_machine([&](FdtWriter& w) {
        w.begin("chosen");
        body(w);
        w.end();
    });
}

TEST(FdtMachineChosen, BootargsAndInitrd32) {
    Bytes b = with_chosen([](FdtWriter& w) {
        w.prop_str("bootargs", "console=ttyS0 kernelcore=512M");
        w.prop_u32("linux,initrd-start", {0x88200000}).prop_u32("linux,initrd-end", {0x88201000});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_STREQ(info.bootargs, "console=ttyS0 kernelcore=512M");
    ASSERT_TRUE(info.has_initrd);
    EXPECT_EQ(info.initrd, (PhysRange{PhysAddr(0x88200000), 0x1000}));
}

TEST(FdtMachineChosen, Initrd64AndMixedWidths) {
    Bytes b = with_chosen([](FdtWriter& w) {
        w.prop_u32("linux,initrd-start", {0x0, 0x88200000}).prop_u32("linux,initrd-end", {0x1, 0x0});
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_TRUE(info.has_initrd);
    EXPECT_EQ(info.initrd, (PhysRange{PhysAddr(0x88200000), 0x100000000 - 0x88200000}));
    EXPECT_EQ(info.bootargs, nullptr);
}

TEST(FdtMachineChosen, EmptyChosenMeansNothing) {
    ASSERT_TRUE(parse(with_chosen([](FdtWriter&) {})).ok());
    EXPECT_EQ(info.bootargs, nullptr);
    EXPECT_FALSE(info.has_initrd);
}

TEST(FdtMachineChosen, InitrdErrors) {
    EXPECT_TRUE(machine_fails(with_chosen([](FdtWriter& w) { w.prop_u32("linux,initrd-start", {1}); }),
                              Error::Malformed, "only one of"));
    EXPECT_TRUE(machine_fails(with_chosen([](FdtWriter& w) { w.prop_u32("linux,initrd-end", {1}); }),
                              Error::Malformed, "only one of"));
    EXPECT_TRUE(
        machine_fails(with_chosen([](FdtWriter& w) {
                          w.prop_u32("linux,initrd-start", {0x2000}).prop_u32("linux,initrd-end", {0x1000});
                      }),
                      Error::Malformed, "below"));
    EXPECT_TRUE(
        machine_fails(with_chosen([](FdtWriter& w) {
                          w.prop_u32("linux,initrd-start", {0, 0, 1}).prop_u32("linux,initrd-end", {1});
                      }),
                      Error::Malformed, "linux,initrd-start is not one or two cells"));
    EXPECT_TRUE(machine_fails(with_chosen([](FdtWriter& w) {
                                  w.prop_u32("linux,initrd-start", {1}).prop("linux,initrd-end", Bytes{1});
                              }),
                              Error::Malformed, "linux,initrd-end is not one or two cells"));
}

TEST(FdtMachineChosen, EmptyInitrdIsAWarning) {
    Bytes b = with_chosen([](FdtWriter& w) {
        w.prop_u32("linux,initrd-start", {0x1000}).prop_u32("linux,initrd-end", {0x1000});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_FALSE(info.has_initrd);
    EXPECT_TRUE(has_warning(info, "empty initrd"));
}

TEST(FdtMachineChosen, BootargsMustBeAString) {
    Bytes b = with_chosen([](FdtWriter& w) { w.prop("bootargs", Bytes{'a'}); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "bootargs"));
}

// --- Memory banks ------------------------------------------------------------

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

// --- Reserved ranges: the memreserve block and /reserved-memory --------------

// A machine whose /reserved-memory holds what `body` adds, with
// `memreserve` entries in the reservation block.
Bytes with_reserved(const std::function<void(FdtWriter&)>& body,
                    std::initializer_list<std::pair<uint64_t, uint64_t>> memreserve = {},
                    uint32_t cells = 2) {
    FdtWriter w;
    for (auto [a, s] : memreserve) w.reserve(a, s);
    root(w, [&](FdtWriter& t) {
        memory_node(t, 0x80000000, 0x8000000);
        cpus_node(t, {{0}});
        t.begin("reserved-memory").prop_u32("#address-cells", {cells}).prop_u32("#size-cells", {cells});
        t.prop("ranges");
        body(t);
        t.end();
    });
    return w.finish();
}

void region(FdtWriter& w, const char* name, uint64_t base, uint64_t size, bool no_map) {
    w.begin(name).prop("reg", reg64(base, size));
    if (no_map) w.prop("no-map");
    w.end();
}

TEST(FdtReserved, MemReserveBlockAndReservedMemoryNodes) {
    Bytes b = with_reserved(
        [](FdtWriter& w) {
            region(w, "mmode_resv0@80000000", 0x80000000, 0x40000, true);
            region(w, "mmode_resv1@80040000", 0x80040000, 0x20000, true);
            region(w, "shm@84000000", 0x84000000, 0x200000, false);
        },
        {{0x87000000, 0x10000}});
    fdt::Diag diag;
    ASSERT_TRUE(fdt::parse_machine(b.data(), b.size(), info, &diag).ok()) << diag.what;
    ASSERT_EQ(info.nr_reserved, 4u);
    EXPECT_EQ(info.reserved[0].source, fdt::ReservedSource::MemReserveBlock);
    EXPECT_EQ(info.reserved[0].range, (PhysRange{PhysAddr(0x87000000), 0x10000}));
    EXPECT_FALSE(info.reserved[0].no_map);
    EXPECT_STREQ(info.reserved[0].name, "/memreserve/");
    EXPECT_EQ(info.reserved[1].source, fdt::ReservedSource::ReservedMemoryNode);
    EXPECT_EQ(info.reserved[1].range, (PhysRange{PhysAddr(0x80000000), 0x40000}));
    EXPECT_TRUE(info.reserved[1].no_map);
    EXPECT_STREQ(info.reserved[1].name, "mmode_resv0@80000000");
    EXPECT_TRUE(info.reserved[2].no_map);
    EXPECT_STREQ(info.reserved[3].name, "shm@84000000");
    EXPECT_FALSE(info.reserved[3].no_map);
    EXPECT_EQ(info.nr_warnings, 0u);
}

TEST(FdtReserved, ChildrenUseReservedMemoryCellCounts) {
    Bytes b = with_reserved(
        [](FdtWriter& w) {
            w.begin("fw@80000000").prop_u32("reg", {0x80000000, 0x1000, 0x80010000, 0x2000}).end();
        },
        {}, 1);
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_reserved, 2u);
    EXPECT_EQ(info.reserved[0].range, (PhysRange{PhysAddr(0x80000000), 0x1000}));
    EXPECT_EQ(info.reserved[1].range, (PhysRange{PhysAddr(0x80010000), 0x2000}));
    EXPECT_STREQ(info.reserved[1].name, "fw@80000000");
}

TEST(FdtReserved, SkipsDynamicDisabledAndEmptyRegions) {
    Bytes b = with_reserved([](FdtWriter& w) {
        w.begin("pool").prop("size", cells({0, 0x400000})).prop("alloc-ranges", reg64(0x80000000, 0x8000000));
        w.end();
        w.begin("off@90000000").prop("reg", reg64(0x90000000, 0x1000)).prop_str("status", "disabled").end();
        region(w, "empty@91000000", 0x91000000, 0, true);
        region(w, "real@92000000", 0x92000000, 0x1000, false);
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_reserved, 1u);
    EXPECT_STREQ(info.reserved[0].name, "real@92000000");
    EXPECT_TRUE(has_warning(info, "dynamic placement"));
    EXPECT_TRUE(has_warning(info, "disabled reserved-memory"));
    EXPECT_TRUE(has_warning(info, "zero-sized reserved-memory"));
}

TEST(FdtReserved, OverflowingRegionIsOutOfRange) {
    Bytes b = with_reserved([](FdtWriter& w) { region(w, "x@0", 0xffffffffffff0000, 0x10001, false); });
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "reserved-memory base + size overflows"));
}

TEST(FdtReserved, OverflowingMemReserveIsOutOfRange) {
    Bytes b = with_reserved([](FdtWriter&) {}, {{0xfffffffffffff000, 0x2000}});
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "memreserve base + size overflows"));
}

TEST(FdtReserved, RegionWithBadRegIsMalformed) {
    Bytes b = with_reserved([](FdtWriter& w) { w.begin("x@0").prop_u32("reg", {0, 0, 1}).end(); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "reg is not a whole number"));
}

TEST(FdtReserved, RangeLimit) {
    auto ranges = [](size_t rsv_entries, size_t nodes) {
        FdtWriter w;
        for (size_t i = 0; i < rsv_entries; i++) w.reserve(0x80000000 + i * 0x1000, 0x1000);
        root(w, [&](FdtWriter& t) {
            memory_node(t, 0x80000000, 0x8000000);
            cpus_node(t, {{0}});
            t.begin("reserved-memory").prop_u32("#address-cells", {2}).prop_u32("#size-cells", {2});
            for (size_t i = 0; i < nodes; i++)
                region(t, unit_name("r", 0x90000000 + i * 0x1000).c_str(), 0x90000000 + i * 0x1000, 0x1000,
                       false);
            t.end();
        });
        return w.finish();
    };
    ASSERT_TRUE(parse(ranges(fdt::MAX_RESERVED / 2, fdt::MAX_RESERVED / 2)).ok());
    EXPECT_EQ(info.nr_reserved, fdt::MAX_RESERVED);
    EXPECT_TRUE(machine_fails(ranges(fdt::MAX_RESERVED / 2, fdt::MAX_RESERVED / 2 + 1), Error::Unsupported,
                              "MAX_RESERVED"));
    EXPECT_TRUE(machine_fails(ranges(fdt::MAX_RESERVED + 1, 0), Error::Unsupported, "MAX_RESERVED"));
}

// --- /cpus: harts and the timebase -------------------------------------------

TEST(FdtMachineCpus, HartsWithStatusIsaAndNodes) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        cpus_node(w, {{0}, {3, -1, "disabled"}, {7, -1, nullptr, nullptr}, {2, -1, "ok", "rv64gc"}});
    });
    ASSERT_TRUE(parse(b).ok());
    ASSERT_EQ(info.nr_harts, 4u);  // cpu-map is not a hart
    EXPECT_EQ(info.harts[1].hartid, 3u);
    EXPECT_FALSE(info.harts[1].enabled);
    EXPECT_EQ(info.harts[2].hartid, 7u);
    EXPECT_TRUE(info.harts[2].enabled);
    EXPECT_EQ(info.harts[2].isa, nullptr);
    EXPECT_TRUE(info.harts[3].enabled);
    EXPECT_STREQ(info.harts[3].isa, "rv64gc");
}

TEST(FdtMachineCpus, MissingCpusIsNotFound) {
    Bytes b = tree([](FdtWriter& w) { memory_node(w, 0x80000000, 0x1000); });
    EXPECT_TRUE(machine_fails(b, Error::NotFound, "no /cpus"));
}

TEST(FdtMachineCpus, NoCpuNodeIsNotFound) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        cpus_node(w, {});
    });
    EXPECT_TRUE(machine_fails(b, Error::NotFound, "no cpu node"));
}

TEST(FdtMachineCpus, TimebaseIsRequiredAndMayBe64Bit) {
    auto with_timebase = [](const Bytes& value, bool present) {
        return tree([&](FdtWriter& w) {
            memory_node(w, 0x80000000, 0x1000);
            w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
            if (present) w.prop("timebase-frequency", value);
            cpu_node(w, {0});
            w.end();
        });
    };
    EXPECT_TRUE(machine_fails(with_timebase({}, false), Error::NotFound, "timebase-frequency"));
    EXPECT_TRUE(machine_fails(with_timebase({0, 0, 1}, true), Error::Malformed, "timebase-frequency"));
    ASSERT_TRUE(parse(with_timebase(cells({1, 0}), true)).ok());
    EXPECT_EQ(info.timebase_frequency, uint64_t(1) << 32);
}

Bytes one_cpu(const std::function<void(FdtWriter&)>& cpu_body, uint32_t address_cells = 1) {
    return tree([&](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        w.begin("cpus").prop_u32("#address-cells", {address_cells}).prop_u32("#size-cells", {0});
        w.prop_u32("timebase-frequency", {TIMEBASE});
        w.begin("cpu@0").prop_str("device_type", "cpu");
        cpu_body(w);
        w.end().end();
    });
}

TEST(FdtMachineCpus, CpuWithoutRegIsMalformed) {
    EXPECT_TRUE(machine_fails(one_cpu([](FdtWriter&) {}), Error::Malformed, "cpu node without reg"));
}

TEST(FdtMachineCpus, CpuRegMustHoldOneHartId) {
    Bytes b = one_cpu([](FdtWriter& w) { w.prop_u32("reg", {0, 1}); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "exactly one hart id"));
}

TEST(FdtMachineCpus, WideHartIds) {
    Bytes ok = one_cpu([](FdtWriter& w) { w.prop_u32("reg", {0, 0xffffffff}); }, 2);
    ASSERT_TRUE(parse(ok).ok());
    EXPECT_EQ(info.harts[0].hartid, 0xffffffffu);
    Bytes wide = one_cpu([](FdtWriter& w) { w.prop_u32("reg", {1, 0}); }, 2);
    EXPECT_TRUE(machine_fails(wide, Error::Unsupported, "hart id wider than 32 bits"));
}

TEST(FdtMachineCpus, MalformedIsa) {
    Bytes b = one_cpu([](FdtWriter& w) { w.prop_u32("reg", {0}).prop("riscv,isa", Bytes{'r', 'v'}); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "riscv,isa"));
}

TEST(FdtMachineCpus, DuplicateHartIdIsMalformed) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.prop_u32("timebase-frequency", {TIMEBASE});
        w.begin("cpu@1").prop_str("device_type", "cpu").prop_u32("reg", {1}).end();
        w.begin("cpu@01").prop_str("device_type", "cpu").prop_u32("reg", {1}).end();
        w.end();
    });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "duplicate hart id"));
}

TEST(FdtMachineCpus, HartLimit) {
    auto harts = [](uint32_t n) {
        return tree([n](FdtWriter& w) {
            memory_node(w, 0x80000000, 0x1000);
            std::vector<CpuSpec> cpus;
            for (uint32_t i = 0; i < n; i++) cpus.push_back({i});
            cpus_node(w, cpus);
        });
    };
    ASSERT_TRUE(parse(harts(fdt::MAX_HARTS)).ok());
    EXPECT_EQ(info.nr_harts, fdt::MAX_HARTS);
    EXPECT_EQ(info.harts[fdt::MAX_HARTS - 1].hartid, fdt::MAX_HARTS - 1);
    EXPECT_TRUE(machine_fails(harts(fdt::MAX_HARTS + 1), Error::Unsupported, "MAX_HARTS"));
}

// --- NUMA node ids, the single-node fallback, the distance map ---------------

// Two nodes (memory and a hart each) plus `extra`.
Bytes two_nodes(const std::function<void(FdtWriter&)>& extra = {}) {
    return tree([&](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x40000000, 0);
        memory_node(w, 0xc0000000, 0x40000000, 1);
        cpus_node(w, {{0, 0}, {1, 1}});
        if (extra) extra(w);
    });
}

Bytes one_hart_with_bad_node() {
    return tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000);
        w.begin("cpus").prop_u32("#address-cells", {1}).prop_u32("#size-cells", {0});
        w.prop_u32("timebase-frequency", {TIMEBASE});
        w.begin("cpu@0").prop_str("device_type", "cpu").prop_u32("reg", {0}).prop("numa-node-id", Bytes{1});
        w.end().end();
    });
}

void distance_map(FdtWriter& w, const std::vector<uint32_t>& triples,
                  const char* compatible = "numa-distance-map-v1") {
    Bytes b;
    for (uint32_t v : triples) put_be32(b, v);
    w.begin("distance-map").prop_str("compatible", compatible).prop("distance-matrix", b).end();
}

TEST(FdtNuma, NodeIdsOfBanksAndHarts) {
    ASSERT_TRUE(parse(two_nodes()).ok());
    EXPECT_EQ(info.nr_nodes, 2u);
    EXPECT_EQ(info.banks[0].node, 0u);
    EXPECT_EQ(info.banks[1].node, 1u);
    EXPECT_EQ(info.harts[0].node, 0u);
    EXPECT_EQ(info.harts[1].node, 1u);
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
    EXPECT_EQ(info.distance[1][1], 10);
}

TEST(FdtNuma, HighestIdSetsTheNodeCount) {
    // A hart-only node counts too; ids need not be dense.
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0);
        cpus_node(w, {{0, 0}, {1, 5}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 6u);
}

TEST(FdtNuma, MalformedNodeId) {
    Bytes b = tree([](FdtWriter& w) {
        w.begin("memory@0").prop_str("device_type", "memory").prop("reg", reg64(0, 0x1000));
        w.prop("numa-node-id", cells({0, 1})).end();
        cpus_node(w, {{0}});
    });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "numa-node-id"));
    Bytes c = one_hart_with_bad_node();
    EXPECT_TRUE(machine_fails(c, Error::Malformed, "numa-node-id"));
}

TEST(FdtNuma, TooManyNodesFallsBackToOneNode) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0);
        memory_node(w, 0x90000000, 0x1000, int(mm::MAX_NUMNODES));
        cpus_node(w, {{0, 1}, {1, int(mm::MAX_NUMNODES)}});
        distance_map(w, {0, 1, 20, 1, 0, 20});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 1u);
    ASSERT_EQ(info.nr_banks, 2u);
    EXPECT_EQ(info.banks[1].node, 0u);
    EXPECT_EQ(info.harts[0].node, 0u);
    EXPECT_EQ(info.harts[1].node, 0u);
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
    EXPECT_TRUE(has_warning(info, "MAX_NUMNODES"));
    EXPECT_TRUE(has_warning(info, "distance-map ignored"));
}

TEST(FdtNuma, HugeNodeIdFallsBackToo) {
    Bytes b = tree([](FdtWriter& w) {
        memory_node(w, 0x80000000, 0x1000, 0x7fffffff);
        cpus_node(w, {{0}});
    });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.nr_nodes, 1u);
    EXPECT_EQ(info.banks[0].node, 0u);
}

TEST(FdtNuma, DistanceMatrix) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 0, 10, 0, 1, 30, 1, 0, 30, 1, 1, 10}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_TRUE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][0], 10);
    EXPECT_EQ(info.distance[0][1], 30);
    EXPECT_EQ(info.distance[1][0], 30);
    EXPECT_EQ(info.distance[1][1], 10);
}

TEST(FdtNuma, OneDirectionStandsForBoth) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {1, 0, 25}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.distance[1][0], 25);
    EXPECT_EQ(info.distance[0][1], 25);
}

TEST(FdtNuma, ExplicitReverseDistanceWinsWhateverTheOrder) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {1, 0, 40, 0, 1, 25}); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_EQ(info.distance[0][1], 25);
    EXPECT_EQ(info.distance[1][0], 40);
}

TEST(FdtNuma, MapIsFoundByCompatibleOnly) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 1, 99}, "numa-distance-map-v2"); });
    ASSERT_TRUE(parse(b).ok());
    EXPECT_FALSE(info.has_distance_map);
    EXPECT_EQ(info.distance[0][1], 20);
}

TEST(FdtNuma, MapWithoutMatrix) {
    Bytes b = two_nodes(
        [](FdtWriter& w) { w.begin("distance-map").prop_str("compatible", "numa-distance-map-v1").end(); });
    EXPECT_TRUE(machine_fails(b, Error::Malformed, "no distance-matrix"));
}

TEST(FdtNuma, MatrixMustBeWholeTriples) {
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1});
                              }),
                              Error::Malformed, "triples"));
    EXPECT_TRUE(
        machine_fails(two_nodes([](FdtWriter& w) { distance_map(w, {}); }), Error::Malformed, "triples"));
}

TEST(FdtNuma, MatrixNodeOutOfRange) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, mm::MAX_NUMNODES, 20}); });
    EXPECT_TRUE(machine_fails(b, Error::OutOfRange, "node id >= MAX_NUMNODES"));
}

TEST(FdtNuma, BadDistances) {
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 256});
                              }),
                              Error::Malformed, "above 255"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {1, 1, 20});
                              }),
                              Error::Malformed, "self-distance"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 10});
                              }),
                              Error::Malformed, "remote distance"));
    EXPECT_TRUE(machine_fails(two_nodes([](FdtWriter& w) {
                                  distance_map(w, {0, 1, 5});
                              }),
                              Error::Malformed, "remote distance"));
}

TEST(FdtNuma, DiagPointsAtTheBadTriple) {
    Bytes b = two_nodes([](FdtWriter& w) { distance_map(w, {0, 1, 20, 1, 1, 11}); });
    fdt::Diag diag;
    ASSERT_FALSE(fdt::parse_machine(b.data(), b.size(), info, &diag).ok());
    ASSERT_NE(diag.offset, fdt::NO_OFFSET);
    EXPECT_EQ(get_be32(b, diag.offset), 1u);
    EXPECT_EQ(get_be32(b, diag.offset + 4), 1u);
    EXPECT_EQ(get_be32(b, diag.offset + 8), 11u);
}

}  // namespace
