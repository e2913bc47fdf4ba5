// S-mode trap handling. Every kernel trap is unexpected so far: it is
// reported in full (cause decoded, sepc and stval with symbols, all
// registers, a backtrace) and the machine ends with a failure status.
#include "csr.h"
#include "entry.h"
#include "lib/log.h"
#include "lib/panic.h"
#include "platform.h"
#include "riscv_platform.h"
#include "scause.h"
#include "trap.h"

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

extern "C" void trap_handler(riscv::TrapFrame* f) { unexpected_trap(*f); }

// Traps from U-mode (trap.S from_user): decode and hand to the generic kernel.
extern "C" [[noreturn]] void user_trap(UserContext* ctx) {
    riscv::Scause cause{csr_read(scause)};
    uint64_t stval = csr_read(stval);
    using abi::FaultAccess;
    using abi::FaultKind;
    using E = riscv::Scause;
    if (cause.is_interrupt()) {
        if (cause.code() == E::SupervisorTimer) kernel_timer();
        // Nothing else is enabled; a stray interrupt just resumes the thread.
        kernel_timer();
    }
    switch (cause.code()) {
    case E::EcallFromU: kernel_syscall(ctx);
    case E::InstructionPageFault:
        kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Exec, cause.name());
    case E::LoadPageFault: kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Read, cause.name());
    case E::StorePageFault: kernel_user_fault(FaultKind::PageFault, stval, FaultAccess::Write, cause.name());
    case E::InstructionAccessFault:
        kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Exec, cause.name());
    case E::LoadAccessFault: kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Read, cause.name());
    case E::StoreAccessFault: kernel_user_fault(FaultKind::AccessFault, stval, FaultAccess::Write, cause.name());
    case E::IllegalInstruction:
        kernel_user_fault(FaultKind::IllegalInstruction, stval, FaultAccess::Exec, cause.name());
    case E::InstructionMisaligned:
        kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Exec, cause.name());
    case E::LoadMisaligned: kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Read, cause.name());
    case E::StoreMisaligned: kernel_user_fault(FaultKind::Misaligned, stval, FaultAccess::Write, cause.name());
    default: kernel_user_fault(FaultKind::Other, stval, FaultAccess::Read, cause.name());
    }
}
