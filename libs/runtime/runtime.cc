#include "runtime/runtime.h"

#include "runtime/console.h"
#include "runtime/frames.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"

namespace {
constinit const abi::BootInfo* g_boot = nullptr;
}

namespace rt {

Status init_root(uint64_t boot_addr) {
    if (boot_addr == 0 || (boot_addr & 7)) return Error::InvalidArgument;
    const auto* boot = reinterpret_cast<const abi::BootInfo*>(boot_addr);
    if (boot->magic != abi::BOOTINFO_MAGIC) return Error::Malformed;
    if (boot->nr_memory > abi::BOOT_MAX_MEMORY || boot->nr_image_pages > abi::ROOT_IMAGE_MAX_PAGES)
        return Error::Malformed;
    g_boot = boot;
    slots().reset(abi::SLOT_ROOT_FREE, abi::ROOT_CAP_SLOTS);
    frames().init(*boot);
    return ok_status();
}

const abi::BootInfo* boot_info() { return g_boot; }

void exit(uint64_t status) {
    console_flush();
    sys::exit(status);
}

}  // namespace rt

void rt_exit(uint64_t status) { rt::exit(status); }

// A task made by Child starts with a copy of its creator's data, so
// everything that describes the creator's capability table is reset here.
void rt_thread_main(uint64_t arg, int (*fn)(uint64_t)) {
    g_boot = nullptr;
    console_discard();
    slots().reset(abi::SLOT_FIRST_FREE, abi::CAP_SLOTS);
    frames().clear();
    rt::exit(uint64_t(int64_t(fn(arg))));
}
