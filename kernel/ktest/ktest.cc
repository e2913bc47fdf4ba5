#include "kernel/ktest/ktest.h"

#include "kernel/lib/log.h"

namespace {

constexpr KtestSuite SUITES[] = {
    {"paging", ktest_paging},
    {"memory", ktest_phys_memory},
    {"verify", ktest_verify},
};

// Calls fn(ctx, item) for each comma-separated item of `list`.
template <typename Fn>
void for_each_item(StrView list, Fn fn) {
    size_t start = 0;
    for (size_t i = 0; i <= list.len; i++) {
        if (i != list.len && list[i] != ',') continue;
        fn(StrView{list.data + start, i - start});
        start = i + 1;
    }
}

bool name_in(StrView list, const char* name) {
    bool found = false;
    for_each_item(list, [&](StrView item) { found = found || item.equals(name) || item.equals("all"); });
    return found;
}

}  // namespace

unsigned ktest_run(StrView which) {
    unity::Runner r(klog::console_sink());
    // Names that match no suite are failures of their own.
    for_each_item(which, [&](StrView item) {
        bool known = item.equals("all");
        for (const auto& s : SUITES) known = known || item.equals(s.name);
        if (!known) {
            char why[96];
            format_buf(why, sizeof why, "unknown ktest suite '%.*s'", int(item.len), item.data);
            r.fail(__FILE__, __LINE__, "ktest_suite_name", why);
        }
    });
    for (const auto& s : SUITES) {
        if (!name_in(which, s.name)) continue;
        klog::info("ktest: suite %s", s.name);
        s.run(r);
    }
    return r.finish();
}
