#include "ktest/ktest.h"

#include "lib/log.h"

namespace {

constexpr KtestSuite SUITES[] = {
    {"paging", ktest_paging},
    {"memory", ktest_memory},
};

bool name_in(StrView list, const char* name) {
    size_t start = 0;
    for (size_t i = 0; i <= list.len; i++) {
        if (i == list.len || list[i] == ',') {
            StrView item{list.data + start, i - start};
            if (item.equals(name) || item.equals("all")) return true;
            start = i + 1;
        }
    }
    return false;
}

}  // namespace

unsigned ktest_run(StrView which) {
    unity::Runner r(klog::console_sink());
    // Names that match no suite are failures of their own.
    size_t start = 0;
    for (size_t i = 0; i <= which.len; i++) {
        if (i != which.len && which[i] != ',') continue;
        StrView item{which.data + start, i - start};
        start = i + 1;
        bool known = item.equals("all");
        for (const auto& s : SUITES) known = known || item.equals(s.name);
        if (!known) {
            char why[96];
            format_buf(why, sizeof why, "unknown ktest suite '%.*s'", int(item.len), item.data);
            r.fail(__FILE__, __LINE__, "ktest_suite_name", why);
        }
    }
    for (const auto& s : SUITES) {
        if (!name_in(which, s.name)) continue;
        klog::info("ktest: suite %s", s.name);
        s.run(r);
    }
    return r.finish();
}
