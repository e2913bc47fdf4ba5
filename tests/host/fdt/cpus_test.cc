// parse_machine(): harts and the timebase from /cpus.
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

}  // namespace
