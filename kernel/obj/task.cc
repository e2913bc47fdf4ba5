#include "kernel/obj/task.h"

#include "kernel/ipc.h"
#include "kernel/lib/log.h"
#include "kernel/lib/panic.h"
#include "kernel/notify.h"
#include "kernel/obj/cap.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/vm.h"
#include "kernel/platform.h"
#include "kernel/scheduler.h"

namespace tasks {

namespace {

constinit uint32_t g_next_task_id = 1;
constinit uint32_t g_next_thread_id = 1;
constinit Task* g_root = nullptr;

void queue_end(Task* t, abi::TaskEnd how);  // below

void copy_name(char* dst, size_t n, const char* src) {
    size_t i = 0;
    for (; src && src[i] && i + 1 < n; i++) dst[i] = src[i];
    dst[i] = '\0';
}

Result<Thread*> new_thread(Task* task, const Task* payer) {
    Thread* t = TRY(kmem::alloc_object<Thread>(payer));
    t->otype = ObjType::Thread;
    t->id = g_next_thread_id++;
    t->task = task;
    obj_ref(task);
    t->task_next = task->threads;
    task->threads = t;
    obj_ref(t);  // the task's list
    return t;
}

// The end notice (abi/cap.h) to t's end endpoint, if it has one, carried
// by its first thread, which is dead now: it waits in the endpoint's
// queue of senders until a receiver takes the notice (ipc::send_notice).
void send_end_notice(Task* t, abi::TaskEnd how, int status) {
    Thread* carrier = t->threads;
    if (t->end_ep.empty() || !carrier) return;
    carrier->msg[0] = abi::END_TAG | uint64_t(how);
    carrier->msg[1] = uint64_t(int64_t(status));
    carrier->msg[2] = t->id;
    for (unsigned i = 3; i < abi::MSG_WORDS; i++) carrier->msg[i] = 0;
    ipc::send_notice(carrier, static_cast<Endpoint*>(t->end_ep.obj), t->end_ep.badge());
}

void free_partial(Task* t) {
    t->space.destroy(t);
    kmem::free_object(t);
}

}  // namespace

uint64_t base_bytes(const Task* payer) {
    return kmem::object_charge(payer, sizeof(Task)) + kmem::object_charge(payer, sizeof(Thread)) +
           (CapSpace::INITIAL_PAGES + 1) * PAGE_SIZE;
}

Result<Task*> create(const char* name, const Task* payer) {
    Task* t = TRY(kmem::alloc_object<Task>(payer));
    t->otype = ObjType::Task;
    if (Status s = t->space.init(t); !s.ok()) {
        free_partial(t);
        return s.error();
    }
    if (Status s = vm::create(t); !s.ok()) {
        free_partial(t);
        return s.error();
    }
    auto th = new_thread(t, payer);
    if (!th.ok()) {
        vm::destroy(t);
        free_partial(t);
        return th.error();
    }
    t->id = g_next_task_id++;
    copy_name(t->name, sizeof t->name, name);
    caps::install_new(t->space.at(abi::SLOT_SELF_TASK), abi::CapType::Task, t);
    caps::install_new(t->space.at(abi::SLOT_SELF_THREAD), abi::CapType::Thread, *th);
    return t;
}

Status start_thread(Thread* t, uint64_t pc, uint64_t sp, uint64_t arg, unsigned priority) {
    if (t->state != ThreadState::Inactive) return Error::Busy;
    if (!t->task->alive) return Error::DeadObject;
    // pc: an instruction in user space; sp: the end of a stack there.
    if (!vm::user_range(pc, 1).ok() || !vm::user_range(sp, 0).ok() || priority > abi::PRIORITY_MAX)
        return Error::InvalidArgument;
    t->ctx = UserContext{};
    t->ctx.pc = pc;
    t->ctx.set_sp(sp);
    t->ctx.set_arg(0, arg);
    t->priority = uint8_t(priority);
    sched::thread_started();
    sched::make_ready(t);
    return {};
}

void kill(Task* t, abi::TaskEnd how, int status, const char* why) {
    if (!t->alive) return;
    t->alive = false;
    klog::info("task %u (%s) %s", t->id, t->name, why);
    // Stop every thread first, so nothing below wakes one of them.
    for (Thread* th = t->threads; th; th = th->task_next) {
        bool started = th->state != ThreadState::Inactive && th->state != ThreadState::Dead;
        ipc::cancel(th);
        notify::thread_ending(th);
        sched::unready(th);
        th->state = ThreadState::Dead;
        th->reply_gen++;
        if (started) sched::thread_ended();
        caps::remove(&th->fault_ep);
    }
    send_end_notice(t, how, status);
    caps::remove(&t->end_ep);
    for (Task* c = t->first_created; c; c = c->next_created)
        if (c->alive) queue_end(c, abi::TaskEnd::CreatorEnded);
    t->space.for_each([](Cap& c, uint64_t) { caps::remove(&c); });
    vm::destroy(t);
    t->space.destroy(t);
    // Drop the list's references; each thread drops its own on the task.
    Thread* th = t->threads;
    t->threads = nullptr;
    bool is_root = t == g_root;
    obj_ref(t);  // keep t valid until the end of this function
    while (th) {
        Thread* next = th->task_next;
        obj_unref(th);
        th = next;
    }
    obj_unref(t);
    if (is_root) {
        klog::info("root task ended with status %d; powering off", status);
        platform::exit(status);
    }
}

namespace detail {
constinit Task* g_pending = nullptr;
}

namespace {

// Queues `t` to end (once) with `how`; the list holds a reference. Its
// creator's end decides, whatever was queued before: a task queued as
// unreachable that is held again would otherwise outlive its creator.
void queue_end(Task* t, abi::TaskEnd how) {
    if (t->end_pending) {
        if (how == abi::TaskEnd::CreatorEnded) t->pending_how = how;
        return;
    }
    t->end_pending = true;
    t->pending_how = how;
    obj_ref(t);
    t->pending_next = detail::g_pending;
    detail::g_pending = t;
}

const char* pending_why(abi::TaskEnd how) {
    return how == abi::TaskEnd::CreatorEnded ? "ended: its creator ended"
                                             : "ended: nothing outside it holds it";
}

}  // namespace

void holder_removed(const Cap* c) {
    Task* named = named_task(*c);
    if (in_own_table(c, named)) return;
    named->holders--;
    // A task the kernel made (the root task) has no creator to hold it.
    if (named->holders == 0 && named->alive && named->kmem_payer) queue_end(named, abi::TaskEnd::Unreachable);
}

void add_created(Task* creator, Task* t) {
    t->prev_created = nullptr;
    t->next_created = creator->first_created;
    if (creator->first_created) creator->first_created->prev_created = t;
    creator->first_created = t;
}

void remove_created(Task* t) {
    Task* creator = t->kmem_payer;
    if (!creator) return;
    if (t->prev_created)
        t->prev_created->next_created = t->next_created;
    else
        creator->first_created = t->next_created;
    if (t->next_created) t->next_created->prev_created = t->prev_created;
    t->next_created = t->prev_created = nullptr;
}

void end_pending_tasks() {
    while (Task* t = detail::g_pending) {
        detail::g_pending = t->pending_next;
        t->pending_next = nullptr;
        t->end_pending = false;
        // Held again meanwhile (by a capability placed in the same call): it stays.
        if (t->pending_how != abi::TaskEnd::Unreachable || t->holders == 0)
            kill(t, t->pending_how, -1, pending_why(t->pending_how));
        obj_unref(t);
    }
}

void set_root(Task* t) { g_root = t; }
Task* root() { return g_root; }

}  // namespace tasks
