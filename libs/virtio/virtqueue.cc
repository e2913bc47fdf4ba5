#include "virtio/virtqueue.h"

namespace virtio {

namespace {

// The device reads what the driver wrote before the index that publishes
// it, and the driver reads what the device wrote before the index it
// published (2.7.13: memory barriers).
inline void barrier() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

}  // namespace

Status Queue::init(void* mem, uint64_t phys, uint16_t n, uint64_t align) {
    if (!mem || n == 0 || n > MAX_QUEUE || (n & (n - 1)) || align == 0 || (align & (align - 1)))
        return Error::InvalidArgument;
    mem_ = static_cast<uint8_t*>(mem);
    phys_ = phys;
    layout_ = layout(n, align);
    n_ = n;
    for (uint64_t i = 0; i < layout_.bytes; i++) mem_[i] = 0;
    for (uint16_t i = 0; i < n; i++) desc()[i].next = uint16_t(i + 1);
    free_head_ = 0;
    nr_free_ = n;
    avail_next_ = used_seen_ = 0;
    bogus_used_ = 0;
    for (bool& f : in_flight_) f = false;
    return {};
}

Result<uint16_t> Queue::submit(const Buffer* bufs, unsigned count) {
    if (count == 0) return Error::InvalidArgument;
    if (count > nr_free_) return Error::Busy;
    const uint16_t head = free_head_;
    uint16_t d = head;
    for (unsigned i = 0; i < count; i++) {
        Desc& e = desc()[d];
        const uint16_t next_free = e.next;
        e.addr = bufs[i].addr;
        e.len = bufs[i].len;
        e.flags = uint16_t((bufs[i].device_writes ? DESC_F_WRITE : 0) | (i + 1 < count ? DESC_F_NEXT : 0));
        if (i + 1 < count) e.next = next_free;
        free_head_ = next_free;
        d = next_free;
    }
    nr_free_ = uint16_t(nr_free_ - count);
    in_flight_[head] = true;
    avail_ring()[avail_next_ % n_] = head;
    barrier();  // the chain and its ring entry before the index
    *avail_idx() = ++avail_next_;
    barrier();  // the index before the caller's notification
    return head;
}

bool Queue::take_used(UsedElem* out) {
    while (*used_idx() != used_seen_) {
        barrier();  // the index before the element it publishes
        const volatile UsedElem& e = used_ring()[used_seen_ % n_];
        out->id = e.id;
        out->len = e.len;
        used_seen_++;
        if (out->id >= n_ || !in_flight_[out->id]) {
            bogus_used_++;
            continue;
        }
        in_flight_[out->id] = false;
        free_chain(uint16_t(out->id));
        return true;
    }
    return false;
}

void Queue::free_chain(uint16_t head) {
    uint16_t d = head;
    for (uint16_t steps = 0; steps < n_; steps++) {
        Desc& e = desc()[d];
        const bool more = e.flags & DESC_F_NEXT;
        const uint16_t next = e.next;
        e.flags = 0;
        e.next = free_head_;
        free_head_ = d;
        nr_free_++;
        if (!more) return;
        d = next;
    }
}

}  // namespace virtio
