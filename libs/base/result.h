// Result<T>: a value or an Error, with TRY() for early return.
// Freestanding (no exceptions, no heap); usable in kernel, pager and host.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "base/error.h"

template <typename T>
class [[nodiscard]] Result {
public:
    Result(const T& v) : ok_(true) { new (&value_) T(v); }
    Result(T&& v) : ok_(true) { new (&value_) T(std::move(v)); }
    Result(Error e) : ok_(false), error_(e) {}

    Result(const Result& o) : ok_(o.ok_), error_(o.error_) {
        if (ok_) new (&value_) T(o.value());
    }
    Result& operator=(const Result& o) {
        if (this != &o) {
            destroy();
            ok_ = o.ok_;
            error_ = o.error_;
            if (ok_) new (&value_) T(o.value());
        }
        return *this;
    }
    ~Result() { destroy(); }

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    Error error() const { return ok_ ? Error::None : error_; }

    T& value() { return value_; }
    const T& value() const { return value_; }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }

    T value_or(T fallback) const { return ok_ ? value() : fallback; }

private:
    void destroy() {
        if (ok_) value().~T();
    }
    // A union member rather than raw bytes: the compiler can keep a
    // Result that never leaves a function in registers.
    union {
        T value_;
    };
    bool ok_;
    Error error_ = Error::None;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error e) : error_(e) {}
    bool ok() const { return error_ == Error::None; }
    explicit operator bool() const { return ok(); }
    Error error() const { return error_; }

private:
    Error error_ = Error::None;
};

using Status = Result<void>;
inline Status ok_status() { return {}; }

// TRY(expr): evaluate a Result; on error return the error from the
// enclosing function, otherwise yield the value (GNU statement expression,
// supported by both gcc and clang).
#define TRY(expr)                                          \
    ({                                                     \
        auto _try_result = (expr);                         \
        if (!_try_result.ok()) return _try_result.error(); \
        std::move(_try_result.value());                    \
    })

// TRY_STATUS(expr): the same for Result<void>.
#define TRY_STATUS(expr)                                   \
    do {                                                   \
        auto _try_status = (expr);                         \
        if (!_try_status.ok()) return _try_status.error(); \
    } while (0)
