// The last boot step: the kernel object pool, then the root task (the
// pager, or the program named by init=) with everything it is given,
// entered in user mode.
#include "abi/boot.h"
#include "elf/elf.h"
#include "kernel/boot/boot.h"
#include "kernel/irq.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/pool.h"
#include "kernel/obj/task.h"
#include "kernel/obj/vm.h"
#include "kernel/paging.h"
#include "kernel/platform.h"
#include "kernel/scheduler.h"

extern "C" const uint64_t user_images[];  // count, then {name, start, end} each

namespace {

// The user programs embedded in the kernel image (build: user_images.S).
struct EmbeddedProgram {
    const char* name;
    const uint8_t* start;
    const uint8_t* end;
};

size_t embedded_program_count() { return size_t(user_images[0]); }
const EmbeddedProgram& embedded_program(size_t i) {
    return reinterpret_cast<const EmbeddedProgram*>(&user_images[1])[i];
}

[[noreturn]] void no_init(const char* fmt, StrView name, const char* detail) {
    klog::error(fmt, int(name.len), name.data, detail);
    klog::error("programs in this image:");
    for (size_t i = 0; i < embedded_program_count(); i++) klog::error("  %s", embedded_program(i).name);
    platform::exit(BOOT_EXIT_NO_INIT);
}

void* pool_access(PhysAddr pa) { return arch::phys_to_virt(pa).as<void>(); }

// Too little RAM for the pool or the root task is a property of the
// machine described, not a kernel bug: a message and a defined status.
[[noreturn]] void too_little_memory(const char* what) {
    klog::error("cannot boot: not enough memory for %s", what);
    platform::exit(BOOT_EXIT_BAD_MEMORY);
}

// The kernel pool: kpool=, or 1/64 of RAM between 4 and 64 MiB.
void pool_init(uint64_t kpool_bytes) {
    mm::Memblock& mb = boot_memblock();
    uint64_t size = kpool_bytes;
    if (!size) {
        size = align_up(mb.phys_mem_size() / 64, PAGE_SIZE);
        if (size < (4u << 20)) size = 4u << 20;
        if (size > (64u << 20)) size = 64u << 20;
    }
    auto pa = mb.alloc(size, PAGE_SIZE);
    if (!pa.ok() || !kpool::add_region(PhysRange{*pa, size}, pool_access).ok())
        too_little_memory("the kernel pool");
    klog::info("kernel pool: %lu KiB at %#lx", size >> 10, pa->raw());
}

const EmbeddedProgram* find_program(StrView name) {
    for (size_t i = 0; i < embedded_program_count(); i++)
        if (name.equals(embedded_program(i).name)) return &embedded_program(i);
    return nullptr;
}

// The empty slot `slot` of the root task, its leaf made if need be.
Cap* root_slot(Task* task, unsigned slot) {
    auto c = caps::empty_slot(task, slot);
    if (!c.ok()) too_little_memory("the root task's capability space");
    return *c;
}

// A frame from memblock, given to `task` as a Frame cap in `slot` and mapped at `va`.
PhysAddr give_page(Task* task, unsigned slot, uint64_t va, uint8_t rights) {
    auto pa = boot_memblock().alloc(PAGE_SIZE, PAGE_SIZE);
    if (!pa.ok()) too_little_memory("the root task");
    auto* w = arch::phys_to_virt(*pa).as<uint64_t>();
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) w[i] = 0;
    Cap frame{};
    frame.type = abi::CapType::Frame;
    frame.rights = rights;
    frame.set_frame(pa->to_pfn().raw(), 0);
    Cap* dst = root_slot(task, slot);
    caps::install(dst, frame, nullptr);
    if (!vm::map_frame(task, dst, VirtAddr(va), rights).ok())
        too_little_memory("the root task's page tables");
    return *pa;
}

