// The live kernel page table, as the MMU sees it: permissions per section,
// the direct map, and the boot identity map gone.
#include "kernel/paging.h"

#include "kernel/ktest/ktest.h"

extern "C" char __text_start[], __rodata_start[], __data_start[], __bss_end[];

namespace {

struct Mapping {
    bool present;
    PhysAddr pa;
    char attrs[8];
};

Mapping query(VirtAddr va) {
    Mapping m{};
    m.present = arch::query_mapping(va, &m.pa, m.attrs).ok();
    return m;
}

bool attrs_are(const Mapping& m, const char* want) {
    for (int i = 0; i < 3; i++)  // r, w, x
        if (m.attrs[i] != want[i]) return false;
    return true;
}

void text_is_read_exec(unity::Runner& r) {
    Mapping m = query(VirtAddr(__text_start));
    ASSERT_TRUE(m.present);
    r.check(attrs_are(m, "r-x"), __FILE__, __LINE__, "text mapped %s, expected r-x", m.attrs);
    EXPECT_EQ_U(m.pa.raw(), arch::image_layout().text.base.raw());
}

void rodata_is_read_only(unity::Runner& r) {
    Mapping m = query(VirtAddr(__rodata_start));
    ASSERT_TRUE(m.present);
    r.check(attrs_are(m, "r--"), __FILE__, __LINE__, "rodata mapped %s, expected r--", m.attrs);
}

void data_and_bss_are_read_write_no_exec(unity::Runner& r) {
    Mapping d = query(VirtAddr(__data_start));
    Mapping b = query(VirtAddr(reinterpret_cast<uintptr_t>(__bss_end) - 1));
    ASSERT_TRUE(d.present && b.present);
    r.check(attrs_are(d, "rw-"), __FILE__, __LINE__, "data mapped %s, expected rw-", d.attrs);
    r.check(attrs_are(b, "rw-"), __FILE__, __LINE__, "bss mapped %s, expected rw-", b.attrs);
}

void kernel_mappings_are_global_not_user(unity::Runner& r) {
    Mapping m = query(VirtAddr(__text_start));
    ASSERT_TRUE(m.present);
    r.check(m.attrs[3] == '-' && m.attrs[4] == 'g', __FILE__, __LINE__, "text attrs %s: want not-u, g",
            m.attrs);
}

void direct_map_covers_kernel_and_is_not_executable(unity::Runner& r) {
    PhysAddr pa = arch::image_layout().text.base;
    Mapping m = query(arch::phys_to_virt(pa));
    ASSERT_TRUE(m.present);
    EXPECT_EQ_U(m.pa.raw(), pa.raw());
    r.check(attrs_are(m, "rw-"), __FILE__, __LINE__, "direct map %s, expected rw-", m.attrs);
}

void identity_map_is_gone(unity::Runner& r) {
    PhysAddr pa = arch::image_layout().text.base;
    EXPECT_TRUE(!query(VirtAddr(pa.raw())).present);
    EXPECT_TRUE(!query(VirtAddr(0x1000)).present);
}

}  // namespace

void ktest_paging(unity::Runner& r) {
    RUN_TEST(r, text_is_read_exec);
    RUN_TEST(r, rodata_is_read_only);
    RUN_TEST(r, data_and_bss_are_read_write_no_exec);
    RUN_TEST(r, kernel_mappings_are_global_not_user);
    RUN_TEST(r, direct_map_covers_kernel_and_is_not_executable);
    RUN_TEST(r, identity_map_is_gone);
}
