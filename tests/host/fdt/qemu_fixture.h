// The device trees QEMU dumps at build time (CMakeLists.txt), for the
// tests that read them.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "fdt_writer.h"

namespace fdt_test {

// Where the tree of the configuration `name` was dumped.
inline std::string fixture_path(const char* name) {
    return std::string(TERN_FDT_FIXTURES) + "/" + name + ".dtb";
}

// The whole file, which may run past the blob's totalsize (QEMU pads
// its dumps).
inline Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace fdt_test
