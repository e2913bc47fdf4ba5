// The console protocol, shared by the UART driver (user/drivers/uart)
// and its clients.
//
// A client Calls the driver's endpoint with w0 = ConsoleOp:
//   Write:    w1 = bytes (0..CONSOLE_MSG_BYTES), w2..w5 the bytes, eight
//             to a word, first byte lowest -> w0 = Error
//   ReadLine: -> w0 = Error, w1 = bytes, w2..w5 the bytes of the next
//             input line (without its end), at most CONSOLE_MSG_BYTES: a
//             longer line comes in pieces, w2.. of each full one, and
//             the last shorter (or empty). Waits until a line is there;
//             one reader at a time (Busy for a second).
#pragma once

#include <stdint.h>

namespace abi {

enum class ConsoleOp : uint64_t { Write = 1, ReadLine = 2 };

inline constexpr uint64_t CONSOLE_MSG_BYTES = 32;

// The slots a console driver starts with (its starter fills them).
inline constexpr unsigned CON_SLOT_REGS = 320;   // Frame: the UART's registers
inline constexpr unsigned CON_SLOT_IRQ = 321;    // IrqHandler: its line
inline constexpr unsigned CON_SLOT_SERVE = 322;  // Endpoint (Read): requests come here
inline constexpr unsigned CON_SLOT_FREE = 328;

}  // namespace abi
