// Fuzzes kernelcore=/movablecore= parsing and feeds the result to zone
// sizing over a fixed two-node layout: any accepted value must give a
// consistent layout.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bootmem/mm_init.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    size_t split = size ? data[0] % (size + 1) : 0;
    const char* text = reinterpret_cast<const char*>(data);
    if (split > size) split = size;
    StrView a{text, split}, b{text + split, size - split};
    Result<mm::CoreSetting> kc = mm::parse_core_setting(a);
    Result<mm::CoreSetting> mc = mm::parse_core_setting(b);
    if (!kc.ok() && kc.error() != Error::InvalidArgument && kc.error() != Error::OutOfRange &&
        kc.error() != Error::Unsupported)
        abort();
    static mm::Memblock mb = [] {
        mm::Memblock m;
        (void)m.add(PhysRange{PhysAddr(0x80000000), uint64_t(3) << 30}, 0);
        (void)m.add(PhysRange{PhysAddr(0x140000000), uint64_t(1) << 30}, 1);
        return m;
    }();
    mm::ZoneLayout z;
    if (!mm::size_zones(mb.memory(), 2, kc.value_or({}), mc.value_or({}), z).ok()) abort();
    for (unsigned n = 0; n < 2; n++) {
        uint64_t present = 0;
        for (const mm::ZoneSpan& s : z.nodes[n].zones) {
            if (s.present > s.spanned) abort();
            present += s.present;
        }
        if (present != z.nodes[n].present) abort();
        uint64_t mv = z.zone_movable_pfn[n].raw();
        if (mv && (mv % mm::MAX_ORDER_NR_PAGES || mv >= z.nodes[n].end.raw())) abort();
    }
    if (z.nodes[0].present + z.nodes[1].present != z.total_pages) abort();
    return 0;
}
