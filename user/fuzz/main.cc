// `fuzz`: the seeded system call fuzzer (fuzz.h).
//
// Started by the pager from a boot bundle (`run fuzz kmem=320 seed=N ...`,
// tools/fuzz makes one), it fuzzes system calls and pager requests; as
// the root task (init=fuzz, options on the kernel command line as
// fuzz_seed=N fuzz_calls=N ...) it fuzzes system calls with the root's
// Memory capabilities instead of a pager. Options (the root's with
// `fuzz_` in front):
//   seed=N       the run (printed at the start; the same seed replays it)
//   calls=N      the fuzzer's own calls (its children's come on top)
//   verify=N     calls between checks of the kernel's and the pager's state
//   children=N   fuzzing children at a time (0..6), besides the echo server
//   respawn=N    calls between killing one child and starting another
//   strict=1     an error the documentation does not list fails the run
// It prints `fuzz: PASS` and exits 0 when every check held, `fuzz: FAIL`
// and 1 otherwise.
#include "abi/pager.h"
#include "cmdline/cmdline.h"
#include "pager_client/pager_client.h"
#include "runtime/console.h"
#include "runtime/frames.h"
#include "runtime/runtime.h"
#include "runtime/slots.h"
#include "user/fuzz/fuzz.h"

namespace fuzz {

namespace {

using abi::CapType;

// One `name=value` option `p` (the root's with `fuzz_` in front), into
// `o`. False for a name or value it does not know.
bool option(Options& o, const CmdlineParam& p) {
    StrView key = p.key;
    if (key.len > 5 && cmdline_key_equals(StrView{key.data, 5}, "fuzz_"))
        key = StrView{key.data + 5, key.len - 5};
    const Result<uint64_t> n = parse_u64(p.value);
    if (!p.has_value || !n.ok()) return false;
    struct {
        const char* name;
        uint64_t* field;
    } numbers[] = {
        {"seed", &o.seed}, {"calls", &o.calls}, {"verify", &o.verify_every}, {"respawn", &o.respawn_every}};
    for (const auto& f : numbers) {
        if (!cmdline_key_equals(key, f.name)) continue;
        *f.field = *n;
        return true;
    }
    if (cmdline_key_equals(key, "children") && *n <= MAX_CHILDREN) {
        o.children = unsigned(*n);
        return true;
    }
    if (cmdline_key_equals(key, "strict")) {
        o.strict = *n != 0;
        return true;
    }
    return false;
}

// The options in `text` (the kernel command line's `fuzz_*` words when
// `only_ours`, ignoring the kernel's own; or one argument of ours).
bool options(Options& o, const char* text, size_t len, bool only_ours) {
    Cmdline cl(text, len);
    CmdlineParam p;
    while (cl.next(p)) {
        if (only_ours && (p.key.len <= 5 || !cmdline_key_equals(StrView{p.key.data, 5}, "fuzz_"))) continue;
        if (!option(o, p)) {
            uprintf("fuzz: unknown option %.*s\n", int(p.key.len), p.key.data);
            return false;
        }
    }
    return true;
}

// What must be back where it was at the end.
struct Levels {
    uint64_t pool_used;   // kernel pool bytes in use
    uint64_t kmem_used;   // our kernel memory account
    uint64_t pager_kmem;  // the pager's
    uint64_t pager_free;  // the pager's free frames, with those it minted ahead
    uint64_t held;        // frames the pager counts as ours
    uint64_t granted;     // frames the pager counts as granted to anyone
};

Levels measure(const World& w) {
    Levels l{};
    if (auto k = sys::kernel_info(); k.ok()) l.pool_used = k->pool_total - k->pool_free;
    if (auto k = sys::kmem_info(); k.ok()) l.kmem_used = k->used;
    if (w.pager) {
        if (auto m = pager::meminfo(); m.ok()) {
            l.pager_free = m->free + m->minted;
            l.granted = m->granted;
        }
        if (auto s = pager::self_stats(); s.ok()) l.held = s->held;
        if (auto k = pager::pager_kmem(); k.ok()) l.pager_kmem = *k;
    }
    return l;
}

uint64_t uptime_us() {
    auto k = sys::kernel_info();
    return k.ok() ? k->ticks : 0;
}

bool check_states(World& w, const char* when) {
    uint64_t kind = 0;
    if (Status s = sys::kernel_verify(&kind); !s.ok()) {
        uprintf("fuzz: FAIL: the kernel's check of its own state: %s (finding %lu) %s, call %lu (seed %lu)\n",
                error_name(s.error()), kind, when, w.calls, w.opt.seed);
        return false;
    }
    if (w.pager) {
        if (Status s = pager::verify(); !s.ok()) {
            uprintf("fuzz: FAIL: the pager's check of its own state: %s %s, call %lu (seed %lu)\n",
                    error_name(s.error()), when, w.calls, w.opt.seed);
            return false;
        }
    }
    return true;
}

// Every table the window needs, made now, so that mappings coming and
// going in it never make more: a page mapped (and unmapped) in each
// 2 MiB of it, and at the top of user space.
Status make_window_tables(unsigned frame_slot) {
    CapSlot copy = TRY(CapSlot::alloc());
    for (uint64_t va = WINDOW; va < WINDOW + WINDOW_SIZE; va += 2 << 20) {
        TRY_STATUS(sys::cap_copy(frame_slot, 0, copy.slot(), abi::RIGHTS_ALL));
        TRY_STATUS(sys::map(0, copy.slot(), va, abi::RIGHT_READ));
        TRY_STATUS(sys::cap_delete(copy.slot()));
    }
    TRY_STATUS(sys::cap_copy(frame_slot, 0, copy.slot(), abi::RIGHTS_ALL));
    TRY_STATUS(sys::map(0, copy.slot(), abi::USER_END - PAGE_SIZE, abi::RIGHT_READ));
    return ok_status();
}

// Every leaf of our capability space that the run fills, made now, so
// that capabilities coming and going there never grow it: the slots our
// runtime hands out, a batch's run past the fuzz range's end, and the
// extra slots.
Status make_slot_leaves(const World& w) {
    const unsigned run_end = w.fuzz_end + abi::MINT_MAP_MAX;
    const unsigned end = run_end > w.nr_slots ? run_end : w.nr_slots;
    TRY_STATUS(make_slot_room(1, end));
    for (unsigned i = 0; i < w.nr_extra; i++) TRY_STATUS(make_slot_room(w.extra[i], w.extra[i] + 1));
    return ok_status();
}

Status setup(World& w) {
    // Fuzz range: the upper half of a pager client's table, and of the
    // root's the last 256 slots an IPC call names for its own use
    // (abi::IPC_SLOTS: where messages and Reply capabilities land); the
    // rest is the runtime's (children, blocks).
    if (w.role == Role::Root) {
        w.nr_slots = abi::ROOT_CAP_SLOTS;
        w.fuzz_first = abi::IPC_SLOTS - 256;
        w.fuzz_end = abi::IPC_SLOTS;
    } else {
        w.nr_slots = abi::CAP_SLOTS;
        w.fuzz_first = 128;
        w.fuzz_end = abi::CAP_SLOTS;
    }
    for (unsigned s = w.fuzz_first; s < w.fuzz_end; s++) TRY_STATUS(slots().claim(s));
    if (w.role == Role::Root) {
        // The endpoint boot gives the root (slot 3) outlives the run: an end
        // notice sent to it (through a copy) would wait there, keeping its
        // task's objects, past the final count. Out of reach it goes.
        const unsigned away = TRY(slots().alloc());
        TRY_STATUS(sys::cap_move(abi::SLOT_ROOT_FAULT_EP, away));
    }
    // The fixed slots nothing uses, the last slot our runtime could hand
    // out, and the last an IPC field names (where slot numbers cut to its
    // bits land).
    const unsigned candidates[] = {3, abi::PAGER_SLOT, w.nr_slots - 1, unsigned(abi::IpcInfo::SLOT_MASK)};
    for (unsigned s : candidates) {
        if ((w.pager && s == abi::PAGER_SLOT) || in_fuzz_range(w, s) ||
            sys::cap_identify(s).error() != Error::InvalidCap ||
            w.nr_extra == sizeof w.extra / sizeof w.extra[0])
            continue;
        (void)slots().claim(s);  // never the runtime's, where its allocator reaches
        w.extra[w.nr_extra++] = s;
    }
    w.shadow[abi::SLOT_SELF_TASK].self = w.shadow[abi::SLOT_SELF_THREAD].self = true;
    // One frame for the window's tables; then the demand-zero region.
    if (w.role == Role::Root) {
        Frame f = TRY(frames().alloc(Order(0)));
        TRY_STATUS(make_window_tables(f.slot()));
    } else {
        CapSlot slot = TRY(CapSlot::alloc());
        auto b = TRY(pager::alloc(slot.slot(), 0));
        TRY_STATUS(make_window_tables(slot.slot()));
        TRY_STATUS(pager::free(b.pfn, 0));
        TRY_STATUS(pager::region(REGION_VA, REGION_SIZE, uint64_t(abi::PagerRegion::Heap)));
    }
    return make_slot_leaves(w);
}

// Everything the run made goes: children, the tasks we made, grants, the
// fuzz range.
void cleanup(World& w) {
    children_end(w);
    for (unsigned i = 0; i < w.nr_kept; i++) {
        (void)sys::task_kill(w.kept[i]);
        (void)sys::cap_delete(w.kept[i]);
        slots().free(w.kept[i]);
    }
    w.nr_kept = 0;
    for (unsigned i = 0; i < w.nr_grants; i++) (void)pager::free(w.grants[i].pfn, w.grants[i].order);
    w.nr_grants = 0;
    for (unsigned s = w.fuzz_first; s < w.fuzz_end; s++) {
        (void)sys::cap_revoke(s);
        (void)sys::cap_delete(s);
    }
    for (unsigned i = 0; i < w.nr_extra; i++) {
        (void)sys::cap_revoke(w.extra[i]);
        (void)sys::cap_delete(w.extra[i]);
    }
}

bool same(const char* what, uint64_t start, uint64_t end) {
    if (start == end) return true;
    uprintf("fuzz: FAIL: %s: %lu at the start, %lu at the end\n", what, start, end);
    return false;
}

// The line that replays the run: the same seed and options give the same
// run exactly (under QEMU -icount).
void print_replay(const World& w) {
    const Options& o = w.opt;
    const char* strict = o.strict ? " strict=1" : "";
    if (w.role == Role::Root) {
        uprintf(
            "fuzz: replay (with the same --mem, and verify=syscall if it was on): tools/run --icount "
            "--no-bundle --append \"quiet init=fuzz fuzz_seed=%lu fuzz_calls=%lu fuzz_verify=%lu "
            "fuzz_children=%u fuzz_respawn=%lu%s\"\n",
            o.seed, o.calls, o.verify_every, o.children, o.respawn_every, o.strict ? " fuzz_strict=1" : "");
        return;
    }
    // Our kernel memory limit is the manifest's kmem= and a page table
    // per 256 pages of the quota (pager/clients.cc): kmem= is the rest.
    const auto self = pager::self_stats();
    const auto account = sys::kmem_info();
    const uint64_t quota = self.ok() ? self->quota : 0;
    const uint64_t limit_pages = account.ok() ? account->limit / PAGE_SIZE : 0;
    const uint64_t kmem = limit_pages > quota / 256 ? limit_pages - quota / 256 : 0;
    uprintf(
        "fuzz: replay (with the same --mem, and verify=syscall if it was on): tools/run --icount --append "
        "quiet --program 'fuzz quota=%lu kmem=%lu seed=%lu calls=%lu verify=%lu children=%u respawn=%lu%s'\n",
        quota, kmem, o.seed, o.calls, o.verify_every, o.children, o.respawn_every, strict);
}

int run(World& w) {
    const Options& o = w.opt;
    uprintf("fuzz: seed %lu, %lu calls, %s, %u children, checks every %lu calls, respawn every %lu\n", o.seed,
            o.calls, w.role == Role::Root ? "root task" : "under the pager", o.children, o.verify_every,
            o.respawn_every);
    print_replay(w);
    w.rng.reseed(o.seed);
    if (Status s = setup(w); !s.ok()) {
        uprintf("fuzz: FAIL: setting up: %s\n", error_name(s.error()));
        return 1;
    }
    const Levels start = measure(w);
    if (Status s = children_init(w); !s.ok()) {
        uprintf("fuzz: FAIL: starting the children: %s\n", error_name(s.error()));
        return 1;
    }
    refresh_all(w);
    const uint64_t t0 = uptime_us();
    bool ok = true;
    while (w.calls < o.calls && ok) {
        if (o.verify_every && w.calls % o.verify_every == 0) ok = check_states(w, "after");
        if ((w.calls & 511) == 0) refresh_all(w);
        children_tick(w);
        random_call(w);
    }
    const uint64_t t1 = uptime_us();
    const uint64_t child_calls = children_calls();
    cleanup(w);
    ok = ok && check_states(w, "at the end");
    const Levels end = measure(w);
    // The pager's capability space grows with the blocks it grants us and
    // stays grown: the pool in use, less what the pager's own account grew by.
    ok = same("kernel pool bytes in use (less the pager's growth)", start.pool_used,
              end.pool_used - (end.pager_kmem - start.pager_kmem)) &&
         ok;
    ok = same("our kernel memory account", start.kmem_used, end.kmem_used) && ok;
    if (w.pager) {
        // Frames the pager mapped for us (batches, faults) stay ours until
        // we exit: free + ours must be what it was, and nobody else's grew.
        ok =
            same("pager frames free or ours", start.pager_free + start.held, end.pager_free + end.held) && ok;
        ok =
            same("pager frames granted, less ours", start.granted - start.held, end.granted - end.held) && ok;
        uprintf("fuzz: pager: %lu frames still ours (%lu at the start), given back when we exit\n", end.held,
                start.held);
    }
    const uint64_t us = t1 > t0 ? t1 - t0 : 1;
    const uint64_t total = w.calls + child_calls;
    uprintf(
        "fuzz: %lu calls (%lu ours, %lu by children) in %lu.%03lu s of uptime: %lu calls/s; checksum %#lx; "
        "%lu findings\n",
        total, w.calls, child_calls, us / 1000000, us / 1000 % 1000, total * 1000000 / us, w.checksum,
        w.findings);
    if (o.strict && w.findings) ok = false;
    uprintf("fuzz: %s (seed %lu)\n", ok ? "PASS" : "FAIL", o.seed);
    return ok ? 0 : 1;
}

}  // namespace

}  // namespace fuzz

extern "C" int main(uint64_t arg) {
    using namespace fuzz;
    World& w = world();
    if (arg == abi::ROOT_BOOTINFO_VA) {
        if (Status s = rt::init_root(arg); !s.ok()) return 1;
        w.role = Role::Root;
        w.boot = rt::boot_info();
        if (!options(w.opt, w.boot->cmdline, w.boot->cmdline_len, true)) return 1;
    } else {
        auto args = pager::start_task(arg);
        if (!args.ok()) return 1;
        w.role = Role::Client;
        w.pager = true;
        for (uint64_t i = 1; i < (*args)->argc; i++)
            if (!options(w.opt, (*args)->argv[i], CMDLINE_MAX, false)) return 1;
    }
    return run(w);
}
