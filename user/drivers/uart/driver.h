// The console driver: an ns16550a UART with receive interrupts, serving
// the console protocol (abi/console.h) on an endpoint.
//
// It runs as a task of its own, started with abi/console.h's slots filled
// and its registers' offset in their Frame as the thread's argument.
// Output is written as it comes (the transmitter is polled, as the
// kernel's own log through the firmware does, so both keep working side
// by side); input is gathered from receive interrupts into lines, each
// handed to the waiting reader.
#pragma once

#include <stdint.h>

namespace uart {

int driver_main(uint64_t regs_offset);

}  // namespace uart
