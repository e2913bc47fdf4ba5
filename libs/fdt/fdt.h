// The flattened device tree parser: include this one header.
//
//   blob.h      Blob::open() validation, Diag, low-level structure access
//   property.h  Property values: u32, u64, string, string list, cells
//   reg.h       'reg' lists with #address-cells / #size-cells
//   node.h      Node: properties, children, compatible, status, phandle
//   walker.h    TreeWalker: every node, depth first
//   machine.h   parse_machine(): RAM, reservations, harts, NUMA, /chosen
#pragma once

#include "fdt/blob.h"
#include "fdt/machine.h"
#include "fdt/node.h"
#include "fdt/property.h"
#include "fdt/reg.h"
#include "fdt/walker.h"
