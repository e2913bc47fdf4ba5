// The pager's entry: take over physical memory, start the boot bundle's
// programs, serve them until they have all ended, then report and power off.
#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/runtime.h"

extern "C" int main(uint64_t arg) {
    const auto* boot = reinterpret_cast<const abi::BootInfo*>(arg);
    if (!boot || boot->magic != abi::BOOTINFO_MAGIC) {
        uprintf("pager: no boot info at %#lx\n", arg);
        return 1;
    }
    uprintf("pager: taking over %u NUMA node(s), %u memory ranges, mem_map at %#lx\n", boot->nr_nodes,
            boot->nr_memory, boot->mem_map_vaddr);
    if (Status s = pager::memory_init(boot); !s.ok()) {
        uprintf("pager: taking over memory failed: %s\n", error_name(s.error()));
        return 1;
    }
    pager::load_bundle(boot);
    pager::serve();
}