void load_image(Task* task, const EmbeddedProgram& prog, const elf::Image& img, abi::BootInfo& info) {
    for (size_t s = 0; s < img.nr_segments; s++) {
        const elf::Segment& seg = img.segments[s];
        for (uint64_t off = 0; off < seg.memsz; off += PAGE_SIZE) {
            if (info.nr_image_pages == abi::ROOT_IMAGE_MAX_PAGES)
                no_init("root task %.*s: %s", StrView::of(prog.name), "image too large");
            unsigned slot = abi::SLOT_ROOT_IMAGE + info.nr_image_pages;
            PhysAddr pa = give_page(task, slot, seg.vaddr + off, seg.rights);
            uint8_t* dst = arch::phys_to_virt(pa).as<uint8_t>();
            for (uint64_t i = 0; i < PAGE_SIZE && off + i < seg.filesz; i++)
                dst[i] = prog.start[seg.offset + off + i];
            info.image[info.nr_image_pages++] = abi::BootImagePage{seg.vaddr + off, slot, seg.rights};
        }
    }
}

void fill_boot_info(abi::BootInfo& info, const fdt::MachineInfo& m) {
    const PhysMemory& bm = phys_memory();
    info.magic = abi::BOOTINFO_MAGIC;
    info.version = 1;
    info.nr_nodes = bm.layout.nr_nodes;
    for (unsigned n = 0; n < bm.layout.nr_nodes; n++) {
        const mm::NodeSpan& ns = bm.layout.nodes[n];
        info.nodes[n].start_pfn = ns.start.raw();
        info.nodes[n].end_pfn = ns.end.raw();
        info.nodes[n].present = ns.present;
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++)
            info.nodes[n].zones[z] =
                abi::BootZone{ns.zones[z].start.raw(), ns.zones[z].spanned, ns.zones[z].present};
        for (unsigned k = 0; k < mm::MAX_NUMNODES; k++) info.distance[n][k] = m.distance[n][k];
    }
    info.nr_harts = uint32_t(m.nr_harts);
    if (m.has_initrd && m.initrd.size) {
        info.initrd_pfn = m.initrd.base.to_pfn().raw();
        info.initrd_pages = (m.initrd.end().raw() + PAGE_SIZE - 1) / PAGE_SIZE - info.initrd_pfn;
        info.initrd_bytes = m.initrd.size;
        info.initrd_va = abi::ROOT_INITRD_VA + m.initrd.base.page_offset();
    }
    size_t n = 0;
    for (const char* p = m.bootargs; p && *p && n + 1 < sizeof info.cmdline; p++) info.cmdline[n++] = *p;
    info.cmdline_len = uint32_t(n);
}

// mem_map, node by node, at ROOT_MEMMAP_BASE + pfn * 32 in the root task
// (its page tables charged to it, as all its tables are).
// From here on the kernel never reads it again: its contents are the
// pager's, and nothing the kernel relies on lives there.
void give_mem_map(Task* task, abi::BootInfo& info) {
    const PhysMemory& bm = phys_memory();
    uint64_t first = ~uint64_t(0), end = 0;
    for (unsigned n = 0; n < bm.layout.nr_nodes; n++) {
        PhysRange arr = bm.node_map[n];
        if (!arr.size) continue;
        Pfn start = bm.node_map_start[n];
        uint64_t va = abi::ROOT_MEMMAP_BASE + start.raw() * sizeof(mm::Page);
        Status s = arch::user_map(task->pt_root, VirtAddr(va), arr.base, align_up(arr.size, PAGE_SIZE),
                                  abi::RIGHT_READ | abi::RIGHT_WRITE, vm::table_frames(task));
        if (!s.ok()) too_little_memory("mapping mem_map into the root task");
        if (start.raw() < first) first = start.raw();
        uint64_t last = start.raw() + arr.size / sizeof(mm::Page);
        if (last > end) end = last;
    }
    info.mem_map_vaddr = abi::ROOT_MEMMAP_BASE;
    info.mem_map_first_pfn = first;
    info.mem_map_end_pfn = end;
}

// The initrd (memblock-reserved, so in no Memory cap), read-only.
void give_initrd(Task* task, const abi::BootInfo& info) {
    if (!info.initrd_pages) return;
    Status s = arch::user_map(task->pt_root, VirtAddr(abi::ROOT_INITRD_VA), Pfn(info.initrd_pfn).to_phys(),
                              info.initrd_pages * PAGE_SIZE, abi::RIGHT_READ, vm::table_frames(task));
    if (!s.ok()) too_little_memory("mapping the initrd into the root task");
}

