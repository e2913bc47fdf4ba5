// The tasks the pager starts: their records (the client table), starting
// them, and their end.
//
// Programs come from the boot bundle (QEMU -initrd): a cpio archive with a
// `manifest` (libs/bundle). Each gets an address space built from frames
// the pager allocates (counted against its quota), a stack, an argument
// block, an endpoint to the pager (badged with its id), the pager as fault
// handler, and a kernel memory limit reserved from the pager's budget. A
// damaged bundle, manifest or ELF is reported and skipped; the rest still
// starts.
#include "bundle/bundle.h"
#include "elf/elf.h"
#include "pager/pager.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

namespace pager {

namespace {

using clients_detail::g_alive;
using clients_detail::g_clients;

// The kernel memory a task may use (TaskCreate's limit): what the
// manifest gives it for its capability space and the objects and tasks it
// creates (kmem=, DEFAULT_KMEM pages by default), and a page table for
// every 256 pages of its quota, or of the memory there is when the quota
// is larger. Laid out densely, a quota's pages need one table per 512;
// the rest allows for regions and batches spread over the address space,
// while a task that maps single pages far apart (a table each) stops at
// its own limit instead of emptying the kernel's pool.
uint64_t kmem_limit(uint64_t quota_pages, uint64_t kmem_pages) {
    const uint64_t pages = quota_pages < memory().start_free ? quota_pages : memory().start_free;
    return ((kmem_pages ? kmem_pages : DEFAULT_KMEM) + pages / PAGES_PER_TABLE_ROOM) * PAGE_SIZE;
}

// What the limits of the tasks started so far, with their structures, may
// still add up to (load_bundle sets it): three quarters of what the
// kernel's pool had free of its own when the bundle was opened (the rest
// is the pager's), so that all tasks together cannot empty it, and the
// room for page tables the pager gave the pool (physmem.cc). A task whose
// reservation does not fit is not started.
constinit uint64_t g_kmem_left = 0;

Result<uint64_t> reserve_kmem(uint64_t limit, const char** why) {
    auto account = sys::kmem_info();
    if (!account.ok()) return account.error();
    const uint64_t need = account->task_base + limit;
    if (need > g_kmem_left) {
        *why = "not enough kernel memory left for its limit";
        return Error::NoMemory;
    }
    g_kmem_left -= need;
    return need;
}

// Gives a task's kernel memory reservation back to the budget.
void kmem_release(uint64_t bytes) { g_kmem_left += bytes; }

}  // namespace

Client* client_new(const char* name, uint64_t quota) {
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        Client& c = g_clients[i];
        if (c.used) continue;
        c = Client{};
        c.used = true;
        c.id = i + 1;
        c.quota = quota_or_default(quota);
        c.first_block = mm::PFN_NONE;
        g_alive++;
        unsigned k = 0;
        for (; name[k] && k < sizeof c.name - 1; k++) c.name[k] = name[k];
        c.name[k] = '\0';
        return &c;
    }
    return nullptr;
}

void client_ended(Client* c, int status) {
    if (c->exited) return;
    c->exited = true;
    c->status = status;
    // Our Task and Thread caps go too, so that the kernel can free the
    // objects once the task is gone, and give the task's kernel memory
    // reservation back; the budget takes it back now.
    for (unsigned* slot : {&c->task_slot, &c->thread_slot}) {
        if (!*slot) continue;
        (void)sys::cap_delete(*slot);
        slots().free(*slot);
        *slot = 0;
    }
    kmem_release(c->kmem_reserved);
    c->kmem_reserved = 0;
    regions_release(c);
    g_alive--;
    end_idle_drivers();  // only an end can leave the drivers alone
}

bool clients_all_succeeded() {
    for (const Client& c : g_clients)
        if (c.used && c.status != 0 && !c.ended_by_pager) return false;
    return true;
}

