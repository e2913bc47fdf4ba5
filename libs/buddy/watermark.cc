// Zone watermarks and lowmem_reserve (Linux's __setup_per_zone_wmarks and
// setup_per_zone_lowmem_reserve), and the watermark check every
// allocation pass makes (__zone_watermark_ok).
#include "buddy/buddy.h"

namespace mm {

namespace {

uint64_t int_sqrt(uint64_t x) {
    uint64_t r = 0;
    for (uint64_t bit = uint64_t(1) << 62; bit; bit >>= 2) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
    }
    return r;
}

uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

constexpr uint64_t MIN_FREE_KBYTES_MIN = 128;
constexpr uint64_t MIN_FREE_KBYTES_MAX = 262144;
constexpr uint64_t SWAP_CLUSTER_MAX = 32;

}  // namespace

// min_free_kbytes is split over the zones in proportion to their size;
// ZONE_MOVABLE only gets a token minimum, since nothing that must not
// fail allocates from it. low and high sit one and two "gaps" above min,
// the gap being a quarter of min or watermark_scale_factor of the zone.
void Buddy::setup_per_zone_wmarks() {
    uint64_t lowmem = 0;
    for (unsigned n = 0; n < nr_nodes_; n++)
        for (const Zone& z : zones_[n])
            if (z.type != ZoneType::Movable) lowmem += z.managed;
    uint64_t kbytes = config_.min_free_kbytes;
    if (kbytes == 0) {
        uint64_t lowmem_kbytes = lowmem << (PAGE_SHIFT - 10);
        kbytes = clamp(int_sqrt(lowmem_kbytes * 16), MIN_FREE_KBYTES_MIN, MIN_FREE_KBYTES_MAX);
    }
    min_free_kbytes_ = kbytes;
    uint64_t pages_min = kbytes >> (PAGE_SHIFT - 10);
    for (unsigned n = 0; n < nr_nodes_; n++) {
        for (Zone& z : zones_[n]) {
            uint64_t share = lowmem ? pages_min * z.managed / lowmem : 0;
            uint64_t min = share;
            if (z.type == ZoneType::Movable) min = clamp(z.managed / 1024, SWAP_CLUSTER_MAX, 128);
            uint64_t gap = z.managed * config_.watermark_scale_factor / 10000;
            if (share / 4 > gap) gap = share / 4;
            z.watermark[WMARK_MIN] = min;
            z.watermark[WMARK_LOW] = min + gap;
            z.watermark[WMARK_HIGH] = min + 2 * gap;
            update_fast_mark(z);
        }
    }
    build_fast_paths();
}

void Buddy::update_fast_mark(Zone& z) {
    for (unsigned j = 0; j < MAX_NR_ZONES; j++) z.fast_mark[j] = z.watermark[WMARK_LOW] + z.lowmem_reserve[j];
}

// A lower zone keeps back, from requests that could have been served by
// a higher zone j, 1/ratio of the memory of the zones between: DMA32
// stays available for the devices that need it.
void Buddy::setup_lowmem_reserve() {
    for (unsigned n = 0; n < nr_nodes_; n++) {
        for (unsigned i = 0; i < MAX_NR_ZONES; i++) {
            Zone& z = zones_[n][i];
            uint64_t above = 0;
            for (unsigned j = 0; j < MAX_NR_ZONES; j++) {
                if (j > i) above += zones_[n][j].managed;
                uint32_t ratio = lowmem_reserve_ratio_[i];
                z.lowmem_reserve[j] = (j > i && ratio) ? above / ratio : 0;
            }
            update_fast_mark(z);
        }
    }
    build_fast_paths();
}

Status Buddy::set_min_free_kbytes(uint64_t kbytes) {
    if (kbytes < MIN_FREE_KBYTES_MIN || kbytes > MIN_FREE_KBYTES_MAX * 4) return Error::InvalidArgument;
    config_.min_free_kbytes = kbytes;
    setup_per_zone_wmarks();
    return {};
}

Status Buddy::set_watermark_scale_factor(uint32_t factor) {
    if (factor == 0 || factor > 3000) return Error::InvalidArgument;
    config_.watermark_scale_factor = factor;
    setup_per_zone_wmarks();
    return {};
}

void Buddy::set_lowmem_reserve_ratio(const uint32_t (&ratio)[MAX_NR_ZONES]) {
    for (unsigned i = 0; i < MAX_NR_ZONES; i++) lowmem_reserve_ratio_[i] = ratio[i];
    setup_lowmem_reserve();
}

bool Buddy::zone_has_block(const Zone& z, unsigned order) const {
    for (unsigned o = order; o < MAX_ORDER; o++)
        if (z.free_area[o].nr_free) return true;
    return false;
}

// After the allocation the zone must keep more than `mark` free frames
// plus what it reserves for requests limited to lower zones, and for
// order > 0 a block of that size must exist at all.
bool Buddy::watermark_ok(const Zone& z, unsigned order, uint64_t mark, unsigned highest) const {
    uint64_t need = mark + z.lowmem_reserve[highest] + (uint64_t(1) << order) - 1;
    if (z.free_pages <= need) return false;
    return order == 0 || zone_has_block(z, order);
}

}  // namespace mm
