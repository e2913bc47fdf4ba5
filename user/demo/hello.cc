// `hello`: the smallest program, in both of the ways a program starts.
//   - As the root task (init=hello, no pager): a0 is the kernel's boot
//     information; it says hello with the boot facts and exits 0.
//   - Started by the pager from the boot bundle (the first program of the
//     demo manifest): a0 is its argument block; it says hello with what the
//     pager tells it about itself and the system, and exits 0.
#include "abi/boot.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"

namespace {

int hello_root(const abi::BootInfo* info) {
    uint64_t pages = 0;
    for (unsigned i = 0; i < info->nr_memory; i++) pages += info->memory[i].pages;
    uprintf("hello from user space: %u NUMA node(s), %u memory ranges, %lu MiB free, %u harts\n",
            info->nr_nodes, info->nr_memory, pages >> 8, info->nr_harts);
    return 0;
}

int hello_task(uint64_t arg) {
    auto args = pager::start_task(arg);
    if (!args.ok()) {
        uprintf("hello: no boot information and no argument block at %#lx (%s)\n", arg,
                error_name(args.error()));
        return 1;
    }
    auto self = pager::self_stats();
    auto mem = pager::meminfo();
    if (!self.ok() || !mem.ok()) {
        uprintf("hello: the pager does not answer: %s\n",
                error_name(!self.ok() ? self.error() : mem.error()));
        return 1;
    }
    uprintf(
        "hello from user space: %s, started by the pager, holds %lu of its %lu pages; %lu MiB of %lu free\n",
        (*args)->argv[0], self->held, self->quota, mem->free >> 8, mem->managed >> 8);
    return 0;
}

}  // namespace

extern "C" int main(uint64_t arg) {
    // The root task's a0 points at the boot information, a task's at its
    // arguments (whose first word, argc, is never the magic).
    const auto* info = reinterpret_cast<const abi::BootInfo*>(arg);
    if (arg && info->magic == abi::BOOTINFO_MAGIC) return hello_root(info);
    return hello_task(arg);
}
