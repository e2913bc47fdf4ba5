// A fake physical memory for page tables on the host: 4 KiB frames of one
// host buffer at made-up physical addresses from BASE on, reached at
// pa + offset as the kernel reaches its direct map. Physical addresses are
// never host pointers, so code that confuses the two fails here.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "arch/riscv/walk.h"

class FakePhys {
public:
    static constexpr uint64_t BASE = 0x80000000;
    static constexpr size_t FRAMES = 4096;

    FakePhys() : mem_(static_cast<uint8_t*>(std::aligned_alloc(4096, FRAMES * 4096))) {
        std::memset(mem_, 0, FRAMES * 4096);
    }
    ~FakePhys() { std::free(mem_); }
    FakePhys(const FakePhys&) = delete;
    FakePhys& operator=(const FakePhys&) = delete;

    // At most this many frames may be held at once (alloc() is refused beyond).
    size_t limit = FRAMES;

    // Frames handed out and not given back.
    size_t held() const { return held_; }
    // Frames given back through TableMemory::free, in order.
    const std::vector<uint64_t>& given_back() const { return given_back_; }

    Result<PhysAddr> alloc() {
        if (held_ >= limit) return Error::NoMemory;
        uint64_t pa;
        if (!free_.empty()) {
            pa = free_.back();
            free_.pop_back();
        } else {
            if (next_ == FRAMES) return Error::NoMemory;
            pa = BASE + 4096 * next_++;
        }
        std::memset(mem_ + (pa - BASE), 0, 4096);
        held_++;
        return PhysAddr(pa);
    }
    void give_back(PhysAddr pa) {
        given_back_.push_back(pa.raw());
        free_.push_back(pa.raw());
        held_--;
    }

    uintptr_t offset() const { return reinterpret_cast<uintptr_t>(mem_) - BASE; }

    // Tables reached and made here; without `give_back`, frames of a failed
    // walk are kept (as at boot).
    riscv::sv39::TableMemory memory(bool give_back = true) {
        riscv::sv39::TableMemory m;
        m.offset = offset();
        m.alloc = [](void* ctx) { return static_cast<FakePhys*>(ctx)->alloc(); };
        if (give_back) m.free = [](void* ctx, PhysAddr pa) { static_cast<FakePhys*>(ctx)->give_back(pa); };
        m.ctx = this;
        return m;
    }
    // Tables reached here, none made.
    riscv::sv39::TableMemory read_only() const {
        riscv::sv39::TableMemory m;
        m.offset = offset();
        return m;
    }

    riscv::sv39::Pte* table(PhysAddr pa) { return reinterpret_cast<riscv::sv39::Pte*>(pa.raw() + offset()); }

private:
    uint8_t* mem_;
    size_t next_ = 0;
    size_t held_ = 0;
    std::vector<uint64_t> free_;
    std::vector<uint64_t> given_back_;
};
