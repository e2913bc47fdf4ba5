/*
 * Debian's riscv64 cross toolchain ships glibc headers for the lp64d ABI
 * only. The kernel and user programs are built for lp64 (no FP registers)
 * and use libstdc++'s freestanding headers, which include <gnu/stubs.h>
 * through <features.h>; that file only lists glibc functions that are
 * stubs, none of which freestanding code calls, so it is empty here.
 */
