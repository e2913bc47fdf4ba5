// The one error enum shared by the kernel, the pager, user programs and
// host tools. It is closed: add a value here, never a private code
// elsewhere. Values are stable because they cross the syscall ABI.
#pragma once

#include <stdint.h>

enum class Error : uint8_t {
    None = 0,
    // Input that can never succeed as given.
    InvalidArgument,  // malformed or out-of-range argument
    BadAlignment,     // address or size not aligned as required
    OutOfRange,       // an index, offset or address outside what exists
    Malformed,        // a structure (FDT, ELF, bundle, message) is corrupt
    Unsupported,      // well-formed but asks for something not supported
    NotFound,         // a named thing (node, property, slot) does not exist
    // Resources.
    NoMemory,   // nothing left that could satisfy the request
    TryAgain,   // below a watermark: reclaim or waiting would help
    OverQuota,  // the caller's own limit, not the system's
    // Capabilities and objects.
    InvalidCap,  // empty slot or slot number out of range
    WrongType,   // capability is of the wrong type
    NoRights,    // capability lacks a right the operation needs
    Busy,        // slot or range already in use (e.g. overlapping map)
    DeadObject,  // the object behind the capability is gone
    // Allocator integrity (reported, never acted on silently).
    DoubleFree,  // freeing a block that is already free
    NotOwned,    // freeing a block the allocator does not manage
    WrongOrder,  // freeing with an order other than the allocated one
    // Added later, hence last (values never change).
    OutOfSlots,  // a capability space cannot grow within its task's kernel memory limit
    IoError,     // a device could not do the transfer it was asked for
};
// The last value: checks of a raw error number use it.
inline constexpr Error ERROR_LAST = Error::IoError;

// A short, stable, human-readable name for log lines and test output.
constexpr const char* error_name(Error e) {
    switch (e) {
        case Error::None:
            return "none";
        case Error::InvalidArgument:
            return "invalid argument";
        case Error::BadAlignment:
            return "bad alignment";
        case Error::OutOfRange:
            return "out of range";
        case Error::Malformed:
            return "malformed";
        case Error::Unsupported:
            return "unsupported";
        case Error::NotFound:
            return "not found";
        case Error::NoMemory:
            return "no memory";
        case Error::TryAgain:
            return "try again";
        case Error::OverQuota:
            return "over quota";
        case Error::InvalidCap:
            return "invalid capability";
        case Error::WrongType:
            return "wrong capability type";
        case Error::NoRights:
            return "insufficient rights";
        case Error::Busy:
            return "busy";
        case Error::DeadObject:
            return "dead object";
        case Error::DoubleFree:
            return "double free";
        case Error::NotOwned:
            return "not owned";
        case Error::WrongOrder:
            return "wrong order";
        case Error::OutOfSlots:
            return "out of slots";
        case Error::IoError:
            return "i/o error";
    }
    return "unknown error";
}
