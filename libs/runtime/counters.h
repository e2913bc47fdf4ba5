// Two of the unprivileged counters (priv spec 2.8 "Zicntr"): instret and
// time. U-mode may read them because the kernel sets scounteren (CY, TM,
// IR). Under QEMU with -icount shift=0,sleep=off, instret is deterministic.
#pragma once

#include <stdint.h>

inline uint64_t read_instret() {
    uint64_t v;
    asm volatile("rdinstret %0" : "=r"(v));
    return v;
}

// QEMU virt's timebase is 10 MHz (the FDT's /cpus timebase-frequency).
inline uint64_t read_time() {
    uint64_t v;
    asm volatile("rdtime %0" : "=r"(v));
    return v;
}
