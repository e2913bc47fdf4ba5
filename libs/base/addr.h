// Strong types for addresses and frame numbers. Conversions are explicit
// and named, so a physical address never silently becomes a virtual one.
#pragma once

#include <stdint.h>

#include <compare>

inline constexpr uint64_t PAGE_SHIFT = 12;
inline constexpr uint64_t PAGE_SIZE = uint64_t(1) << PAGE_SHIFT;

constexpr uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

class Pfn;

class PhysAddr {
public:
    constexpr PhysAddr() = default;
    constexpr explicit PhysAddr(uint64_t raw) : raw_(raw) {}
    constexpr uint64_t raw() const { return raw_; }
    constexpr Pfn to_pfn() const;  // frame containing this address
    constexpr PhysAddr page_base() const { return PhysAddr(align_down(raw_, PAGE_SIZE)); }
    constexpr uint64_t page_offset() const { return raw_ & (PAGE_SIZE - 1); }
    constexpr PhysAddr operator+(uint64_t d) const { return PhysAddr(raw_ + d); }
    constexpr uint64_t operator-(PhysAddr o) const { return raw_ - o.raw_; }
    constexpr auto operator<=>(const PhysAddr&) const = default;

private:
    uint64_t raw_ = 0;
};

class VirtAddr {
public:
    constexpr VirtAddr() = default;
    constexpr explicit VirtAddr(uint64_t raw) : raw_(raw) {}
    template <typename T>
    explicit VirtAddr(T* p) : raw_(reinterpret_cast<uintptr_t>(p)) {}
    constexpr uint64_t raw() const { return raw_; }
    template <typename T>
    T* as() const {
        return reinterpret_cast<T*>(raw_);
    }
    constexpr VirtAddr page_base() const { return VirtAddr(align_down(raw_, PAGE_SIZE)); }
    constexpr VirtAddr operator+(uint64_t d) const { return VirtAddr(raw_ + d); }
    constexpr uint64_t operator-(VirtAddr o) const { return raw_ - o.raw_; }
    constexpr auto operator<=>(const VirtAddr&) const = default;

private:
    uint64_t raw_ = 0;
};

// A physical frame number: PhysAddr >> PAGE_SHIFT.
class Pfn {
public:
    constexpr Pfn() = default;
    constexpr explicit Pfn(uint64_t raw) : raw_(raw) {}
    constexpr uint64_t raw() const { return raw_; }
    constexpr PhysAddr to_phys() const { return PhysAddr(raw_ << PAGE_SHIFT); }
    constexpr Pfn operator+(uint64_t d) const { return Pfn(raw_ + d); }
    constexpr Pfn operator-(uint64_t d) const { return Pfn(raw_ - d); }
    constexpr uint64_t operator-(Pfn o) const { return raw_ - o.raw_; }
    constexpr Pfn& operator++() {
        ++raw_;
        return *this;
    }
    constexpr auto operator<=>(const Pfn&) const = default;

private:
    uint64_t raw_ = 0;
};

constexpr Pfn PhysAddr::to_pfn() const { return Pfn(raw_ >> PAGE_SHIFT); }

// A buddy order: a block of 2^order frames.
class Order {
public:
    constexpr Order() = default;
    constexpr explicit Order(unsigned raw) : raw_(raw) {}
    constexpr unsigned raw() const { return raw_; }
    constexpr uint64_t pages() const { return uint64_t(1) << raw_; }
    constexpr uint64_t bytes() const { return pages() << PAGE_SHIFT; }
    constexpr auto operator<=>(const Order&) const = default;

private:
    unsigned raw_ = 0;
};

// A half-open physical range [base, base + size).
struct PhysRange {
    PhysAddr base;
    uint64_t size = 0;
    constexpr PhysAddr end() const { return base + size; }
    constexpr bool empty() const { return size == 0; }
    constexpr bool contains(PhysAddr a) const { return a >= base && a < end(); }
    constexpr bool operator==(const PhysRange&) const = default;
};
