// crash=KIND on the command line: a deliberate kernel fault, so tests can
// show that every unexpected trap is reported in full and ends QEMU with a
// failure status (never a silent hang).
#pragma once

#include "cmdline/cmdline.h"

// Faults as asked; returns only for an unknown KIND (after a warning).
void boot_crash(StrView kind);
