// Probes and timing shared by the test programs.
#pragma once

#include <stdint.h>

#include "base/addr.h"
#include "base/result.h"
#include "runtime/counters.h"
#include "runtime/syscall.h"

// Readable by us? Asks the kernel to print the one byte at `va`
// (Sys::DebugWrite checks the whole range before printing). Callers put a
// '\r' there, so a successful probe adds nothing visible to the log.
inline Error probe_read(VirtAddr va) { return sys::debug_write(va.raw(), 1).error(); }
inline bool readable(VirtAddr va) { return probe_read(va) == Error::None; }

// Whether the thread behind `thread_slot` has ended: ThreadStart on it
// answers DeadObject. The probe passes pc 0, which no live thread accepts,
// so it never starts anything.
inline bool thread_dead(unsigned thread_slot) {
    return sys::thread_start(thread_slot, 0, 0, 0).error() == Error::DeadObject;
}

// Yields until the thread is dead, at most `tries` times.
inline bool wait_thread_dead(unsigned thread_slot, unsigned tries = 1000) {
    for (unsigned i = 0; i < tries; i++) {
        if (thread_dead(thread_slot)) return true;
        (void)sys::yield();
    }
    return false;
}

// Spins (without yielding) for `us` microseconds of the time CSR (QEMU
// virt: 10 MHz).
inline void spin_us(uint64_t us) {
    const uint64_t end = read_time() + us * 10;
    while (read_time() < end) {
    }
}

// A value that is not a valid address anywhere: above the user half and
// below the kernel half of Sv39.
inline constexpr uint64_t NONCANONICAL_VA = 0x0000'8000'0000'0000ull;
// The start of the kernel half (Sv39: sign-extended bit 38).
inline constexpr uint64_t KERNEL_HALF_VA = 0xffff'ffc0'0000'0000ull;
// Where the kernel image lies on QEMU virt (OpenSBI jumps to 0x80200000).
inline constexpr uint64_t KERNEL_TEXT_VA = 0xffff'ffff'8020'0000ull;
