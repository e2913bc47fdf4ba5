#include <stdint.h>

#include "kernel/boot/boot.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"

extern "C" char __text_start[], __data_start[];

namespace {

// Each in its own non-inlined function so the backtrace shows it.
[[gnu::noinline]] void crash_load() {
    volatile uint64_t* p = reinterpret_cast<volatile uint64_t*>(0x1000);  // user half: unmapped in the kernel
    klog::info("crash: loading from %p", const_cast<uint64_t*>(p));
    (void)*p;
}

[[gnu::noinline]] void crash_store() {
    auto* p = reinterpret_cast<volatile uint32_t*>(__text_start);  // text is read+execute only
    klog::info("crash: storing to kernel text at %p", const_cast<uint32_t*>(p));
    *p = 0;
}

[[gnu::noinline]] void crash_exec() {
    auto fn = reinterpret_cast<void (*)()>(__data_start);  // data is never executable
    klog::info("crash: jumping into kernel data at %p", reinterpret_cast<void*>(__data_start));
    fn();
}

[[gnu::noinline]] void crash_illegal() {
    klog::info("crash: executing an illegal instruction");
    asm volatile(".word 0");
}

[[gnu::noinline]] void crash_ebreak() {
    klog::info("crash: ebreak");
    asm volatile("ebreak");
}

}  // namespace

void boot_crash(StrView kind) {
    if (kind.equals("load"))
        crash_load();
    else if (kind.equals("store"))
        crash_store();
    else if (kind.equals("exec"))
        crash_exec();
    else if (kind.equals("illegal"))
        crash_illegal();
    else if (kind.equals("ebreak"))
        crash_ebreak();
    else if (kind.equals("panic"))
        PANIC("crash=panic requested on the command line (value %d)", 42);
    else if (kind.equals("assert"))
        KASSERT(kind.len == 0);
    else {
        klog::warn("crash=%.*s ignored: expected load, store, exec, illegal, ebreak, panic or assert",
                   int(kind.len), kind.data);
        return;
    }
    PANIC("crash=%.*s did not fault", int(kind.len), kind.data);
}
