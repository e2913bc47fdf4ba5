// Page tables as the running kernel reaches them: through the direct map,
// with new ones taken from a FrameSource (kernel/paging.h) and zeroed here.
// paging.cc (the kernel's own tables) and user_paging.cc (user address
// spaces) walk with these.
#pragma once

#include <stdint.h>

#include "arch/riscv/layout.h"
#include "arch/riscv/walk.h"
#include "kernel/paging.h"

namespace riscv {

// TableMemory::alloc and ::free over a FrameSource (the context).
inline Result<PhysAddr> zeroed_table(void* frame_source) {
    auto* frames = static_cast<arch::FrameSource*>(frame_source);
    PhysAddr pa = TRY(frames->alloc(frames->ctx));
    auto* words = layout::phys_to_ptr<uint64_t>(pa);
    for (unsigned i = 0; i < PAGE_SIZE / 8; i++) words[i] = 0;
    return pa;
}
inline void give_back_table(void* frame_source, PhysAddr pa) {
    auto* frames = static_cast<arch::FrameSource*>(frame_source);
    if (frames->free) frames->free(frames->ctx, pa);
}

// Walks of the tables below `root`; with `frames` nullptr they make none.
// `frames` must outlive the walker.
inline sv39::TableMemory table_memory(arch::FrameSource* frames) {
    sv39::TableMemory m;
    m.offset = layout::DIRECT_MAP_BASE;
    if (frames) {
        m.alloc = zeroed_table;
        m.free = give_back_table;
        m.ctx = frames;
    }
    return m;
}
inline sv39::Walker walker(PhysAddr root, arch::FrameSource* frames = nullptr) {
    return sv39::Walker(root, table_memory(frames));
}

}  // namespace riscv
