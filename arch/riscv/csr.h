// CSR access (RISC-V privileged spec, chapter 4 "Supervisor-Level ISA").
#pragma once

#include <stdint.h>

#define csr_read(csr)                                        \
    ({                                                       \
        uint64_t _v;                                         \
        asm volatile("csrr %0, " #csr : "=r"(_v)::"memory"); \
        _v;                                                  \
    })
#define csr_write(csr, val) asm volatile("csrw " #csr ", %0" ::"rK"(uint64_t(val)) : "memory")
#define csr_set(csr, bits) asm volatile("csrs " #csr ", %0" ::"rK"(uint64_t(bits)) : "memory")
#define csr_clear(csr, bits) asm volatile("csrc " #csr ", %0" ::"rK"(uint64_t(bits)) : "memory")

namespace riscv {

inline uint64_t rdinstret() {
    uint64_t v;
    asm volatile("rdinstret %0" : "=r"(v));
    return v;
}
inline uint64_t rdcycle() {
    uint64_t v;
    asm volatile("rdcycle %0" : "=r"(v));
    return v;
}
inline uint64_t rdtime() {
    uint64_t v;
    asm volatile("rdtime %0" : "=r"(v));
    return v;
}
inline void sfence_vma_all() { asm volatile("sfence.vma" ::: "memory"); }
inline void sfence_vma_addr(uint64_t va) { asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory"); }
inline void wfi() { asm volatile("wfi"); }
inline uintptr_t frame_pointer() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }

}  // namespace riscv
