// S-mode trap handling. Every kernel trap is unexpected so far: it is
// reported in full (cause decoded, sepc and stval with symbols, all
// registers, a backtrace) and the machine ends with a failure status.
#include "arch/riscv/trap.h"

#include "arch/riscv/asm_symbols.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/riscv_platform.h"
#include "arch/riscv/scause.h"
#include "kernel/entry.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/platform.h"

namespace {

[[noreturn]] void unexpected_trap(const riscv::TrapFrame& f) {
    TextSink out = klog::console_sink();
    riscv::Scause cause{f.scause};
    format(out, "\nKERNEL PANIC: unexpected trap in S-mode: %s (scause 0x%lx)\n", cause.name(),
           static_cast<unsigned long>(f.scause));
    format(out, " sepc: %016lx", static_cast<unsigned long>(f.sepc));
    riscv::print_symbol(out, f.sepc);
    format(out, "\nstval: %016lx\n", static_cast<unsigned long>(f.stval));
    riscv::dump_registers(out, f);
    riscv::backtrace(out, f.regs[8], f.sepc, f.regs[1]);
    platform::exit(PANIC_EXIT_STATUS);
}

}  // namespace

void trap_handler(riscv::TrapFrame* f) { unexpected_trap(*f); }

// Traps from U-mode (trap.S from_user): decode and hand to the generic kernel.
TRAP_LEAF TrapExit user_trap(UserContext* ctx) {
    using abi::FaultAccess;
    using abi::FaultKind;
    using E = riscv::Scause;
    riscv::Scause cause{csr_read(scause)};
    (void)ctx;  // ecall never comes here: trap.S sends it to kernel_syscall
    // The timer and external interrupts are enabled; any other just reschedules.
    if (cause.is_interrupt())
        return cause.code() == E::SupervisorExternal ? kernel_external_interrupt() : kernel_timer();
    uint64_t stval = csr_read(stval);
    switch (cause.code()) {
        case E::InstructionPageFault:
            return kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Exec, cause.name());
        case E::LoadPageFault:
            return kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Read, cause.name());
        case E::StorePageFault:
            return kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Write, cause.name());
        case E::InstructionAccessFault:
            return kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Exec, cause.name());
        case E::LoadAccessFault:
            return kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Read, cause.name());
        case E::StoreAccessFault:
            return kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Write, cause.name());
        case E::IllegalInstruction:
            return kernel_user_fault(FaultKind::IllegalInstruction, stval, FaultAccess::Exec, cause.name());
        case E::InstructionMisaligned:
            return kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Exec, cause.name());
        case E::LoadMisaligned:
            return kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Read, cause.name());
        case E::StoreMisaligned:
            return kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Write, cause.name());
        default:
            return kernel_user_fault(FaultKind::Other, stval, FaultAccess::Read, cause.name());
    }
}
