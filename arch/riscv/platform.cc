// platform.h for RISC-V on QEMU virt: SBI console, rdtime/rdinstret,
// sifive_test exit, register dumps and frame-pointer backtraces.
#include "kernel/platform.h"

#include "arch/riscv/asm_symbols.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/layout.h"
#include "arch/riscv/riscv_platform.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/uctx.h"
#include "kernel/lib/ksyms.h"

// The stack user traps run on (trap.S): the boot stack, once boot is done.
constinit uint64_t kernel_trap_stack_top = 0;

namespace {
constinit uint64_t g_timebase_hz = 10000000;  // QEMU virt's; the FDT may say otherwise
}

namespace riscv {

void set_timebase(uint64_t hz) {
    if (hz != 0) g_timebase_hz = hz;
}

void print_symbol(TextSink out, uintptr_t addr) {
    ksyms::Symbol s = ksyms::lookup(addr);
    if (s.name) format(out, " <%s+0x%lx>", s.name, static_cast<unsigned long>(s.offset));
}

namespace {
// A return address names the caller by the call before it: a call to a
// noreturn function can be a function's last instruction, so `ra` itself
// may already point into the next function.
void print_caller_symbol(TextSink out, uintptr_t ra) {
    ksyms::Symbol s = ksyms::lookup(ra - 1);
    if (s.name) format(out, " <%s+0x%lx>", s.name, static_cast<unsigned long>(s.offset + 1));
}
}  // namespace

void backtrace(TextSink out, uintptr_t fp, uintptr_t pc, uintptr_t ra_hint) {
    // Collect the frame-pointer chain first. gcc/clang RISC-V frame layout
    // with -fno-omit-frame-pointer: fp is the caller's sp at entry; the
    // return address is at fp-8, the caller's fp at fp-16.
    constexpr int MAX_FRAMES = 32;
    uintptr_t frames[MAX_FRAMES];
    int n = 0;
    auto lo = reinterpret_cast<uintptr_t>(boot_stack);
    auto hi = reinterpret_cast<uintptr_t>(boot_stack_top);
    while (n < MAX_FRAMES && fp >= lo + 16 && fp <= hi && (fp & 7) == 0) {
        uintptr_t ra = reinterpret_cast<const uintptr_t*>(fp)[-1];
        uintptr_t prev = reinterpret_cast<const uintptr_t*>(fp)[-2];
        if (ra == 0) break;
        frames[n++] = ra;
        if (prev <= fp) break;  // the chain must move up the stack
        fp = prev;
    }
    format(out, "Backtrace:\n");
    if (pc) {
        format(out, "  [<%016lx>]", static_cast<unsigned long>(pc));
        print_symbol(out, pc);
        format(out, "\n");
    }
    // A trap in a leaf function, or in an epilogue after s0 was restored,
    // leaves the immediate caller only in the ra register.
    if (ra_hint) {
        uintptr_t here = ksyms::lookup(pc).start;
        uintptr_t caller = ksyms::lookup(ra_hint - 1).start;
        uintptr_t next = n ? ksyms::lookup(frames[0] - 1).start : 0;
        if (caller && caller != here && caller != next) {
            format(out, "  [<%016lx>]", static_cast<unsigned long>(ra_hint));
            print_caller_symbol(out, ra_hint);
            format(out, " (from ra)\n");
        }
    }
    for (int i = 0; i < n; i++) {
        format(out, "  [<%016lx>]", static_cast<unsigned long>(frames[i]));
        print_caller_symbol(out, frames[i]);
        format(out, "\n");
    }
}

void dump_registers(TextSink out, const TrapFrame& f) {
    for (int i = 1; i < 32; i++) {
        format(out, "%4s: %016lx%s", REG_NAMES[i], static_cast<unsigned long>(f.regs[i]),
               (i % 4 == 3) ? "\n" : "  ");
    }
    format(out, "\n sepc: %016lx sstatus: %016lx scause: %016lx stval: %016lx\n",
           static_cast<unsigned long>(f.sepc), static_cast<unsigned long>(f.sstatus),
           static_cast<unsigned long>(f.scause), static_cast<unsigned long>(f.stval));
}

}  // namespace riscv

