// parse_devices(): the PLIC first (whether it is usable, its phandle and
// its source count decide which devices are), then every device node of
// the tree. Each part reports why something is unusable through a Diag,
// which becomes a warning rather than an error.
#include "fdt/devices.h"

namespace fdt {

namespace {

// Reserved phandle values (spec 2.3.3), used here as markers: no
// interrupt parent at all, and an 'interrupt-parent' that is not one
// usable phandle cell.
inline constexpr uint32_t NO_PHANDLE = 0;
inline constexpr uint32_t BAD_PHANDLE = ~0u;

// --- Shared by the parts -----------------------------------------------------

// Appends a warning, or counts it when the list is full.
void warn(DeviceInfo& out, const Diag& why) {
    if (out.nr_warnings == MAX_DEVICE_WARNINGS) {
        out.nr_dropped_warnings++;
        return;
    }
    out.warnings[out.nr_warnings++] = why;
}

// The messages for the ways a first 'reg' entry can be unusable, worded
// for the node concerned.
struct RegWords {
    const char* missing;
    const char* malformed;
    const char* empty;
    const char* overflow;
};

// The node's first 'reg' entry, decoded with its parent's cell counts:
// non-empty and ending inside 64 bits. Errors (with `why` filled in from
// `words`): NotFound (no 'reg'), Malformed (a 'reg' or cell count of the
// wrong form, or a zero size), OutOfRange (base + size overflows).
Result<RegEntry> first_reg(const Node& node, const RegWords& words, Diag* why) {
    Result<RegList> reg = node.reg();
    if (!reg.ok() && reg.error() == Error::NotFound)
        return fail(why, Error::NotFound, words.missing, node.offset());
    if (!reg.ok()) return fail(why, Error::Malformed, words.malformed, node.offset());
    RegEntry e = (*reg)[0];
    uint32_t offset = reg->property().offset();
    if (e.size == 0) return fail(why, Error::Malformed, words.empty, offset);
    if (e.size > ~uint64_t(0) - e.address) return fail(why, Error::OutOfRange, words.overflow, offset);
    return e;
}

// --- The PLIC ----------------------------------------------------------------

inline constexpr RegWords PLIC_REG{
    "PLIC ignored: no reg",
    "PLIC ignored: reg or its parent's cell counts are malformed",
    "PLIC ignored: zero-sized reg",
    "PLIC ignored: reg base + size overflows",
};

// One entry of 'interrupts-extended': an interrupt controller's phandle
// and, for a hart's local controller (#interrupt-cells = 1), the cause.
inline constexpr uint32_t PAIR_BYTES = 2 * CELL_SIZE;

// What a device's interrupt is checked against.
struct Wiring {
    bool has_plic;
    uint32_t phandle;  // the phandle that names the PLIC, or NO_PHANDLE
    uint32_t ndev;
};

// The first PLIC node in blob order.
bool is_plic(const Node& node) {
    return node.is_compatible("riscv,plic0") || node.is_compatible("sifive,plic-1.0.0");
}

// Errors: NotFound, Malformed (not one cell in 1..PLIC_MAX_NDEV).
Result<uint32_t> read_ndev(const Node& plic, Diag* why) {
    Result<Property> prop = plic.property("riscv,ndev");
    if (!prop.ok()) return fail(why, Error::NotFound, "PLIC ignored: no riscv,ndev", plic.offset());
    Result<uint32_t> ndev = prop->as_u32();
    if (!ndev.ok() || *ndev == 0 || *ndev > PLIC_MAX_NDEV)
        return fail(why, Error::Malformed, "PLIC ignored: riscv,ndev is not one cell in 1..1023",
                    prop->offset());
    return *ndev;
}

// The /cpus child with device_type "cpu" whose 'reg' is exactly `hartid`.
// Errors: NotFound.
Result<Node> hart_cpu_node(const Blob& blob, uint32_t hartid) {
    Node cpus = TRY(blob.find_node("/cpus"));
    for (Node cpu : cpus.children()) {
        if (!cpu.has_device_type("cpu")) continue;
        Result<RegList> reg = cpu.reg();
        if (reg.ok() && reg->size() == 1 && (*reg)[0].address == hartid) return cpu;
    }
    return Error::NotFound;
}

// True when `target` is an interrupt controller directly below the cpu
// node at `cpu_offset`: that hart's local interrupt controller.
bool is_hart_intc(const Node& target, uint32_t cpu_offset) {
    return target.parent_offset() == cpu_offset && target.has_property("interrupt-controller");
}

// The index of the first (phandle, cause) pair that is the boot hart's
// S-mode external interrupt; every phandle must name a node. Errors:
// NotFound (no such pair, or no cpu node for the boot hart), Malformed.
Result<uint32_t> boot_context(const Blob& blob, const Property& ext, uint32_t boot_hart, Diag* why) {
    if (ext.size() == 0 || ext.size() % PAIR_BYTES != 0)
        return fail(why, Error::Malformed,
                    "PLIC ignored: interrupts-extended is not whole (phandle, cause) pairs", ext.offset());
    Result<Node> cpu = hart_cpu_node(blob, boot_hart);
    uint32_t nr_pairs = ext.size() / PAIR_BYTES;
    uint32_t context = nr_pairs;  // none yet
    for (uint32_t i = 0; i < nr_pairs; i++) {
        const uint8_t* pair = ext.data() + size_t(i) * PAIR_BYTES;
        Result<Node> target = blob.find_by_phandle(load_be32(pair));
        if (!target.ok())
            return fail(why, Error::Malformed, "PLIC ignored: interrupts-extended names a phandle of no node",
                        ext.offset());
        bool s_external = load_be32(pair + CELL_SIZE) == IRQ_S_EXTERNAL;
        if (context == nr_pairs && s_external && cpu.ok() && is_hart_intc(*target, cpu->offset()))
            context = i;
    }
    if (!cpu.ok())
        return fail(why, Error::NotFound, "PLIC ignored: the boot hart has no cpu node in /cpus",
                    ext.offset());
    if (context == nr_pairs)
        return fail(why, Error::NotFound,
                    "PLIC ignored: no S-mode external interrupt context for the boot hart", ext.offset());
    return context;
}

// The PLIC node's registers, sources and boot hart context. Errors: those
// of first_reg(), read_ndev() and boot_context(), and NotFound for a
// missing interrupts-extended.
Result<Plic> read_plic(const Blob& blob, const Node& node, uint32_t boot_hart, Diag* why) {
    RegEntry reg = TRY(first_reg(node, PLIC_REG, why));
    uint32_t ndev = TRY(read_ndev(node, why));
    Result<Property> ext = node.property("interrupts-extended");
    if (!ext.ok()) return fail(why, Error::NotFound, "PLIC ignored: no interrupts-extended", node.offset());
    uint32_t context = TRY(boot_context(blob, *ext, boot_hart, why));
    return Plic{reg.address, reg.size, ndev, context};
}

// The phandle that names `node`, or NO_PHANDLE when it has none or when
// an earlier node has the same value (find_by_phandle(), through which
// any 'interrupt-parent' is read, would not reach `node`).
uint32_t naming_phandle(const Blob& blob, const Node& node) {
    Result<uint32_t> phandle = node.phandle();
    if (!phandle.ok()) return NO_PHANDLE;
    Result<Node> named = blob.find_by_phandle(*phandle);
    return named.ok() && named->offset() == node.offset() ? *phandle : NO_PHANDLE;
}

// Sets has_plic and plic from the first PLIC that serves the boot hart,
// or warns why there is none: no PLIC at all, or why the first one does
// not serve it.
Wiring parse_plic(const Blob& blob, uint32_t boot_hart, DeviceInfo& out) {
    Diag first_why;
    bool found = false;
    TreeWalker walker(blob);
    while (walker.next()) {
        const Node& node = walker.node();
        if (!is_plic(node)) continue;
        Diag why;
        Result<Plic> plic = read_plic(blob, node, boot_hart, &why);
        if (plic.ok()) {
            out.has_plic = true;
            out.plic = *plic;
            return Wiring{true, naming_phandle(blob, node), plic->ndev};
        }
        if (!found) first_why = why;
        found = true;
    }
    warn(out, found ? first_why
                    : Diag{"no PLIC (riscv,plic0 or sifive,plic-1.0.0): no device interrupts", NO_OFFSET});
    return Wiring{false, NO_PHANDLE, 0};
}

// --- Devices -----------------------------------------------------------------

inline constexpr RegWords DEVICE_REG{
    "device skipped: no reg",
    "device skipped: reg or its parent's cell counts are malformed",
    "device skipped: zero-sized reg",
    "device skipped: reg base + size overflows",
};

struct KindMatch {
    const char* compatible;
    DeviceKind kind;
};

inline constexpr KindMatch KINDS[] = {
    {"virtio,mmio", DeviceKind::VirtioMmio},
    {"ns16550a", DeviceKind::Uart16550},
};

// Errors: NotFound (not a device this parser knows).
Result<DeviceKind> device_kind(const Node& node) {
    for (const KindMatch& k : KINDS)
        if (node.is_compatible(k.compatible)) return k.kind;
    return Error::NotFound;
}

// The interrupt parent in force at `node`: its own 'interrupt-parent'
// (BAD_PHANDLE when that is not one cell holding a usable phandle), else
// `inherited`, its parent's.
uint32_t interrupt_parent(const Node& node, uint32_t inherited) {
    Result<Property> prop = node.property("interrupt-parent");
    if (!prop.ok()) return inherited;
    Result<uint32_t> phandle = prop->as_u32();
    if (!phandle.ok() || *phandle == NO_PHANDLE) return BAD_PHANDLE;
    return *phandle;
}

// Errors: NotFound (no usable PLIC, no interrupt parent), Malformed,
// Unsupported (the interrupt parent is another controller).
Status check_parent(const Node& node, uint32_t parent, const Wiring& plic, Diag* why) {
    if (!plic.has_plic) return fail(why, Error::NotFound, "device skipped: no usable PLIC", node.offset());
    if (parent == NO_PHANDLE)
        return fail(why, Error::NotFound, "device skipped: no interrupt-parent", node.offset());
    if (parent == BAD_PHANDLE)
        return fail(why, Error::Malformed, "device skipped: interrupt-parent is not a phandle",
                    node.offset());
    if (parent != plic.phandle)
        return fail(why, Error::Unsupported, "device skipped: interrupt parent is not the PLIC",
                    node.offset());
    return ok_status();
}

// The device's PLIC source. Errors: NotFound, Malformed (not one cell),
// OutOfRange (0, or not below ndev).
Result<uint32_t> interrupt_source(const Node& node, uint32_t ndev, Diag* why) {
    Result<Property> prop = node.property("interrupts");
    if (!prop.ok()) return fail(why, Error::NotFound, "device skipped: no interrupts", node.offset());
    Result<uint32_t> irq = prop->as_u32();
    if (!irq.ok())
        return fail(why, Error::Malformed, "device skipped: interrupts is not one cell", prop->offset());
    if (*irq == 0 || *irq >= ndev)
        return fail(why, Error::OutOfRange, "device skipped: interrupt source 0 or >= riscv,ndev",
                    prop->offset());
    return *irq;
}

// Errors: those of first_reg(), check_parent() and interrupt_source().
Result<Device> read_device(const Node& node, DeviceKind kind, uint32_t parent, const Wiring& plic,
                           Diag* why) {
    RegEntry reg = TRY(first_reg(node, DEVICE_REG, why));
    TRY_STATUS(check_parent(node, parent, plic, why));
    uint32_t irq = TRY(interrupt_source(node, plic.ndev, why));
    return Device{kind, reg.address, reg.size, irq};
}

void add_device(const Node& node, DeviceKind kind, uint32_t parent, const Wiring& plic, DeviceInfo& out) {
    Diag why;
    Result<Device> device = read_device(node, kind, parent, plic, &why);
    if (!device.ok()) {
        warn(out, why);
        return;
    }
    if (out.nr_devices == MAX_DEVICES) {
        warn(out, Diag{"device dropped: more than MAX_DEVICES devices", node.offset()});
        return;
    }
    out.devices[out.nr_devices++] = *device;
}

// Every available device node, with the interrupt parent each inherits.
void collect_devices(const Blob& blob, const Wiring& plic, DeviceInfo& out) {
    // parents[d]: the interrupt parent in force at the open node of depth
    // d. TreeWalker never goes deeper than MAX_DEPTH.
    uint32_t parents[MAX_DEPTH + 1] = {};
    TreeWalker walker(blob);
    while (walker.next()) {
        const Node& node = walker.node();
        unsigned depth = walker.depth();
        parents[depth] = interrupt_parent(node, depth == 0 ? NO_PHANDLE : parents[depth - 1]);
        Result<DeviceKind> kind = device_kind(node);
        if (!kind.ok() || !node.is_available()) continue;
        add_device(node, *kind, parents[depth], plic, out);
    }
}

void reset(DeviceInfo& out) {
    out.has_plic = false;
    out.plic = Plic{};
    out.nr_devices = 0;
    out.nr_warnings = out.nr_dropped_warnings = 0;
}

}  // namespace

Status parse_devices(const Blob& blob, uint32_t boot_hart, DeviceInfo* out, Diag* diag) {
    if (out == nullptr) return fail(diag, Error::InvalidArgument, "null DeviceInfo");
    reset(*out);
    Wiring plic = parse_plic(blob, boot_hart, *out);
    collect_devices(blob, plic, *out);
    return ok_status();
}

}  // namespace fdt
