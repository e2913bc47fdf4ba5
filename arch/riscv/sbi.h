// Supervisor Binary Interface calls (RISC-V SBI spec v1.0: chapter 3
// binary encoding, 5 legacy console, 10 system reset).
#pragma once

#include <stdint.h>

namespace sbi {

struct Ret {
    long error;
    long value;
};

Ret call(uint64_t ext, uint64_t fid, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0);

// Legacy console (EID 0x01): one character, blocking.
void console_putchar(char c);

// Base extension (EID 0x10): spec version and implementation.
long spec_version();
long impl_id();
long impl_version();
bool probe_extension(uint64_t ext);

// Timer extension "TIME" (EID 0x54494D45): interrupt when time >= deadline.
void set_timer(uint64_t deadline);

// System Reset extension "SRST" (EID 0x53525354).
enum class ResetType : uint32_t { Shutdown = 0, ColdReboot = 1, WarmReboot = 2 };
enum class ResetReason : uint32_t { None = 0, SystemFailure = 1 };
void system_reset(ResetType type, ResetReason reason);

}  // namespace sbi
