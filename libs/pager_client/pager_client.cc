#include "pager_client/pager_client.h"

#include "abi/cap.h"
#include "runtime/slots.h"

namespace pager {

Result<const ArgBlock*> start_task(uint64_t a0) {
    slots().reset(abi::SLOT_FIRST_FREE, abi::CAP_SLOTS);
    if (a0 == 0 || (a0 & 7)) return Error::InvalidArgument;
    const auto* args = reinterpret_cast<const ArgBlock*>(a0);
    if (args->argc == 0 || args->argc > ARGV_MAX) return Error::InvalidArgument;
    for (uint64_t i = 0; i < args->argc; i++)
        if (args->argv[i] == nullptr) return Error::InvalidArgument;
    return args;
}

bool start_test_task(uint64_t a0, unity::Runner& r, const ArgBlock** args, unsigned* grant_slot) {
    Result<const ArgBlock*> a = start_task(a0);
    if (!a.ok()) {
        r.fail(__FILE__, __LINE__, "start", "no argument block");
        r.finish();
        return false;
    }
    *args = *a;
    if (!grant_slot) return true;
    Result<unsigned> slot = slots().alloc();
    if (!slot.ok()) {
        r.fail(__FILE__, __LINE__, "start", "no free slot");
        r.finish();
        return false;
    }
    *grant_slot = *slot;
    return true;
}

uint64_t arg_number(const ArgBlock& args, unsigned i, uint64_t fallback) {
    if (i >= args.argc) return fallback;
    const char* s = args.argv[i];
    if (*s == '\0') return fallback;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (uint64_t(1) << 40)) return fallback;
        v = v * 10 + uint64_t(*s - '0');
    }
    return v;
}

RawReply request(uint64_t op, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t w4, uint64_t w5,
                 unsigned recv_slot) {
    sys::Msg m{{op, w1, w2, w3, w4, w5}};
    Result<sys::Received> r = sys::call(abi::IpcInfo::make(abi::PAGER_SLOT, 0, recv_slot), m);
    RawReply out{};
    if (!r.ok()) {
        out.error = r.error();
        return out;
    }
    out.error = sys::to_error(r->msg.w[0]);
    for (unsigned i = 0; i < 5; i++) out.results[i] = r->msg.w[i + 1];
    out.cap_received = r->info.cap_received();
    return out;
}

Result<Block> alloc(unsigned slot, uint64_t order, uint64_t zone, uint64_t node, uint64_t flags) {
    RawReply r = request(uint64_t(abi::PagerOp::Alloc), order, zone, node, flags, 0, slot);
    if (r.error != Error::None) return r.error;
    if (!r.cap_received) return Error::Malformed;
    return Block{r.results[0], unsigned(order), r.results[1], r.results[2]};
}

Result<uint64_t> alloc_batch(uint64_t count, uint64_t va, uint64_t flags) {
    RawReply r = request(uint64_t(abi::PagerOp::AllocBatch), count, va, 0, flags);
    if (r.error != Error::None) return r.error;
    return r.results[0];
}

Status free(uint64_t pfn, uint64_t order) {
    return Status(request(uint64_t(abi::PagerOp::Free), pfn, order).error);
}

Status region(uint64_t start, uint64_t size, uint64_t kind) {
    return Status(request(uint64_t(abi::PagerOp::Region), start, size, kind).error);
}

Result<SelfStats> self_stats() {
    RawReply r = request(uint64_t(abi::PagerOp::Stats), abi::PAGER_STAT_SELF);
    if (r.error != Error::None) return r.error;
    return SelfStats{r.results[0], r.results[1], r.results[2]};
}

Result<MemInfo> meminfo() {
    RawReply r = request(uint64_t(abi::PagerOp::Stats), abi::PAGER_STAT_MEMINFO);
    if (r.error != Error::None) return r.error;
    return MemInfo{r.results[0], r.results[1], r.results[2], r.results[3], r.results[4]};
}

Status print_stats() { return Status(request(uint64_t(abi::PagerOp::Stats), abi::PAGER_STAT_PRINT).error); }

Status verify() { return Status(request(uint64_t(abi::PagerOp::Stats), abi::PAGER_STAT_VERIFY).error); }

Result<uint64_t> pager_kmem() {
    RawReply r = request(uint64_t(abi::PagerOp::Stats), abi::PAGER_STAT_KMEM);
    if (r.error != Error::None) return r.error;
    return r.results[0];
}

}  // namespace pager
