// The Memory capability: MemoryInfo, MemoryMintFrame, MemoryMintMap,
// MemoryMintFrames, MemoryDonate.
#include "abi/boot.h"
#include "base/bits.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "runtime/syscall.h"
#include "runtime/utest.h"
#include "runtime/vspace.h"
#include "user/tests/syscalls/suites.h"

namespace {

constexpr uint64_t R = abi::RIGHT_READ, RW = abi::RIGHT_READ | abi::RIGHT_WRITE;

// The first Memory range the allocator has not touched the end of.
const FrameAllocator::Range& first_range() { return frames().range(0); }

void memory_info_matches_boot_info(unity::Runner& r) {
    const abi::BootInfo* boot = rt::boot_info();
    uint64_t total = 0;
    for (uint32_t i = 0; i < boot->nr_memory; i++) {
        ASSERT_VALUE(m, sys::memory_info(boot->memory[i].slot));
        EXPECT_EQ_U(m.first_pfn, boot->memory[i].first_pfn);
        EXPECT_EQ_U(m.pages, boot->memory[i].pages);
        total += m.pages;
    }
    EXPECT_TRUE(total > 1024);  // the machines tested have 128 MiB or more
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    EXPECT_ERR(sys::memory_info(f.slot()), Error::WrongType);
    EXPECT_ERR(sys::memory_info(abi::SLOT_NULL), Error::InvalidCap);
}

void mint_frame_names_the_block(unity::Runner& r) {
    const unsigned orders[] = {0, 3, 9};
    for (unsigned order : orders) {
        ASSERT_VALUE(f, frames().alloc(Order(order), RW));
        ASSERT_VALUE(info, sys::cap_identify(f.slot()));
        EXPECT_EQ_U(info.type, abi::CapType::Frame);
        EXPECT_EQ_U(info.rights, RW);
        EXPECT_EQ_U(info.word, (f.pfn.raw() << 8) | order);
        EXPECT_EQ_U(f.pfn.raw() & ((uint64_t(1) << order) - 1), 0);
    }
    ASSERT_VALUE(x, frames().alloc(Order(0), abi::RIGHT_READ | abi::RIGHT_EXEC));
    ASSERT_VALUE(xinfo, sys::cap_identify(x.slot()));
    EXPECT_EQ_U(xinfo.rights, abi::RIGHT_READ | abi::RIGHT_EXEC);
}

// Every node's memory can be minted from and used (NUMA machines).
void mint_frame_on_every_node(unity::Runner& r) {
    const abi::BootInfo* boot = rt::boot_info();
    for (uint32_t node = 0; node < boot->nr_nodes; node++) {
        if (boot->nodes[node].present == 0) continue;
        ASSERT_VALUE(f, frames().alloc(Order(0), RW, int(node)));
        EXPECT_TRUE(f.pfn.raw() >= boot->nodes[node].start_pfn && f.pfn.raw() < boot->nodes[node].end_pfn);
        ASSERT_VALUE(m, LocalMap::map(f.slot(), Order(0)));
        m.as<uint64_t>()[511] = 0x600d0000 + node;
        EXPECT_EQ_U(m.as<uint64_t>()[511], 0x600d0000 + node);
    }
}

void mint_frame_errors(unity::Runner& r) {
    const FrameAllocator::Range& range = first_range();
    // A naturally aligned order-3 block inside the range, never handed out.
    const uint64_t end8 = range.end_pfn & ~uint64_t(7);
    ASSERT_TRUE(end8 - 8 >= range.next_pfn);
    const uint64_t pfn = end8 - 8;
    ASSERT_VALUE(dst, CapSlot::alloc());
    const unsigned mem = range.slot, d = dst.slot();
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn, abi::FRAME_ORDER_MAX + 1, RW, d), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn, 64, RW, d), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn, 0, abi::RIGHT_GRANT | R, d), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn, 0, abi::RIGHT_WRITE, d), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn + 1, 3, RW, d), Error::BadAlignment);
    EXPECT_ERR(sys::memory_mint_frame(mem, range.first_pfn - 8, 0, RW, d), Error::OutOfRange);
    EXPECT_ERR(sys::memory_mint_frame(mem, range.end_pfn, 0, RW, d), Error::OutOfRange);
    // A naturally aligned block that starts inside a range and runs past its
    // end: end = m * 2^k with m odd, block [end - 2^k, end + 2^k). Ranges
    // whose end is aligned beyond FRAME_ORDER_MAX cannot have one.
    unsigned crossing = 0;
    for (unsigned i = 0; i < frames().nr_ranges(); i++) {
        const FrameAllocator::Range& x = frames().range(i);
        const unsigned k = bits::lowest_set(x.end_pfn);
        if (k + 1 > abi::FRAME_ORDER_MAX || x.end_pfn - x.first_pfn < (uint64_t(1) << k)) continue;
        EXPECT_ERR(sys::memory_mint_frame(x.slot, x.end_pfn - (uint64_t(1) << k), k + 1, RW, d),
                   Error::OutOfRange);
        crossing++;
    }
    EXPECT_TRUE(crossing > 0);
    // Slots: empty, wrong type, busy destination.
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    EXPECT_ERR(sys::memory_mint_frame(d, pfn, 0, RW, d), Error::InvalidCap);
    EXPECT_ERR(sys::memory_mint_frame(f.slot(), pfn, 0, RW, d), Error::WrongType);
    EXPECT_ERR(sys::memory_mint_frame(mem, pfn, 0, RW, f.slot()), Error::Busy);
    // Minting needs Write on the Memory cap.
    ASSERT_VALUE(ro, CapSlot::alloc());
    ASSERT_OK(sys::cap_copy(mem, 0, ro.slot(), R));
    EXPECT_ERR(sys::memory_mint_frame(ro.slot(), pfn, 0, RW, d), Error::NoRights);
    EXPECT_ERR(sys::cap_identify(d), Error::InvalidCap);
    // And the block is fine when asked for properly.
    EXPECT_OK(sys::memory_mint_frame(mem, pfn, 3, RW, d));
}

