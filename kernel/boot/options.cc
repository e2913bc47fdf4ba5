#include "kernel/boot/options.h"

#include "base/addr.h"
#include "kernel/lib/log.h"

BootOptions parse_boot_options(const char* bootargs) {
    BootOptions o;
    Cmdline cl(bootargs);
    if (cl.has("quiet")) klog::set_level(klog::Level::Warn);
    CmdlineParam p;
    if (cl.find("loglevel", p)) {
        auto lvl = parse_u64(p.value);
        if (lvl.ok() && *lvl <= 7)
            klog::set_level(klog::Level(int(*lvl)));
        else
            klog::warn("loglevel=%.*s ignored: expected 0..7", int(p.value.len), p.value.data);
    }
    if (cl.find("ktest", p)) o.ktest = p.value;
    if (cl.find("crash", p)) o.crash = p.value;
    if (cl.find("kernelcore", p)) o.kernelcore = p.value;
    if (cl.find("movablecore", p)) o.movablecore = p.value;
    o.hold = cl.has("hold");
    if (cl.find("init", p)) o.init = p.value;
    if (cl.find("kpool", p)) {
        auto size = parse_size(p.value);
        if (size.ok() && *size >= (1u << 20) && *size <= (uint64_t(1) << 32))
            o.kpool_bytes = align_up(*size, PAGE_SIZE);
        else
            klog::warn("kpool=%.*s ignored: expected a size between 1M and 4G", int(p.value.len),
                       p.value.data);
    }
    if (cl.find("ipc_fastpath", p)) {
        if (p.value.equals("off") || p.value.equals("on"))
            o.ipc_fastpath = p.value.equals("on");
        else
            klog::warn("ipc_fastpath=%.*s ignored: expected on or off", int(p.value.len), p.value.data);
    }
    if (cl.truncated())
        klog::warn("kernel command line longer than %zu bytes; the rest is ignored", CMDLINE_MAX);
    return o;
}
