// The flattened device tree parser: include this one header.
//
//   blob.h      the on-disk layout, Blob::open() validation, Diag, structure access
//   node.h      Node, Property values, 'reg' lists, TreeWalker
//   machine.h   parse_machine(): RAM, reservations, harts, NUMA, /chosen
#pragma once

#include "fdt/blob.h"
#include "fdt/machine.h"
#include "fdt/node.h"
