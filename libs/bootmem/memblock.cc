#include "bootmem/memblock.h"

namespace mm {

namespace {

constexpr uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
constexpr uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
constexpr uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// A range is usable when it is non-empty and base + size does not wrap.
bool valid_range(PhysRange r) { return r.size != 0 && r.base.raw() + r.size > r.base.raw(); }

}  // namespace

// Region-list surgery. Kept as free functions over the list's storage so
// Memblock's public methods read as the Linux operations they mirror.
struct RegionEdit {
    // Field by field: gcc may turn a struct assignment into a memcpy call,
    // which a freestanding build does not have.
    static void copy(MemblockRegion& d, const MemblockRegion& s) {
        d.base = s.base;
        d.size = s.size;
        d.nid = s.nid;
    }

    // Replaces regions [lo, hi) of `t` with `pieces` (sorted, disjoint and
    // fitting in that gap). Fails with NoMemory, changing nothing, when the
    // list would overflow.
    static Status replace(MemblockType& t, size_t lo, size_t hi, const MemblockRegion* pieces, size_t n) {
        size_t removed = hi - lo;
        if (n > removed && t.count_ + (n - removed) > MemblockType::CAPACITY) return Error::NoMemory;
        size_t new_count = t.count_ - removed + n;
        if (n > removed) {
            size_t grow = n - removed;
            for (size_t i = t.count_; i-- > hi;) copy(t.regions_[i + grow], t.regions_[i]);
        } else if (n < removed) {
            size_t shrink = removed - n;
            for (size_t i = hi; i < t.count_; i++) copy(t.regions_[i - shrink], t.regions_[i]);
        }
        for (size_t i = 0; i < n; i++) copy(t.regions_[lo + i], pieces[i]);
        t.count_ = new_count;
        t.total_ = 0;
        for (size_t i = 0; i < t.count_; i++) t.total_ += t.regions_[i].size;
        return ok_status();
    }

    // First region that ends at or after `base` (may touch it).
    static size_t first_touching(const MemblockType& t, uint64_t base) {
        size_t i = 0;
        while (i < t.count_ && t.regions_[i].end().raw() < base) i++;
        return i;
    }

    // memblock_add_range: merges [base, end) into `t` as node `nid` (the
    // reserved list uses NUMA_NO_NODE throughout, so everything merges).
    // Errors: Busy (overlaps a region of another node), NoMemory.
    static Status insert(MemblockType& t, uint64_t base, uint64_t end, unsigned nid) {
        size_t lo = first_touching(t, base);
        size_t hi = lo;
        while (hi < t.count_ && t.regions_[hi].base.raw() <= end) {
            const MemblockRegion& r = t.regions_[hi];
            bool overlaps = r.base.raw() < end && r.end().raw() > base;
            if (overlaps && r.nid != nid) return Error::Busy;
            hi++;
        }
        // Regions of another node can only touch the edges; they stay apart.
        if (lo < hi && t.regions_[lo].nid != nid && t.regions_[lo].end().raw() == base) lo++;
        if (lo < hi && t.regions_[hi - 1].nid != nid) hi--;
        MemblockRegion merged{PhysAddr(base), end - base, nid};
        if (lo < hi) {
            uint64_t mb = min_u64(base, t.regions_[lo].base.raw());
            uint64_t me = max_u64(end, t.regions_[hi - 1].end().raw());
            merged = MemblockRegion{PhysAddr(mb), me - mb, nid};
        }
        return replace(t, lo, hi, &merged, 1);
    }

