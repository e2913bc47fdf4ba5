// parse_machine(): bootargs and the initrd from /chosen.
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

}  // namespace
