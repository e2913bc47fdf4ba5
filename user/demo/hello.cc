// The smallest root task: say hello with the boot facts, then exit 0.
#include "abi/boot.h"
#include "user/lib/console.h"

extern "C" int main(uint64_t arg) {
    const auto* info = reinterpret_cast<const abi::BootInfo*>(arg);
    if (info->magic != abi::BOOTINFO_MAGIC) {
        uprintf("hello: bad boot info at %#lx\n", arg);
        return 1;
    }
    uint64_t pages = 0;
    for (unsigned i = 0; i < info->nr_memory; i++) pages += info->memory[i].pages;
    uprintf("hello from user space: %u NUMA node(s), %u memory ranges, %lu MiB free, %u harts\n",
            info->nr_nodes, info->nr_memory, pages >> 8, info->nr_harts);
    return 0;
}