    // memblock_remove_range: cuts [base, end) out of `t`.
    static Status cut(MemblockType& t, uint64_t base, uint64_t end) {
        size_t lo = 0;
        while (lo < t.count_ && t.regions_[lo].end().raw() <= base) lo++;
        size_t hi = lo;
        while (hi < t.count_ && t.regions_[hi].base.raw() < end) hi++;
        if (lo == hi) return ok_status();
        MemblockRegion pieces[2];
        size_t n = 0;
        const MemblockRegion first = t.regions_[lo];
        const MemblockRegion last = t.regions_[hi - 1];
        if (first.base.raw() < base)
            pieces[n++] = MemblockRegion{first.base, base - first.base.raw(), first.nid};
        if (last.end().raw() > end)
            pieces[n++] = MemblockRegion{PhysAddr(end), last.end().raw() - end, last.nid};
        return replace(t, lo, hi, pieces, n);
    }
};

Status Memblock::add(PhysRange r, unsigned nid) {
    if (!valid_range(r) || nid >= MAX_NUMNODES) return Error::InvalidArgument;
    return RegionEdit::insert(memory_, r.base.raw(), r.end().raw(), nid);
}

Status Memblock::remove(PhysRange r) {
    if (!valid_range(r)) return Error::InvalidArgument;
    return RegionEdit::cut(memory_, r.base.raw(), r.end().raw());
}

Status Memblock::reserve(PhysRange r) {
    if (!valid_range(r)) return Error::InvalidArgument;
    return RegionEdit::insert(reserved_, r.base.raw(), r.end().raw(), NUMA_NO_NODE);
}

Status Memblock::free(PhysRange r) {
    if (!valid_range(r)) return Error::InvalidArgument;
    return RegionEdit::cut(reserved_, r.base.raw(), r.end().raw());
}

Result<PhysAddr> Memblock::alloc(uint64_t size, uint64_t align, unsigned nid) {
    return alloc_range(size, align, PhysAddr(0), NO_LIMIT, nid);
}

Result<PhysAddr> Memblock::alloc_range(uint64_t size, uint64_t align, PhysAddr min, PhysAddr max,
                                       unsigned nid) {
    if (size == 0 || align == 0 || (align & (align - 1)) != 0) return Error::InvalidArgument;
    if (nid != NUMA_NO_NODE && nid >= MAX_NUMNODES) return Error::InvalidArgument;
    uint64_t end = max == NO_LIMIT ? current_limit_.raw() : max.raw();
    if (min.raw() >= end) return Error::InvalidArgument;
    // Keep the first page out of reach so no allocation is at address 0.
    uint64_t start = max_u64(min.raw(), PAGE_SIZE);
    Result<PhysAddr> found = find_in_range(size, align, start, end, nid);
    if (!found.ok() && nid != NUMA_NO_NODE) found = find_in_range(size, align, start, end, NUMA_NO_NODE);
    if (!found.ok()) return found;
    TRY_STATUS(reserve(PhysRange{found.value(), size}));
    return found;
}

// memblock_find_in_range_node: the highest (top-down) or lowest
// (bottom-up) aligned fit inside a free range clamped to [start, end).
Result<PhysAddr> Memblock::find_in_range(uint64_t size, uint64_t align, uint64_t start, uint64_t end,
                                         unsigned nid) const {
    if (start >= end) return Error::NoMemory;
    bool top_down = direction_ == AllocDirection::TopDown;
    RangeDiffWalk walk = free_ranges(nid, top_down ? WalkOrder::Descending : WalkOrder::Ascending);
    MemRange fr;
    while (walk.next(fr)) {
        uint64_t lo = clamp_u64(fr.range.base.raw(), start, end);
        uint64_t hi = clamp_u64(fr.range.end().raw(), start, end);
        if (hi - lo < size) continue;
        if (top_down) {
            uint64_t cand = align_down(hi - size, align);
            if (cand >= lo) return PhysAddr(cand);
        } else {
            uint64_t cand = align_up(lo, align);
            if (cand >= lo && cand < hi && hi - cand >= size) return PhysAddr(cand);
        }
    }
    return Error::NoMemory;
}

uint64_t Memblock::reserved_in_memory() const {
    uint64_t outside = 0;
    RangeDiffWalk walk = reserved_outside_memory();
    MemRange r;
    while (walk.next(r)) outside += r.range.size;
    return reserved_.total_size() - outside;
}

PhysAddr Memblock::start_of_dram() const { return memory_.count() ? memory_[0].base : PhysAddr(0); }

PhysAddr Memblock::end_of_dram() const {
    return memory_.count() ? memory_[memory_.count() - 1].end() : PhysAddr(0);
}

bool Memblock::is_region_memory(PhysRange r) const {
    if (!valid_range(r)) return false;
    uint64_t pos = r.base.raw(), end = r.end().raw();
    for (const MemblockRegion& m : memory_) {
        if (m.end().raw() <= pos) continue;
        if (m.base.raw() > pos) return false;  // a hole at `pos`
        pos = m.end().raw();
        if (pos >= end) return true;
    }
    return false;
}

bool Memblock::is_region_reserved(PhysRange r) const {
    if (!valid_range(r)) return false;
    for (const MemblockRegion& m : reserved_)
        if (m.base.raw() < r.end().raw() && m.end().raw() > r.base.raw()) return true;
    return false;
}

RangeDiffWalk::RangeDiffWalk(const MemblockType& a, const MemblockType& b, unsigned nid, WalkOrder order)
    : a_(a), b_(b), nid_(nid), order_(order) {
    ia_ = order == WalkOrder::Ascending ? 0 : a.count();
    ib_ = order == WalkOrder::Ascending ? 0 : b.count() + 1;
}

uint64_t RangeDiffWalk::gap_start(size_t k) const { return k == 0 ? 0 : b_[k - 1].end().raw(); }

uint64_t RangeDiffWalk::gap_end(size_t k) const { return k == b_.count() ? ~uint64_t(0) : b_[k].base.raw(); }

bool RangeDiffWalk::next(MemRange& out) {
    return order_ == WalkOrder::Ascending ? next_ascending(out) : next_descending(out);
}

// Two sorted lists merged like a zipper: intersect region ia with gap ib,
// then step whichever of the two ends first.
bool RangeDiffWalk::next_ascending(MemRange& out) {
    while (ia_ < a_.count() && ib_ <= b_.count()) {
        const MemblockRegion& r = a_[ia_];
        if (nid_ != NUMA_NO_NODE && r.nid != nid_) {
            ia_++;
            continue;
        }
        uint64_t gs = gap_start(ib_), ge = gap_end(ib_);
        uint64_t lo = max_u64(r.base.raw(), gs), hi = min_u64(r.end().raw(), ge);
        if (r.end().raw() <= ge)
            ia_++;
        else
            ib_++;
        if (lo < hi) {
            out = MemRange{PhysRange{PhysAddr(lo), hi - lo}, r.nid};
            return true;
        }
    }
    return false;
}

bool RangeDiffWalk::next_descending(MemRange& out) {
    while (ia_ > 0 && ib_ > 0) {
        const MemblockRegion& r = a_[ia_ - 1];
        if (nid_ != NUMA_NO_NODE && r.nid != nid_) {
            ia_--;
            continue;
        }
        uint64_t gs = gap_start(ib_ - 1), ge = gap_end(ib_ - 1);
        uint64_t lo = max_u64(r.base.raw(), gs), hi = min_u64(r.end().raw(), ge);
        if (r.base.raw() >= gs)
            ia_--;
        else
            ib_--;
        if (lo < hi) {
            out = MemRange{PhysRange{PhysAddr(lo), hi - lo}, r.nid};
            return true;
        }
    }
    return false;
}

}  // namespace mm
