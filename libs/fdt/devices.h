// The interrupt controller and the devices boot hands to drivers, read
// from the FDT: the PLIC (RISC-V Platform-Level Interrupt Controller
// Specification 1.0.0, bindings sifive,plic-1.0.0.yaml) with the context
// of the boot hart's S-mode external interrupt, and every virtio-mmio and
// 16550 UART node with its register window and PLIC source.
//
// parse_devices() runs before any allocator: DeviceInfo lives in caller
// storage, like MachineInfo (machine.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "fdt/fdt.h"

namespace fdt {

inline constexpr size_t MAX_DEVICES = 16;
inline constexpr size_t MAX_DEVICE_WARNINGS = 8;

// The PLIC's highest source number (PLIC spec 1.0.0: sources 1..1023).
inline constexpr uint32_t PLIC_MAX_NDEV = 1023;

// The supervisor external interrupt's cause number (priv spec 3.1.9,
// mip.SEIP is bit 9): the cause of the PLIC context that interrupts a
// hart in S-mode.
inline constexpr uint32_t IRQ_S_EXTERNAL = 9;

enum class DeviceKind : uint8_t { VirtioMmio = 1, Uart16550 = 2 };

struct Device {
    DeviceKind kind;
    uint64_t base;  // first 'reg' entry: physical address and size in bytes
    uint64_t size;
    uint32_t irq;  // its interrupt source at the PLIC (1 .. ndev-1)
};

struct Plic {
    uint64_t base, size;  // first 'reg' entry
    uint32_t ndev;        // riscv,ndev as the tree gives it (see below)
    uint32_t context;     // index of the boot hart's S-mode external interrupt context
};

struct DeviceInfo {
    bool has_plic;
    Plic plic;  // meaningful only when has_plic
    Device devices[MAX_DEVICES];
    size_t nr_devices;

    // Why a PLIC or a device was left out, in the order found. Messages
    // are static strings; offsets point at the node or property
    // concerned. Warnings beyond MAX_DEVICE_WARNINGS are only counted in
    // nr_dropped_warnings.
    Diag warnings[MAX_DEVICE_WARNINGS];
    size_t nr_warnings;
    size_t nr_dropped_warnings;
};

// Fills `out` from an opened blob for the hart `boot_hart`. Devices are
// listed in blob order; entries beyond nr_devices are left unspecified.
// Nothing in the tree is an error: whatever is unusable is left out with
// a warning, so that the system still boots, without interrupts if need
// be. Every property's length is checked before it is read.
//
// PLIC: the first node, in blob order, whose compatible list holds
// "riscv,plic0" or "sifive,plic-1.0.0" and that serves the boot hart.
// It needs
//   - a first 'reg' entry (decoded with its parent's #address-cells and
//     #size-cells) of non-zero size whose end fits 64 bits;
//   - 'riscv,ndev', one cell in 1..PLIC_MAX_NDEV;
//   - 'interrupts-extended', a non-empty list of (phandle, cause) cell
//     pairs, one per PLIC context, in context order, every phandle
//     naming a node; the context is the index of the first pair whose
//     phandle names a node with 'interrupt-controller' whose parent is
//     the boot hart's cpu node (a /cpus child with device_type "cpu" and
//     'reg' == boot_hart), and whose cause is IRQ_S_EXTERNAL.
// When no PLIC qualifies, has_plic is false and a warning says why the
// first one does not (or that there is none). A machine with one PLIC per
// socket spreads its devices over them (QEMU virt with two NUMA sockets
// wires the UART to socket 0's PLIC and virtio-mmio to socket 1's): the
// kernel, which takes interrupts on the boot hart alone, can use the
// devices of the boot hart's PLIC only, and the others are skipped.
//
// Devices: every node, at any depth, in blob order, whose compatible list
// holds "virtio,mmio" (VirtioMmio) or "ns16550a" (Uart16550). Nodes whose
// 'status' is present and is not "okay" or "ok" are not devices and are
// passed over silently (firmware disables devices routinely). A device
// needs
//   - a first 'reg' entry of non-zero size whose end fits 64 bits;
//   - a PLIC (has_plic), and an interrupt parent that is the PLIC: the
//     'interrupt-parent' phandle of the node or, when absent, of its
//     nearest ancestor that has one; the PLIC's own 'phandle' must name
//     the PLIC (not a duplicate earlier in the tree);
//   - 'interrupts', exactly one cell: a source in 1..ndev-1.
// A device that lacks any of these is skipped with a warning: a driver
// here has no use for a device it cannot take interrupts from. The bound
// ndev-1 is deliberately conservative: QEMU 7.2's virt machine writes
// riscv,ndev = 0x60 for a PLIC whose sources are 1..0x5f (it counts the
// reserved source 0), which the binding would read as sources 1..0x60.
// Usable devices past MAX_DEVICES are dropped with a warning each.
//
// Errors: InvalidArgument when `out` is null (with `diag` filled in);
// the tree walk itself reports none, as the blob was validated when it
// was opened. `out` is unspecified after an error.
Status parse_devices(const Blob& blob, uint32_t boot_hart, DeviceInfo* out, Diag* diag = nullptr);

}  // namespace fdt
