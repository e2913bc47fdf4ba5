#include "bootmem/bootmem.h"

namespace mm {

namespace {

using ull = unsigned long long;

// Cuts a bank to whole pages below MAX_PHYS_END. False (with a message)
// when nothing is left.
bool sanitize_bank(PhysRange& r, BootMemoryReport& rep, TextSink log) {
    uint64_t base = r.base.raw();
    const uint64_t bank_end = base + r.size;  // as the tree gives it, for messages
    uint64_t end = bank_end;
    if (r.size == 0) {
        format(log, "OF: fdt: Ignoring empty memory bank at 0x%llx\n", ull(base));
        rep.banks_ignored++;
        return false;
    }
    bool trimmed = false;
    if (end < base || end > MAX_PHYS_END) {
        end = MAX_PHYS_END;
        trimmed = true;
    }
    uint64_t abase = align_up(base, PAGE_SIZE), aend = align_down(end, PAGE_SIZE);
    if (abase < base || abase >= aend) {
        format(log, "OF: fdt: Ignoring memory block 0x%llx - 0x%llx\n", ull(base), ull(bank_end));
        rep.banks_ignored++;
        return false;
    }
    if (trimmed)
        format(log, "OF: fdt: Ignoring memory range 0x%llx - 0x%llx (above 16 TiB)\n", ull(aend),
               ull(bank_end));
    if (trimmed || abase != base || aend != end) rep.banks_trimmed++;
    r = PhysRange{PhysAddr(abase), aend - abase};
    return true;
}

// Node spans from memblock: true when two nodes' [first, last) overlap.
bool nodes_interleave(const Memblock& mb, TextSink log) {
    uint64_t lo[MAX_NUMNODES], hi[MAX_NUMNODES];
    for (unsigned n = 0; n < MAX_NUMNODES; n++) lo[n] = ~uint64_t(0), hi[n] = 0;
    for (const MemblockRegion& r : mb.memory()) {
        if (r.base.raw() < lo[r.nid]) lo[r.nid] = r.base.raw();
        if (r.end().raw() > hi[r.nid]) hi[r.nid] = r.end().raw();
    }
    for (unsigned a = 0; a < MAX_NUMNODES; a++)
        for (unsigned b = a + 1; b < MAX_NUMNODES; b++)
            if (lo[a] < hi[b] && lo[b] < hi[a]) {
                format(log,
                       "NUMA: node %u [mem 0x%016llx-0x%016llx] and node %u "
                       "[mem 0x%016llx-0x%016llx] interleave\n",
                       a, ull(lo[a]), ull(hi[a] - 1), b, ull(lo[b]), ull(hi[b] - 1));
                return true;
            }
    return false;
}

void discard(void*, const char*, size_t) {}

// A sink that is safe to format into: a missing writer discards.
TextSink usable(TextSink s) { return s.write ? s : TextSink{discard, nullptr}; }

// Adds the sanitized banks on their nodes (or all on node 0). Returns
// false when a bank of one node overlaps another node's memory; sets
// `full` when memblock had no room for a bank.
bool add_all(Memblock& mb, const void* banks, size_t n, BankGetter get, bool numa, bool& full, TextSink log) {
    BootMemoryReport scratch;
    for (size_t i = 0; i < n; i++) {
        BankDesc b = get(banks, i);
        if (!sanitize_bank(b.range, scratch, TextSink{discard, nullptr})) continue;
        Status s = mb.add(b.range, numa ? b.node : 0);
        if (s.error() == Error::Busy) {
            format(log, "NUMA: memory [mem 0x%016llx-0x%016llx] of node %u overlaps another node\n",
                   ull(b.range.base.raw()), ull(b.range.end().raw() - 1), b.node);
            return false;
        }
        if (!s.ok()) {
            format(log, "memblock: too many memory regions, ignoring [mem 0x%016llx-0x%016llx]\n",
                   ull(b.range.base.raw()), ull(b.range.end().raw() - 1));
            full = true;
        }
    }
    return true;
}

}  // namespace

Result<BootMemoryReport> add_memory_banks(Memblock& mb, const void* banks, size_t n, BankGetter get,
                                          unsigned nr_nodes, TextSink sink) {
    TextSink log = usable(sink);
    BootMemoryReport rep;
    for (size_t i = 0; i < n; i++) {
        BankDesc b = get(banks, i);
        sanitize_bank(b.range, rep, log);
    }
    bool numa = true, full = false;
    unsigned nodes = nr_nodes ? nr_nodes : 1;
    for (size_t i = 0; i < n; i++) {
        unsigned node = get(banks, i).node;
        if (node >= MAX_NUMNODES) {
            format(log, "NUMA: Node id %u exceeds maximum value\n", node);
            numa = false;
        } else if (node + 1 > nodes) {
            nodes = node + 1;
        }
    }
    if (numa && nodes > MAX_NUMNODES) {
        format(log, "NUMA: %u nodes described, at most %u supported\n", nodes, MAX_NUMNODES);
        numa = false;
    }
    if (numa) numa = add_all(mb, banks, n, get, true, full, log);
    if (numa) numa = !nodes_interleave(mb, log);
    if (!numa) {
        // Start over with every bank on node 0; removing everything never splits.
        (void)mb.remove(PhysRange{PhysAddr(0), ~uint64_t(0)});
        full = false;
        add_all(mb, banks, n, get, false, full, log);
        rep.numa_disabled = true;
        nodes = 1;
    }
    rep.nr_nodes = nodes;
    if (mb.memory().count() == 0) {
        format(log, "memblock: no usable memory\n");
        return Error::NoMemory;
    }
    if (rep.numa_disabled)
        format(log, "NUMA: Faking a node at [mem 0x%016llx-0x%016llx]\n", ull(mb.start_of_dram().raw()),
               ull(mb.end_of_dram().raw() - 1));
    if (full) return Error::NoMemory;
    return rep;
}

Status add_reserved_range(Memblock& mb, const ReservedDesc& r, TextSink sink) {
    TextSink log = usable(sink);
    const char* name = r.name ? r.name : "(memreserve)";
    if (r.range.size == 0) {
        format(log, "OF: reserved mem: ignoring empty region %s\n", name);
        return Error::InvalidArgument;
    }
    ull base = r.range.base.raw(), last = r.range.base.raw() + r.range.size - 1;
    format(log, "OF: reserved mem: 0x%016llx..0x%016llx (%llu KiB) %s non-reusable %s\n", base, last,
           ull(r.range.size / 1024), r.no_map ? "nomap" : "map", name);
    if (r.no_map) {
        bool overlaps_memory = false;
        for (const MemblockRegion& m : mb.memory())
            if (m.base < r.range.end() && r.range.base < m.end()) overlaps_memory = true;
        if (overlaps_memory && mb.is_region_reserved(r.range)) {
            format(log,
                   "OF: reserved mem: failed to reserve memory for node '%s': "
                   "base 0x%016llx, size %llu MiB\n",
                   name, base, ull(r.range.size >> 20));
            return Error::Busy;
        }
        Status s = mb.remove(r.range);
        if (!s.ok()) format(log, "memblock: cannot remove %s: %s\n", name, error_name(s.error()));
        return s;
    }
    if (!mb.is_region_memory(r.range))
        format(log, "memblock: reserved %s [mem 0x%016llx-0x%016llx] is not all memory\n", name, base, last);
    Status s = mb.reserve(r.range);
    if (!s.ok()) format(log, "memblock: cannot reserve %s: %s\n", name, error_name(s.error()));
    return s;
}

Status reserve_boot_range(Memblock& mb, PhysRange r, const char* what, TextSink sink) {
    TextSink log = usable(sink);
    if (r.size == 0) return Error::InvalidArgument;
    if (!mb.is_region_memory(r))
        format(log, "memblock: %s [mem 0x%016llx-0x%016llx] is not inside memory\n", what, ull(r.base.raw()),
               ull(r.end().raw() - 1));
    Status s = mb.reserve(r);
    if (!s.ok()) format(log, "memblock: cannot reserve %s: %s\n", what, error_name(s.error()));
    return s;
}

}  // namespace mm
