// Pager benchmarks, run as a program the pager starts (tools/bench.d/
// 40-pager.sh boots it under QEMU -icount shift=0,sleep=off so rdinstret
// counts guest instructions deterministically). Prints one table.
//
//   alloc round trip   Call(Alloc order 0) -> pager: buddy + mint + Reply with the cap
//   map                Map of the received Frame into the caller
//   batch of 64        AllocBatch(64): per frame (buddy, mint, map into the caller),
//                      of frames granted and given back before, whose slots in
//                      the pager's frame table have their room; and of frames
//                      never granted, which make that room (a leaf of the
//                      kernel's capability space per 32 frames)
//   demand-zero fault  a store to an untouched heap page: trap, fault message,
//                      pager grant + zeroing + map, reply, resume
#include "abi/pager.h"
#include "runtime/console.h"
#include "runtime/counters.h"
#include "runtime/syscall.h"
#include "runtime/zero.h"

namespace {

constexpr unsigned RECV_SLOT = 40;
constexpr unsigned ROUNDS = 33;
constexpr unsigned BATCH_ROUNDS = 5;
constexpr uint64_t MAP_VA = 0x20000000;
constexpr uint64_t BATCH_VA = 0x30000000;
constexpr uint64_t HEAP_VA = 0x40000000;
constexpr unsigned WARM_FRAMES = (BATCH_ROUNDS + 1) * abi::PAGER_BATCH_MAX;

uint64_t median(uint64_t* v, unsigned n) {
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v[n / 2];
}

Result<sys::Received> pager_call(uint64_t op, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                                 uint64_t a4 = 0, unsigned recv_cap = 0) {
    sys::Msg m{{op, a1, a2, a3, a4, 0}};
    return sys::call(abi::IpcInfo::make(abi::PAGER_SLOT, 0, recv_cap), m);
}

// Grants WARM_FRAMES frames one at a time and gives them all back.
bool warm_frames() {
    static uint64_t pfns[WARM_FRAMES];
    for (uint64_t& pfn : pfns) {
        auto r = pager_call(uint64_t(abi::PagerOp::Alloc), 0, abi::PAGER_ANY, abi::PAGER_ANY, 0);
        if (!r.ok() || r->msg.w[0] != 0) return false;
        pfn = r->msg.w[1];
    }
    for (uint64_t pfn : pfns)
        if (!pager_call(uint64_t(abi::PagerOp::Free), pfn, 0).ok()) return false;
    return true;
}

uint64_t cost_of_rdinstret() {
    uint64_t v[ROUNDS];
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint64_t a = read_instret();
        uint64_t b = read_instret();
        v[i] = b - a;
    }
    return median(v, ROUNDS);
}

}  // namespace

extern "C" int main(uint64_t) {
    uint64_t base = cost_of_rdinstret();
    uint64_t alloc[ROUNDS], map[ROUNDS], batch[BATCH_ROUNDS], fresh_batch[BATCH_ROUNDS], fault[ROUNDS],
        zero[ROUNDS];
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint64_t a = read_instret();
        auto r = pager_call(uint64_t(abi::PagerOp::Alloc), 0, abi::PAGER_ANY, abi::PAGER_ANY, 0, RECV_SLOT);
        uint64_t b = read_instret();
        if (!r.ok() || r->msg.w[0] != 0 || !r->info.cap_received()) {
            uprintf("pbench: Alloc failed\n");
            return 1;
        }
        uint64_t pfn = r->msg.w[1];
        uint64_t c = read_instret();
        Status s = sys::map(0, RECV_SLOT, MAP_VA, abi::RIGHT_READ | abi::RIGHT_WRITE);
        uint64_t d = read_instret();
        if (!s.ok()) {
            uprintf("pbench: Map failed: %s\n", error_name(s.error()));
            return 1;
        }
        alloc[i] = b - a - base;
        map[i] = d - c - base;
        if (!pager_call(uint64_t(abi::PagerOp::Free), pfn, 0).ok()) return 1;  // revokes our copy too
    }
    // Batches at fresh addresses, of frames never granted; then of frames
    // granted (one by one, no capability sent) and given back, which the
    // allocator hands out again first. The pager takes the batches' frames
    // back when we exit.
    uint64_t* batches[] = {fresh_batch, batch};
    for (unsigned k = 0; k < 2; k++) {
        if (k == 1 && !warm_frames()) return 1;
        for (unsigned i = 0; i < BATCH_ROUNDS; i++) {
            uint64_t va = BATCH_VA + (k * BATCH_ROUNDS + i) * abi::PAGER_BATCH_MAX * PAGE_SIZE;
            uint64_t a = read_instret();
            auto r = pager_call(uint64_t(abi::PagerOp::AllocBatch), abi::PAGER_BATCH_MAX, va, 0, 0);
            uint64_t b = read_instret();
            if (!r.ok() || r->msg.w[0] != 0) {
                uprintf("pbench: AllocBatch failed\n");
                return 1;
            }
            batches[k][i] = (b - a - base) / abi::PAGER_BATCH_MAX;
        }
    }
    if (!pager_call(uint64_t(abi::PagerOp::Region), HEAP_VA, ROUNDS * PAGE_SIZE,
                    uint64_t(abi::PagerRegion::Heap))
             .ok())
        return 1;
    for (unsigned i = 0; i < ROUNDS; i++) {
        volatile uint64_t* p = reinterpret_cast<volatile uint64_t*>(HEAP_VA + i * PAGE_SIZE);
        uint64_t a = read_instret();
        *p = i;
        uint64_t b = read_instret();
        fault[i] = b - a - base;
    }
    // What zeroing one frame costs the pager (the function it runs).
    static uint64_t page[PAGE_SIZE / 8];
    for (unsigned i = 0; i < ROUNDS; i++) {
        uint64_t a = read_instret();
        zero_page(page);
        uint64_t b = read_instret();
        zero[i] = b - a - base;
    }
    uint64_t z = median(zero, ROUNDS);
    uint64_t f = median(fault, ROUNDS);
    uprintf("pbench: operation                              instructions   target\n");
    uprintf("pbench: frame request round trip (Alloc)       %12lu   1000\n", median(alloc, ROUNDS));
    uprintf("pbench: map the received frame                 %12lu    300\n", median(map, ROUNDS));
    uprintf("pbench: batch of 64 frames, per frame          %12lu    150\n", median(batch, BATCH_ROUNDS));
    uprintf("pbench:   of frames never granted before       %12lu\n", median(fresh_batch, BATCH_ROUNDS));
    uprintf("pbench: demand-zero fault, end to end          %12lu\n", f);
    uprintf("pbench:   of which zeroing 4 KiB (measured)    %12lu\n", z);
    uprintf("pbench: demand-zero fault without zeroing      %12lu   1200\n", f > z ? f - z : 0);
    return 0;
}
