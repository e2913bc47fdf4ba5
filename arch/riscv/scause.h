// scause (RISC-V privileged spec 20211203, 4.1.9, table 4.2) and sstatus
// (4.1.1) layouts, with names for log lines.
#pragma once

#include <stdint.h>

#include "arch/riscv/field.h"

namespace riscv {

struct Scause {
    using Interrupt = Field<63, 1>;
    using Code = Field<0, 63>;

    // Exception codes (Interrupt = 0).
    enum Exception : uint64_t {
        InstructionMisaligned = 0,
        InstructionAccessFault = 1,
        IllegalInstruction = 2,
        Breakpoint = 3,
        LoadMisaligned = 4,
        LoadAccessFault = 5,
        StoreMisaligned = 6,
        StoreAccessFault = 7,
        EcallFromU = 8,
        EcallFromS = 9,
        InstructionPageFault = 12,
        LoadPageFault = 13,
        StorePageFault = 15,
    };
    // Interrupt codes (Interrupt = 1).
    enum Irq : uint64_t { SupervisorSoftware = 1, SupervisorTimer = 5, SupervisorExternal = 9 };

    uint64_t raw = 0;
    constexpr bool is_interrupt() const { return Interrupt::get(raw); }
    constexpr uint64_t code() const { return Code::get(raw); }
    constexpr bool is_page_fault() const {
        return !is_interrupt() &&
               (code() == InstructionPageFault || code() == LoadPageFault || code() == StorePageFault);
    }

    constexpr const char* name() const {
        if (is_interrupt()) {
            switch (code()) {
                case SupervisorSoftware:
                    return "supervisor software interrupt";
                case SupervisorTimer:
                    return "supervisor timer interrupt";
                case SupervisorExternal:
                    return "supervisor external interrupt";
                default:
                    return "reserved interrupt";
            }
        }
        switch (code()) {
            case InstructionMisaligned:
                return "instruction address misaligned";
            case InstructionAccessFault:
                return "instruction access fault";
            case IllegalInstruction:
                return "illegal instruction";
            case Breakpoint:
                return "breakpoint";
            case LoadMisaligned:
                return "load address misaligned";
            case LoadAccessFault:
                return "load access fault";
            case StoreMisaligned:
                return "store/AMO address misaligned";
            case StoreAccessFault:
                return "store/AMO access fault";
            case EcallFromU:
                return "environment call from U-mode";
            case EcallFromS:
                return "environment call from S-mode";
            case InstructionPageFault:
                return "instruction page fault";
            case LoadPageFault:
                return "load page fault";
            case StorePageFault:
                return "store/AMO page fault";
            default:
                return "reserved exception";
        }
    }
};

struct Sstatus {
    using SIE = Field<1, 1>;
    using SPIE = Field<5, 1>;
    using UBE = Field<6, 1>;
    using SPP = Field<8, 1>;
    using VS = Field<9, 2>;
    using FS = Field<13, 2>;
    using XS = Field<15, 2>;
    using SUM = Field<18, 1>;
    using MXR = Field<19, 1>;
    using UXL = Field<32, 2>;
    using SD = Field<63, 1>;
    uint64_t raw = 0;
};

}  // namespace riscv
