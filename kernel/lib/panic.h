// Kernel panics: only for broken kernel invariants, never for user input.
// A panic prints why and where, the registers and a backtrace, then ends
// the machine with a failure status; it never hangs silently.
#pragma once

[[noreturn]] void panic_at(const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define PANIC(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)

// KASSERT(cond): a kernel invariant; failure panics with the expression.
#define KASSERT(cond)                                                                                  \
    do {                                                                                               \
        if (__builtin_expect(!(cond), 0)) panic_at(__FILE__, __LINE__, "assertion failed: %s", #cond); \
    } while (0)

// Exit status used for panics (QEMU's exit status when the kernel panics).
inline constexpr int PANIC_EXIT_STATUS = 101;
