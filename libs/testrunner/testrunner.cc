#include "testrunner/testrunner.h"

namespace unity {

void Runner::run(const char* file, int line, const char* name, TestFn fn) {
    tests_++;
    current_failed_ = false;
    fn(*this);
    if (current_failed_) {
        failures_++;
        format(out_, "%s:%d:%s:FAIL: %s\n", fail_file_, fail_line_, name, fail_msg_);
    } else {
        format(out_, "%s:%d:%s:PASS\n", file, line, name);
    }
}

void Runner::ignore(const char* file, int line, const char* name, const char* reason) {
    tests_++;
    ignored_++;
    format(out_, "%s:%d:%s:IGNORE: %s\n", file, line, name, reason);
}

void Runner::fail(const char* file, int line, const char* name, const char* reason) {
    tests_++;
    failures_++;
    format(out_, "%s:%d:%s:FAIL: %s\n", file, line, name, reason);
}

bool Runner::check(bool cond, const char* file, int line, const char* fmt, ...) {
    if (cond || current_failed_) return cond;
    current_failed_ = true;
    fail_file_ = file;
    fail_line_ = line;
    va_list ap;
    va_start(ap, fmt);
    vformat_buf(fail_msg_, sizeof fail_msg_, fmt, ap);
    va_end(ap);
    return false;
}

unsigned Runner::finish() {
    format(out_, "-----------------------\n%u Tests %u Failures %u Ignored\n%s\n", tests_, failures_,
           ignored_, failures_ ? "FAIL" : "OK");
    return failures_;
}

}  // namespace unity
