// Kernel command-line options read at boot (bootargs from /chosen).
//
//   loglevel=N        show log lines up to level N (3 error .. 7 debug)
//   quiet             loglevel=4
//   kernelcore=SIZE|N%  memory that must stay unmovable (ZONE_MOVABLE from the rest)
//   movablecore=SIZE|N% memory to put in ZONE_MOVABLE
//   ktest=SUITE[,SUITE]|all  run on-target test suites, then power off
//   crash=KIND        deliberately fault (load, store, exec, illegal, ebreak,
//                     panic, assert) to show that faults are loud
//   init=NAME         the root task: an embedded user program (default: pager)
//   kpool=SIZE        kernel object pool carved at boot (default 1/64 of RAM, 4..64 MiB)
//   ipc_fastpath=off  no IPC fast paths: the general paths serve every Call,
//                     ReplyRecv and fault (a test holds both to the same answers)
//   hold              after boot, print the page-table list and wait for an
//                     external observer (QEMU's monitor) instead of powering off
//
// Unknown parameters are ignored (they may be meant for user programs);
// malformed known ones are reported and ignored.
#pragma once

#include "cmdline/cmdline.h"

struct BootOptions {
    StrView ktest;  // empty: no tests
    StrView crash;  // empty: no deliberate fault
    bool hold = false;
    StrView kernelcore;  // unparsed; zone sizing parses and reports
    StrView movablecore;
    StrView init;              // empty: the default root task
    uint64_t kpool_bytes = 0;  // 0: the default
    bool ipc_fastpath = true;
};

BootOptions parse_boot_options(const char* bootargs);
