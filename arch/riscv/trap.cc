// S-mode trap handling. Every kernel trap is unexpected so far: it is
// reported in full (cause decoded, sepc and stval with symbols, all
// registers, a backtrace) and the machine ends with a failure status.
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
