// `ending`: a program the pager starts, which takes memory (a batch of
// frames and demand-zero heap pages) and then ends in the way its argument
// names -- each a way a task could once end behind the pager's back:
//
//   exit-without-handler     its thread's fault endpoint set to none, then Exit
//   exit-handler-is-request  its fault endpoint set to the pager's request
//                            endpoint (which never answers faults), then Exit
//   fault-without-handler    fault endpoint none, then a fault: the kernel kills it
//   kill-self                TaskKill through its own Task capability
//   make-and-drop-tasks      makes a task and deletes both its capabilities,
//                            many times over, then exits 0: a task never started
//                            must not keep the kernel memory reserved for it
//
// Whatever the way, the pager hears of the end (the end notice its
// TaskCreate named) and takes every frame back: tests/qemu/pager.cmake
// checks its final count.
#include "abi/pager.h"
#include "cmdline/cmdline.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

namespace {

constexpr uint64_t BATCH_VA = 0x4000'0000;
constexpr uint64_t HEAP_VA = 0x5000'0000, HEAP_PAGES = 16;
constexpr unsigned TASK_SLOT = 40, THREAD_SLOT = 41;

// Frames to give back: a batch, and heap pages the pager maps on faults.
Status take_memory() {
    TRY(pager::alloc_batch(8, BATCH_VA));
    TRY_STATUS(pager::region(HEAP_VA, HEAP_PAGES * PAGE_SIZE, uint64_t(abi::PagerRegion::Heap)));
    auto* heap = reinterpret_cast<volatile uint64_t*>(HEAP_VA);
    for (uint64_t i = 0; i < HEAP_PAGES; i++) heap[i * PAGE_SIZE / sizeof(uint64_t)] = i;
    return ok_status();
}

int make_and_drop_tasks() {
    for (unsigned i = 0; i < 200; i++) {
        const Status s = sys::task_create(TASK_SLOT, THREAD_SLOT, PAGE_SIZE);
        if (!s.ok()) {
            uprintf("ending: TaskCreate %u refused: %s\n", i, error_name(s.error()));
            return 1;
        }
        (void)sys::cap_delete(i % 2 ? TASK_SLOT : THREAD_SLOT);
        (void)sys::cap_delete(i % 2 ? THREAD_SLOT : TASK_SLOT);
    }
    uprintf("ending: made and dropped 200 tasks\n");
    return 0;
}

}  // namespace

extern "C" int main(uint64_t arg) {
    auto args = pager::start_task(arg);
    if (!args.ok() || (*args)->argc < 2) return 2;
    const StrView how = StrView::of((*args)->argv[1]);
    if (Status s = take_memory(); !s.ok()) {
        uprintf("ending: taking memory failed: %s\n", error_name(s.error()));
        return 3;
    }
    uprintf("ending: %s\n", (*args)->argv[1]);
    if (how.equals("exit-without-handler")) {
        (void)sys::thread_set_fault(abi::SLOT_SELF_THREAD, 0);
        return 0;
    }
    if (how.equals("exit-handler-is-request")) {
        (void)sys::thread_set_fault(abi::SLOT_SELF_THREAD, abi::PAGER_SLOT);
        return 0;
    }
    if (how.equals("fault-without-handler")) {
        (void)sys::thread_set_fault(abi::SLOT_SELF_THREAD, 0);
        return int(*reinterpret_cast<volatile uint64_t*>(HEAP_VA + HEAP_PAGES * PAGE_SIZE));  // unmapped
    }
    if (how.equals("kill-self")) {
        (void)sys::task_kill(abi::SLOT_SELF_TASK);
        return 4;  // never reached
    }
    if (how.equals("make-and-drop-tasks")) return make_and_drop_tasks();
    uprintf("ending: unknown way '%s'\n", (*args)->argv[1]);
    return 5;
}
