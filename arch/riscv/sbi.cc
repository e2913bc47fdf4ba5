#include "arch/riscv/sbi.h"

namespace sbi {

namespace {
constexpr uint64_t EXT_LEGACY_PUTCHAR = 0x01;
constexpr uint64_t EXT_BASE = 0x10;
constexpr uint64_t EXT_SRST = 0x53525354;
constexpr uint64_t EXT_TIME = 0x54494D45;
}  // namespace

Ret call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2) {
    register uint64_t r_a0 asm("a0") = a0;
    register uint64_t r_a1 asm("a1") = a1;
    register uint64_t r_a2 asm("a2") = a2;
    register uint64_t r_a6 asm("a6") = fid;
    register uint64_t r_a7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
    return Ret{long(r_a0), long(r_a1)};
}

void console_putchar(char c) {
    register uint64_t r_a0 asm("a0") = uint8_t(c);
    register uint64_t r_a7 asm("a7") = EXT_LEGACY_PUTCHAR;
    asm volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "a1", "memory");
}

long spec_version() { return call(EXT_BASE, 0).value; }
long impl_id() { return call(EXT_BASE, 1).value; }
long impl_version() { return call(EXT_BASE, 2).value; }
bool probe_extension(uint64_t ext) { return call(EXT_BASE, 3, ext).value != 0; }

void set_timer(uint64_t deadline) { call(EXT_TIME, 0, deadline); }

void system_reset(ResetType type, ResetReason reason) { call(EXT_SRST, 0, uint64_t(type), uint64_t(reason)); }

}  // namespace sbi