// A window for MemoryMintMap and MemoryMintFrames: frame p of `range`
// goes into slot base + (p - first pfn), far above the slots this program
// hands out.
struct Window {
    const FrameAllocator::Range& range;
    uint64_t base;
    uint64_t slot(uint64_t pfn) const { return base + (pfn - range.first_pfn); }
    // Whether none of the n frames' slots holds a capability.
    bool empty_for(const uint64_t* pfns, unsigned n) const {
        for (unsigned i = 0; i < n; i++)
            if (sys::cap_identify(slot(pfns[i])).ok()) return false;
        return true;
    }
    Status delete_for(const uint64_t* pfns, unsigned n) const {
        for (unsigned i = 0; i < n; i++) TRY_STATUS(sys::cap_delete(slot(pfns[i])));
        return {};
    }
};
constexpr uint64_t WINDOWS = uint64_t(1) << 20;  // windows from here on, 64 slots apart

// MemoryMintMap: a batch minted into a window and mapped in one call, all
// or nothing.
void mint_map_batch_and_errors(unity::Runner& r) {
    const FrameAllocator::Range& range = first_range();
    ASSERT_VALUE(block, frames().alloc(Order(2)));  // four frames of our own
    const uint64_t p0 = block.pfn.raw();
    const uint64_t pfns[4] = {p0 + 3, p0 + 1, p0 + 2, p0};  // any order
    const unsigned mem = range.slot;
    const Window first{range, WINDOWS}, other{range, WINDOWS + 64}, third{range, WINDOWS + 128};
    const uint64_t va = 0x2e00000000;
    EXPECT_TRUE(first.empty_for(pfns, 4));

    ASSERT_OK(sys::memory_mint_map(mem, 0, va, pfns, 4, first.base));
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_VALUE(info, sys::cap_identify(first.slot(pfns[i])));
        EXPECT_EQ_U(info.type, abi::CapType::Frame);
        EXPECT_EQ_U(info.rights, RW);
        EXPECT_EQ_U(info.word, pfns[i] << 8);  // order 0
        auto* word = reinterpret_cast<volatile uint64_t*>(va + i * PAGE_SIZE);
        *word = 0x5eed0000 + i;
        EXPECT_EQ_U(*word, 0x5eed0000 + i);
    }

    // Each refusal leaves the destination slots empty.
    const uint64_t fresh = va + 16 * PAGE_SIZE;
    const uint64_t W = other.base;
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, pfns, 0, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, pfns, abi::MINT_MAP_MAX + 1, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh + 8, pfns, 4, W), Error::BadAlignment);
    EXPECT_ERR(sys::memory_mint_map(mem, 0, 0xffffffc000000000, pfns, 4, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_map(mem, 0, abi::USER_END - PAGE_SIZE, pfns, 4, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, pfns, 4, first.base), Error::Busy);  // slots used
    const uint64_t twice[4] = {p0 + 1, p0 + 2, p0 + 1, p0 + 3};
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, twice, 4, W), Error::Busy);  // one frame, one slot
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, pfns, 4, abi::MAX_CAP_SLOTS - 2),
               Error::InvalidCap);  // the window runs off the capability space
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, pfns, 4, 0), Error::InvalidCap);
    const uint64_t outside[4] = {p0, p0 + 1, range.end_pfn, p0 + 2};
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, outside, 4, W), Error::OutOfRange);
    EXPECT_ERR(
        sys::memory_mint_map(mem, 0, fresh, reinterpret_cast<const uint64_t*>(0xffffffc080000000), 4, W),
        Error::OutOfRange);  // the array must be the caller's readable memory
    EXPECT_ERR(sys::memory_mint_map(mem, 0, fresh, nullptr, 4, W), Error::OutOfRange);  // null too
    // The third page of the range is mapped already: nothing of the call stays.
    EXPECT_ERR(sys::memory_mint_map(mem, 0, va - 2 * PAGE_SIZE, pfns, 4, W), Error::Busy);
    EXPECT_TRUE(other.empty_for(pfns, 4));
    // The two pages before it were not left mapped: they are free.
    ASSERT_OK(sys::memory_mint_map(mem, 0, va - 2 * PAGE_SIZE, pfns, 2, W));
    ASSERT_OK(other.delete_for(pfns, 2));
    // A batch across the end of a last-level table (every 2 MiB) and into
    // one not made yet: the pages on both sides work.
    const uint64_t across = 0x2e40000000 - 2 * PAGE_SIZE;
    ASSERT_OK(sys::memory_mint_map(mem, 0, across, pfns, 4, W));
    for (unsigned i = 0; i < 4; i++) {
        auto* word = reinterpret_cast<volatile uint64_t*>(across + i * PAGE_SIZE);
        *word = 0xac0055 + i;
        EXPECT_EQ_U(*word, 0xac0055 + i);
    }
    ASSERT_OK(other.delete_for(pfns, 4));
    // A page in use in the second table: none in the first stays mapped.
    ASSERT_OK(sys::memory_mint_map(mem, 0, across + 3 * PAGE_SIZE, pfns + 3, 1, third.base));
    EXPECT_ERR(sys::memory_mint_map(mem, 0, across, pfns, 4, W), Error::Busy);
    EXPECT_TRUE(other.empty_for(pfns, 4));
    ASSERT_OK(sys::memory_mint_map(mem, 0, across, pfns, 3, W));
    ASSERT_OK(other.delete_for(pfns, 3));
    ASSERT_OK(third.delete_for(pfns + 3, 1));
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    EXPECT_ERR(sys::memory_mint_map(f.slot(), 0, fresh, pfns, 4, W), Error::WrongType);
    EXPECT_TRUE(other.empty_for(pfns, 4));

    // Deleting the caps unmaps the pages: mapping there again works.
    ASSERT_OK(first.delete_for(pfns, 4));
    ASSERT_OK(sys::memory_mint_map(mem, 0, va, pfns, 4, W));
    EXPECT_OK(other.delete_for(pfns, 4));
}

