// Reports in the style of Linux's /proc/meminfo, buddyinfo and zoneinfo.
#include "buddy/introspect.h"
#include "pager/pager.h"
#include "runtime/console.h"

namespace pager {

void print_meminfo() {
    const mm::Buddy& b = memory().buddy;
    uint64_t present = 0, active = 0, inactive = 0;
    for (unsigned n = 0; n < b.nr_nodes(); n++) {
        for (unsigned z = 0; z < mm::MAX_NR_ZONES; z++) {
            mm::ZoneStats st = mm::zone_stats(b, n, mm::ZoneType(z));
            present += st.managed;
            active += st.lru[unsigned(mm::LruList::Active)];
            inactive += st.lru[unsigned(mm::LruList::Inactive)];
        }
    }
    uprintf("MemTotal:       %8lu kB\n", present * 4);
    uprintf("MemFree:        %8lu kB\n", b.nr_free_pages() * 4);
    uprintf("Active:         %8lu kB\n", active * 4);
    uprintf("Inactive:       %8lu kB\n", inactive * 4);
}

void print_buddyinfo() { mm::print_buddyinfo(memory().buddy, console_sink()); }
void print_zoneinfo() { mm::print_zoneinfo(memory().buddy, console_sink()); }

}  // namespace pager