// Every free RAM range left in memblock becomes a Memory capability.
void give_memory(Task* task, abi::BootInfo& info) {
    mm::MemRange r;
    for (auto walk = boot_memblock().free_ranges(); walk.next(r);) {
        uint64_t first = align_up(r.range.base.raw(), PAGE_SIZE) / PAGE_SIZE;
        uint64_t end = r.range.end().raw() / PAGE_SIZE;
        if (end <= first) continue;
        if (info.nr_memory == abi::BOOT_MAX_MEMORY) {
            klog::warn("more than %u free memory ranges; the rest is not given to the root task",
                       abi::BOOT_MAX_MEMORY);
            break;
        }
        unsigned slot = abi::SLOT_ROOT_MEMORY + info.nr_memory;
        Cap mem{};
        mem.type = abi::CapType::Memory;
        mem.rights = abi::RIGHT_READ | abi::RIGHT_WRITE;
        mem.set_memory(first, end - first);
        caps::install(root_slot(task, slot), mem, nullptr);
        info.memory[info.nr_memory++] = abi::BootMemory{first, end - first, r.nid, slot};
    }
}

// The order of the smallest naturally aligned block of frames that
// covers [base, base + size), or ~0u beyond a 2 MiB one.
unsigned covering_order(uint64_t base, uint64_t size) {
    constexpr unsigned MAX_DEVICE_ORDER = 9;
    for (unsigned order = 0; order <= MAX_DEVICE_ORDER; order++) {
        const uint64_t block = PAGE_SIZE << order;
        if (align_down(base, block) + block >= base + size) return order;
    }
    return ~0u;
}

bool overlaps_ram(const fdt::MachineInfo& m, uint64_t base, uint64_t end) {
    for (size_t i = 0; i < m.nr_banks; i++)
        if (base < m.banks[i].range.end().raw() && m.banks[i].range.base.raw() < end) return true;
    return false;
}

// The IrqControl capability, and a Frame for each device's registers
// (outside RAM: never in mem_map, never the pager's), listed in the boot
// info with their interrupt lines.
void give_devices(Task* task, abi::BootInfo& info, const fdt::MachineInfo& m, const fdt::DeviceInfo& d) {
    if (irq::available()) {
        Cap control{};
        control.type = abi::CapType::IrqControl;
        control.rights = abi::RIGHTS_ALL;
        caps::install(root_slot(task, abi::SLOT_ROOT_IRQ_CONTROL), control, nullptr);
        info.has_irq_control = 1;
    }
    if (d.nr_devices > abi::BOOT_MAX_DEVICES)
        klog::warn("%zu devices; the root task is given the first %u", d.nr_devices, abi::BOOT_MAX_DEVICES);
    for (size_t i = 0; i < d.nr_devices && info.nr_devices < abi::BOOT_MAX_DEVICES; i++) {
        const fdt::Device& dev = d.devices[i];
        const unsigned order = covering_order(dev.base, dev.size);
        const uint64_t first = order == ~0u ? 0 : align_down(dev.base, PAGE_SIZE << order);
        if (order == ~0u || overlaps_ram(m, first, first + (PAGE_SIZE << order))) {  // (its end fits: fdt)
            klog::warn("device at %#lx (%#lx bytes): its registers are too large, or lie in RAM; not given",
                       dev.base, dev.size);
            continue;
        }
        const unsigned slot = abi::SLOT_ROOT_DEVICES + info.nr_devices;
        caps::install_frame(root_slot(task, slot), first / PAGE_SIZE, order,
                            abi::RIGHT_READ | abi::RIGHT_WRITE, nullptr);
        info.devices[info.nr_devices++] = abi::BootDevice{
            abi::DeviceKind(dev.kind), uint8_t(order), uint16_t(dev.irq), slot, dev.base, dev.size};
    }
}

// Its ELF image, checked against the user address range (below the boot info page).
elf::Image parse_program(const EmbeddedProgram& prog) {
    elf::Image img;
    const char* why = nullptr;
    Status s = elf::parse(prog.start, size_t(prog.end - prog.start), abi::USER_BASE, abi::ROOT_BOOTINFO_VA,
                          img, &why);
    if (!s.ok()) no_init("root task %.*s: %s", StrView::of(prog.name), why);
    return img;
}