namespace {

// A child's layout (libs/abi/pager.h).
constexpr uint64_t CHILD_STACK_TOP = abi::PAGER_STACK_TOP;
constexpr uint64_t CHILD_STACK_PAGES = abi::PAGER_STACK_PAGES;
constexpr uint64_t CHILD_ARGS_VA = abi::PAGER_ARGS_VA;
constexpr uint64_t CHILD_IMAGE_LIMIT = 0x3000000000ull;
static_assert(bundle::MAX_ARGS + 1 <= abi::PAGER_ARGV_MAX);

// Grants an order-0 frame mapped at `va` in `c` with `rights`; returns its bytes.
Result<uint8_t*> child_page(Client* c, uint64_t va, uint8_t rights) {
    Grant g = TRY(grant(c, mm::AllocRequest::of(0, mm::GFP_ZERO | mm::GFP_MOVABLE), va, rights));
    TRY_STATUS(sys::map(c->task_slot, g.slot, va, rights));
    return phys_ptr(g.pfn);
}

Status load_segments(Client* c, const bundle::File& f, const elf::Image& img) {
    for (size_t s = 0; s < img.nr_segments; s++) {
        const elf::Segment& seg = img.segments[s];
        for (uint64_t off = 0; off < seg.memsz; off += PAGE_SIZE) {
            uint8_t* dst = TRY(child_page(c, seg.vaddr + off, seg.rights));
            for (uint64_t i = 0; i < PAGE_SIZE && off + i < seg.filesz; i++)
                dst[i] = f.data[seg.offset + off + i];
        }
    }
    return {};
}

Status setup_stack_and_args(Client* c, const bundle::RunEntry& run) {
    for (uint64_t i = 1; i <= CHILD_STACK_PAGES; i++)
        TRY(child_page(c, CHILD_STACK_TOP - i * PAGE_SIZE, abi::RIGHT_READ | abi::RIGHT_WRITE));
    uint8_t* page = TRY(child_page(c, CHILD_ARGS_VA, abi::RIGHT_READ));
    auto* args = reinterpret_cast<abi::PagerArgs*>(page);
    char* strings = reinterpret_cast<char*>(page + sizeof(abi::PagerArgs));
    size_t used = 0;
    auto add = [&](const char* s) {
        args->argv[args->argc++] =
            reinterpret_cast<const char*>(CHILD_ARGS_VA + sizeof(abi::PagerArgs) + used);
        while (*s) strings[used++] = *s++;
        strings[used++] = '\0';
    };
    add(run.name);
    for (size_t i = 0; i < run.nr_args; i++) add(run.arg(i));
    return {};
}

// Its endpoint to the pager, and the pager as its fault handler
// (`from_kernel`: the pager's endpoint with the badge of messages only the
// kernel sends for it, its faults and its end notice); the badge tells
// the pager who is asking.
Status connect(Client* c, unsigned from_kernel) {
    TRY_STATUS(
        sys::cap_copy(abi::SLOT_ROOT_FAULT_EP, c->task_slot, abi::PAGER_SLOT, abi::RIGHT_WRITE, c->id));
    return sys::thread_set_fault(c->thread_slot, from_kernel);
}

// The task itself, its end notice coming to the pager (`from_kernel`).
Status create_task(Client* c, uint64_t limit, unsigned from_kernel) {
    TRY_STATUS(sys::cap_copy(abi::SLOT_ROOT_FAULT_EP, 0, from_kernel, abi::RIGHT_WRITE,
                             c->id | abi::PAGER_FAULT_BADGE));
    return sys::task_create(c->task_slot, c->thread_slot, limit, from_kernel);
}

Status start(const bundle::Archive& archive, const bundle::RunEntry& run, const char** why) {
    auto file = archive.find(run.name, why);
    if (!file.ok()) {
        if (!*why) *why = "no such program in the bundle";
        return file.error();
    }
    elf::Image img;
    TRY_STATUS(elf::parse(file->data, file->size, abi::USER_BASE, CHILD_IMAGE_LIMIT, img, why));
    if (run.driver == bundle::DriverKind::VirtioBlk) TRY_STATUS(block_device_free(why));
    const uint64_t quota =
        run.quota_percent ? memory().start_free * run.quota_percent / 100 : quota_or_default(run.quota_pages);
    const uint64_t limit = kmem_limit(quota, run.kmem_pages);
    const uint64_t reserved = TRY(reserve_kmem(limit, why));
    Client* c = client_new(run.name, quota);
    *why = "setting up its task failed";
    if (!c) {
        kmem_release(reserved);
        return Error::NoMemory;
    }
    c->kmem_reserved = reserved;
    auto task_slot = slots().alloc();
    auto thread_slot = slots().alloc();
    auto from_kernel = slots().alloc();
    if (!task_slot.ok() || !thread_slot.ok() || !from_kernel.ok()) {
        if (task_slot.ok()) slots().free(*task_slot);
        if (thread_slot.ok()) slots().free(*thread_slot);
        client_ended(c, -1);
        return Error::NoMemory;
    }
    c->task_slot = *task_slot;
    c->thread_slot = *thread_slot;
    Status s = create_task(c, limit, *from_kernel);
    if (s.ok()) s = load_segments(c, *file, img);
    if (s.ok()) s = setup_stack_and_args(c, run);
    if (s.ok()) s = connect(c, *from_kernel);
    if (s.ok() && run.driver == bundle::DriverKind::VirtioBlk) s = give_block_kit(c, why);
    if (s.ok())
        s = sys::thread_start(c->thread_slot, img.entry, CHILD_STACK_TOP, CHILD_ARGS_VA,
                              abi::PRIORITY_DEFAULT);
    (void)sys::cap_delete(*from_kernel);  // the task's and the thread's copies live on
    slots().free(*from_kernel);
    if (!s.ok()) {
        release_all(c);
        (void)sys::task_kill(c->task_slot);
        client_ended(c, -1);
        return s;
    }
    uprintf("pager: started %s (task %u, %lu pages, quota %lu)\n", c->name, c->id, c->held_pages, c->quota);
    return {};
}

}  // namespace

void load_bundle(const abi::BootInfo* boot) {
    if (!boot->initrd_va || !boot->initrd_bytes) {
        uprintf("pager: no boot bundle (initrd); nothing to start\n");
        return;
    }
    bundle::Archive archive(reinterpret_cast<const void*>(boot->initrd_va), boot->initrd_bytes);
    const char* why = nullptr;
    auto manifest = archive.find("manifest", &why);
    if (!manifest.ok()) {
        uprintf("pager: boot bundle unusable: %s (%s)\n", why ? why : "no manifest in it",
                error_name(manifest.error()));
        return;
    }
    if (auto pool = sys::kernel_info(); pool.ok()) {
        const Memory& mem = memory();
        const uint64_t donated = mem.table_donated + mem.tables_donated;
        const uint64_t own = pool->pool_free > donated ? pool->pool_free - donated : 0;
        g_kmem_left = own - own / 4 + mem.tables_donated;
    }
    bundle::Manifest m(reinterpret_cast<const char*>(manifest->data), manifest->size);
    bundle::RunEntry run;
    for (;;) {
        auto more = m.next(run);
        if (!more.ok()) {
            uprintf("pager: manifest line %u ignored: %s\n", m.line(), m.why());
            continue;
        }
        if (!*more) break;
        const char* why = nullptr;
        Status s = start(archive, run, &why);
        if (!s.ok())
            uprintf("pager: not starting %s: %s (%s)\n", run.name, why ? why : "?", error_name(s.error()));
    }
}

}  // namespace pager