namespace platform {

void describe(TextSink out) {
    long v = sbi::spec_version();
    long id = sbi::impl_id();
    long iv = sbi::impl_version();
    const char* impl = id == 1 ? "OpenSBI" : id == 0 ? "BBL" : "unknown";
    // OpenSBI encodes its version as major << 16 | minor.
    format(out, "SBI specification v%ld.%ld, implementation %s (id %ld) v%ld.%ld\n", (v >> 24) & 0x7f,
           v & 0xffffff, impl, id, iv >> 16, iv & 0xffff);
}

void set_timebase(uint64_t hz) { riscv::set_timebase(hz); }

void idle() { riscv::wfi(); }

Wakeup wait_for_interrupt() {
    // wfi wakes on a pending enabled interrupt even with sstatus.SIE clear;
    // no trap is taken, so the kernel stack stays as it is.
    constexpr uint64_t TIMER = uint64_t(1) << 5, EXTERNAL = uint64_t(1) << 9;
    uint64_t pending;
    while (!((pending = csr_read(sip)) & (TIMER | EXTERNAL))) riscv::wfi();
    return Wakeup{(pending & TIMER) != 0, (pending & EXTERNAL) != 0};
}

void timer_arm(uint64_t us) {
    uint64_t deadline = riscv::rdtime() + us * (g_timebase_hz / 1000000);
    sbi::set_timer(deadline);
}

void return_to_user(UserContext* ctx) { return_to_user_asm(ctx); }

void user_init() {
    kernel_trap_stack_top = reinterpret_cast<uint64_t>(boot_stack_top);
    csr_write(scounteren, 7);  // U-mode may read cycle, time, instret
    // Supervisor timer and external interrupts (taken in U-mode only).
    csr_set(sie, (uint64_t(1) << 5) | (uint64_t(1) << 9));
    csr_write(sscratch, 0);
}

void console_write(const char* s, size_t n) {
    for (size_t i = 0; i < n; i++) sbi::console_putchar(s[i]);
}

uint64_t uptime_us() { return riscv::rdtime() / (g_timebase_hz / 1000000); }

uint64_t instructions_retired() { return riscv::rdinstret(); }

void exit(int status) {
    auto* dev = riscv::layout::phys_to_ptr<volatile uint32_t>(PhysAddr(riscv::layout::SIFIVE_TEST_PHYS));
    *dev = status == 0 ? riscv::layout::SIFIVE_TEST_PASS : riscv::layout::sifive_test_fail(uint32_t(status));
    // No sifive_test device: ask the firmware instead.
    sbi::system_reset(sbi::ResetType::Shutdown,
                      status == 0 ? sbi::ResetReason::None : sbi::ResetReason::SystemFailure);
    for (;;) riscv::wfi();
}

void dump_current_state(TextSink out) {
    riscv::TrapFrame f{};
    asm volatile(
        "sd x1, 8(%0)\n sd x2, 16(%0)\n sd x3, 24(%0)\n sd x4, 32(%0)\n"
        "sd x8, 64(%0)\n sd x9, 72(%0)\n sd x18, 144(%0)\n sd x19, 152(%0)\n"
        "sd x20, 160(%0)\n sd x21, 168(%0)\n sd x22, 176(%0)\n sd x23, 184(%0)\n"
        "sd x24, 192(%0)\n sd x25, 200(%0)\n sd x26, 208(%0)\n sd x27, 216(%0)\n"
        :
        : "r"(f.regs)
        : "memory");
    f.sstatus = csr_read(sstatus);
    f.scause = csr_read(scause);
    f.stval = csr_read(stval);
    f.sepc = csr_read(sepc);
    riscv::dump_registers(out, f);
    riscv::backtrace(out, riscv::frame_pointer(), 0, 0);
}

}  // namespace platform