// Its Task, Thread and capability space, recorded as the root. The space
// grows as the root task fills slots: it has no kernel memory limit, so
// only the pool bounds it.
Task* create_root(const EmbeddedProgram& prog) {
    auto task = tasks::create(prog.name);
    if (!task.ok()) too_little_memory("the root task's kernel objects");
    tasks::set_root(*task);
    return *task;
}

// The boot info page, mapped read-only in the task and filled in place by
// the steps after this one.
abi::BootInfo& give_boot_info_page(Task* task) {
    unsigned slot = abi::SLOT_ROOT_IMAGE + abi::ROOT_IMAGE_MAX_PAGES - 1;
    PhysAddr pa = give_page(task, slot, abi::ROOT_BOOTINFO_VA, abi::RIGHT_READ);
    return *arch::phys_to_virt(pa).as<abi::BootInfo>();
}

// ROOT_STACK_PAGES read-write pages below ROOT_STACK_TOP, listed with the image pages.
void give_stack(Task* task, const EmbeddedProgram& prog, abi::BootInfo& info) {
    for (uint64_t i = 0; i < abi::ROOT_STACK_PAGES; i++) {
        if (info.nr_image_pages + 1 >= abi::ROOT_IMAGE_MAX_PAGES)
            no_init("root task %.*s: %s", StrView::of(prog.name), "image too large");
        unsigned slot = abi::SLOT_ROOT_IMAGE + info.nr_image_pages;
        uint64_t va = abi::ROOT_STACK_TOP - (i + 1) * PAGE_SIZE;
        give_page(task, slot, va, abi::RIGHT_READ | abi::RIGHT_WRITE);
        info.image[info.nr_image_pages++] = abi::BootImagePage{va, slot, abi::RIGHT_READ | abi::RIGHT_WRITE};
    }
}

// An Endpoint of its own in SLOT_ROOT_FAULT_EP.
void give_endpoint(Task* task) {
    auto ep = kpool::alloc<Endpoint>();
    if (!ep.ok()) too_little_memory("the root task's endpoint");
    (*ep)->otype = ObjType::Endpoint;
    caps::install_new(root_slot(task, abi::SLOT_ROOT_FAULT_EP), abi::CapType::Endpoint, *ep);
}

// Traps from U-mode and the timer, the scheduler, then the task's thread at
// `entry` with the boot info page's address in a0: the first sret.
[[noreturn]] void enter_user_mode(Task* task, uint64_t entry) {
    platform::user_init();
    sched::init();
    Thread* thread = static_cast<Thread*>(task->space.at(abi::SLOT_SELF_THREAD)->obj);
    if (!tasks::start_thread(thread, entry, abi::ROOT_STACK_TOP, abi::ROOT_BOOTINFO_VA, abi::PRIORITY_DEFAULT)
             .ok())
        PANIC("starting the root task failed");
    sched::run_first();
}

}  // namespace

void boot_start_root(const fdt::MachineInfo& m, StrView init, uint64_t kpool_bytes) {
    StrView name = init.empty() ? StrView::of("pager") : init;
    const EmbeddedProgram* prog = find_program(name);
    if (!prog) {
        if (init.empty()) return;  // nothing to start
        no_init("init=%.*s: %s", name, "no such program in this image");
    }
    pool_init(kpool_bytes);                           // the kernel object pool
    elf::Image img = parse_program(*prog);            // its ELF image
    Task* task = create_root(*prog);                  // Task, Thread, capability space
    abi::BootInfo& info = give_boot_info_page(task);  // the boot info page, read-only
    load_image(task, *prog, img, info);               // its image, page by page
    give_stack(task, *prog, info);                    // its stack
    fill_boot_info(info, m);                          // nodes, zones, harts, initrd, cmdline
    give_endpoint(task);                              // an endpoint of its own
    give_mem_map(task, info);                         // mem_map, read-write
    give_initrd(task, info);                          // the boot bundle, read-only
    give_memory(task, info);                          // all free RAM, as Memory caps
    give_devices(task, info, m, boot_devices());      // interrupts and device registers
    klog::info("root task %s: %u image pages, %u memory ranges, %u devices, entry %#lx", prog->name,
               info.nr_image_pages, info.nr_memory, info.nr_devices, img.entry);
    klog::info("boot complete; starting the root task %s", prog->name);
    enter_user_mode(task, img.entry);  // traps, timer, scheduler, sret
}
