// Shared assertions for the FDT tests.
#pragma once

#include <gtest/gtest.h>
#include <string.h>

#include "fdt/devices.h"
#include "fdt/fdt.h"
#include "fdt/machine.h"
#include "fdt_writer.h"

namespace fdt_test {

inline Result<fdt::Blob> open_bytes(const Bytes& b, fdt::Diag* diag = nullptr) {
    return fdt::Blob::open(b.data(), b.size(), diag);
}

// The result failed with `error`, and the Diag names the problem with a
// message containing `needle`.
inline ::testing::AssertionResult failed_with(Error got, const fdt::Diag& diag, Error error,
                                              const char* needle) {
    if (got != error)
        return ::testing::AssertionFailure()
               << "error " << error_name(got) << ", expected " << error_name(error)
               << " (diag: " << (diag.what ? diag.what : "null") << ")";
    if (diag.what == nullptr) return ::testing::AssertionFailure() << "Diag.what not set";
    if (strstr(diag.what, needle) == nullptr)
        return ::testing::AssertionFailure()
               << "Diag.what \"" << diag.what << "\" lacks \"" << needle << "\"";
    return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult open_fails(const Bytes& b, Error error, const char* needle,
                                             uint32_t* offset = nullptr) {
    fdt::Diag diag;
    Result<fdt::Blob> r = open_bytes(b, &diag);
    if (r.ok()) return ::testing::AssertionFailure() << "open() succeeded";
    if (offset) *offset = diag.offset;
    return failed_with(r.error(), diag, error, needle);
}

inline ::testing::AssertionResult machine_fails(const Bytes& b, Error error, const char* needle) {
    fdt::Diag diag;
    static fdt::MachineInfo info;
    Status s = fdt::parse_machine(b.data(), b.size(), info, &diag);
    if (s.ok()) return ::testing::AssertionFailure() << "parse_machine() succeeded";
    return failed_with(s.error(), diag, error, needle);
}

// True when some warning of `info` (a MachineInfo or a DeviceInfo)
// contains `needle`.
template <typename Info>
bool has_warning(const Info& info, const char* needle) {
    for (size_t i = 0; i < info.nr_warnings; i++)
        if (strstr(info.warnings[i].what, needle) != nullptr) return true;
    return false;
}

}  // namespace fdt_test