// MemoryMintFrames: MintMap's minting without the mapping.
void mint_frames_batch_and_errors(unity::Runner& r) {
    const FrameAllocator::Range& range = first_range();
    ASSERT_VALUE(block, frames().alloc(Order(2)));
    const uint64_t p0 = block.pfn.raw();
    const uint64_t pfns[4] = {p0 + 2, p0, p0 + 3, p0 + 1};
    const unsigned mem = range.slot;
    const Window first{range, WINDOWS + 192}, other{range, WINDOWS + 256};
    ASSERT_OK(sys::memory_mint_frames(mem, pfns, 4, first.base));
    for (unsigned i = 0; i < 4; i++) {
        ASSERT_VALUE(info, sys::cap_identify(first.slot(pfns[i])));
        EXPECT_EQ_U(info.type, abi::CapType::Frame);
        EXPECT_EQ_U(info.rights, RW);
        EXPECT_EQ_U(info.word, pfns[i] << 8);                          // order 0
        EXPECT_ERR(sys::unmap(first.slot(pfns[i])), Error::NotFound);  // minted, not mapped
    }
    // Each refusal leaves the destination slots empty.
    const uint64_t W = other.base;
    EXPECT_ERR(sys::memory_mint_frames(mem, pfns, 0, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frames(mem, pfns, abi::MINT_MAP_MAX + 1, W), Error::InvalidArgument);
    EXPECT_ERR(sys::memory_mint_frames(mem, pfns, 4, first.base), Error::Busy);
    const uint64_t twice[4] = {p0, p0 + 1, p0 + 2, p0};
    EXPECT_ERR(sys::memory_mint_frames(mem, twice, 4, W), Error::Busy);
    EXPECT_ERR(sys::memory_mint_frames(mem, pfns, 4, abi::MAX_CAP_SLOTS - 2), Error::InvalidCap);
    EXPECT_ERR(sys::memory_mint_frames(mem, pfns, 4, 0), Error::InvalidCap);
    const uint64_t outside[4] = {p0, range.end_pfn, p0 + 1, p0 + 2};
    EXPECT_ERR(sys::memory_mint_frames(mem, outside, 4, W), Error::OutOfRange);
    EXPECT_ERR(sys::memory_mint_frames(mem, reinterpret_cast<const uint64_t*>(0xffffffc080000000), 4, W),
               Error::OutOfRange);
    EXPECT_ERR(sys::memory_mint_frames(mem, nullptr, 4, W), Error::OutOfRange);
    // A frame capability where the Memory capability belongs, on purpose.
    // NOLINTNEXTLINE(readability-suspicious-call-argument)
    EXPECT_ERR(sys::memory_mint_frames(first.slot(p0), pfns, 4, W), Error::WrongType);
    EXPECT_TRUE(other.empty_for(pfns, 4));
    ASSERT_OK(first.delete_for(pfns, 4));
}

// Donated frames leave the Memory cap and join the kernel pool.
void donate_moves_frames_to_kernel(unity::Runner& r) {
    const unsigned last = frames().nr_ranges() - 1;
    const unsigned mem = frames().range(last).slot;
    ASSERT_VALUE(before, sys::memory_info(mem));
    ASSERT_VALUE(pool_before, sys::kernel_info());
    ASSERT_VALUE(first, frames().take_tail(last, 4));
    // Frames minted over the pages block the donation.
    ASSERT_VALUE(dst, CapSlot::alloc());
    ASSERT_OK(sys::memory_mint_frame(mem, first.raw() + 2, 0, RW, dst.slot()));
    EXPECT_ERR(sys::memory_donate(mem, first.raw(), 4), Error::Busy);
    dst.reset();
    // Only the start or the end of the range may go.
    EXPECT_ERR2(sys::memory_donate(mem, first.raw() - 4, 4), Error::OutOfRange, Error::InvalidArgument);
    EXPECT_ERR2(sys::memory_donate(mem, before.first_pfn + before.pages, 4), Error::OutOfRange,
                Error::InvalidArgument);
    EXPECT_ERR2(sys::memory_donate(mem, first.raw(), ~uint64_t(0)), Error::OutOfRange,
                Error::InvalidArgument);
    EXPECT_ERR(sys::memory_donate(mem, ~uint64_t(0) - 1, 4), Error::OutOfRange);  // wraps: at neither end
    ASSERT_OK(sys::memory_donate(mem, first.raw(), 4));
    ASSERT_VALUE(after, sys::memory_info(mem));
    EXPECT_EQ_U(after.first_pfn, before.first_pfn);
    EXPECT_EQ_U(after.pages, before.pages - 4);
    ASSERT_VALUE(pool_after, sys::kernel_info());
    EXPECT_TRUE(pool_after.pool_total > pool_before.pool_total);
    EXPECT_TRUE(pool_after.pool_free > pool_before.pool_free);
    // The donated frames cannot be minted any more.
    ASSERT_VALUE(again, CapSlot::alloc());
    EXPECT_ERR(sys::memory_mint_frame(mem, first.raw(), 0, RW, again.slot()), Error::OutOfRange);
    ASSERT_VALUE(f, frames().alloc(Order(0)));
    EXPECT_ERR(sys::memory_donate(f.slot(), f.pfn.raw(), 1), Error::WrongType);
}

}  // namespace

void run_memory_cap_tests(unity::Runner& r) {
    RUN_TEST(r, memory_info_matches_boot_info);
    RUN_TEST(r, mint_frame_names_the_block);
    RUN_TEST(r, mint_frame_on_every_node);
    RUN_TEST(r, mint_frame_errors);
    RUN_TEST(r, mint_map_batch_and_errors);
    RUN_TEST(r, mint_frames_batch_and_errors);
    RUN_TEST(r, donate_moves_frames_to_kernel);
}
