// The consistency check's part for threads (verify.h): each thread's
// state against the queue it is on, endpoint and notification queues and
// bindings, the scheduler's ready queues and counts, and the running
// thread.
#include "abi/syscall.h"
#include "format/format.h"
#include "kernel/obj/kmem.h"
#include "kernel/obj/verify_detail.h"
#include "kernel/scheduler.h"

namespace verify::detail {

namespace {

const char* state_name(ThreadState s) {
    switch (s) {
        case ThreadState::Inactive:
            return "inactive";
        case ThreadState::Ready:
            return "ready";
        case ThreadState::Running:
            return "running";
        case ThreadState::BlockedSend:
            return "waiting to send";
        case ThreadState::BlockedRecv:
            return "waiting to receive";
        case ThreadState::BlockedReply:
            return "waiting for a reply";
        case ThreadState::BlockedWait:
            return "waiting on a notification";
        case ThreadState::Dead:
            return "dead";
    }
    return "?";
}

bool off_queues(const Thread* t) { return !t->q_next && !t->q_prev && !t->blocked_on && !t->waiting_on; }

// Names a queue in messages: an endpoint's or notification's (`o`) or
// ready queue `priority`.
struct QueueName {
    const KObject* o;
    unsigned priority;
    char text[48];
    const char* get() {
        if (o)
            format_buf(text, sizeof text, "%s at %p",
                       o->otype == ObjType::Endpoint ? "endpoint" : "notification",
                       static_cast<const void*>(o));
        else
            format_buf(text, sizeof text, "ready queue %u", priority);
        return text;
    }
};

// The threads of one queue: each a live thread passing `ok`, linked both
// ways, the tail the last. Returns how many, or -1 (finding recorded).
template <typename Ok>
int64_t walk_queue(Run& r, const ThreadQueue& q, Check check, QueueName which, Ok ok) {
    const Thread* prev = nullptr;
    int64_t n = 0;
    for (const Thread* t = q.head; t; prev = t, t = t->q_next) {
        if (!is_object(t, ObjType::Thread)) {
            fail(r, check, "%s: entry %ld is not a live thread", which.get(), n);
            return -1;
        }
        if (t->q_prev != prev || uint64_t(++n) > r.objects) {
            fail(r, check, "%s: the links at thread %u do not agree", which.get(), t->id);
            return -1;
        }
        if (const char* problem = ok(t)) {
            fail(r, check, "%s: thread %u is %s: %s", which.get(), t->id, state_name(t->state), problem);
            return -1;
        }
    }
    if (q.tail != prev) {
        fail(r, check, "%s: its tail is not its last thread", which.get());
        return -1;
    }
    return n;
}

// A dead thread: off every queue, or carrying its task's end notice in
// an endpoint's queue (ipc::send_notice).
bool dead_thread_ok(Run& r, const Thread* t) {
    if (!t->blocked_on)
        return off_queues(t) || fail(r, Check::Thread, "thread %u: dead, yet on a queue", t->id);
    r.notices++;
    if (!is_object(t->blocked_on, ObjType::Endpoint))
        return fail(r, Check::Thread, "thread %u: carries an end notice to no live endpoint", t->id);
    if (t->task->alive || (t->msg[0] & ~uint64_t(0xffff)) != abi::END_TAG)
        return fail(r, Check::Thread, "thread %u: dead and queued, but carries no end notice", t->id);
    return true;
}

bool thread_state_ok(Run& r, const Thread* t) {
    switch (t->state) {
        case ThreadState::Dead:
            if (!dead_thread_ok(r, t)) return false;
            break;
        case ThreadState::Inactive:
        case ThreadState::BlockedReply:
            if (!off_queues(t))
                return fail(r, Check::Thread, "thread %u: %s, yet on a queue", t->id, state_name(t->state));
            break;
        case ThreadState::Running:
            r.running++;
            if (!off_queues(t)) return fail(r, Check::Thread, "thread %u: running, yet on a queue", t->id);
            if (t != sched::current())
                return fail(r, Check::Current, "thread %u: running, but not the current thread", t->id);
            break;
        case ThreadState::Ready:
            r.ready++;
            if (t->blocked_on || t->waiting_on)
                return fail(r, Check::Thread, "thread %u: ready, yet waiting on an endpoint or notification",
                            t->id);
            break;
        case ThreadState::BlockedSend:
        case ThreadState::BlockedRecv:
            r.waiting++;
            if (!is_object(t->blocked_on, ObjType::Endpoint) || t->waiting_on)
                return fail(r, Check::Thread, "thread %u: %s on no live endpoint", t->id,
                            state_name(t->state));
            break;
        case ThreadState::BlockedWait:
            r.waiting_notified++;
            if (!is_object(t->waiting_on, ObjType::Notification) || t->blocked_on)
                return fail(r, Check::Thread, "thread %u: waiting on no live notification", t->id);
            break;
    }
    if (t->bound && (t->state == ThreadState::Dead || !is_object(t->bound, ObjType::Notification) ||
                     t->bound->bound != t))
        return fail(r, Check::Notification, "thread %u: %s, bound to a notification that is not bound to it",
                    t->id, state_name(t->state));
    if (t->state != ThreadState::Inactive && t->state != ThreadState::Dead) r.started++;
    if (t->in_fault && t->state != ThreadState::BlockedSend && t->state != ThreadState::BlockedReply &&
        t->state != ThreadState::Dead)
        return fail(r, Check::Thread, "thread %u: in a fault, yet %s", t->id, state_name(t->state));
    return true;
}

}  // namespace

bool check_thread(Run& r, const Thread* t) {
    const Task* task = t->task;
    if (!is_object(task, ObjType::Task))
        return fail(r, Check::Thread, "thread %u: its task is not a live task object", t->id);
    if (task->kmem_payer && !is_object(task->kmem_payer, ObjType::Task))
        return fail(r, Check::Thread, "thread %u: its task's payer is not a task", t->id);
    if (t->own_page != kmem::own_pages(task->kmem_payer))
        return fail(r, Check::Object, "thread %u: %s a page of its own, against its task's payer's limit",
                    t->id, t->own_page ? "in" : "not in");
    if (unsigned(t->state) > unsigned(ThreadState::Dead))
        return fail(r, Check::Thread, "thread %u: state %u unknown", t->id, unsigned(t->state));
    if (task->alive)
        r.threads_of_alive++;
    else if (t->state != ThreadState::Dead)
        return fail(r, Check::Thread, "thread %u: %s, but its task %u is dead", t->id, state_name(t->state),
                    task->id);
    if (!thread_state_ok(r, t)) return false;
    if (!check_cap(r, &t->fault_ep, Loc{nullptr, 0, t})) return false;
    if (!t->fault_ep.empty() && t->fault_ep.type != abi::CapType::Endpoint)
        return fail(r, Check::CapFields, "thread %u: its fault endpoint is a %s capability", t->id,
                    abi::cap_type_name(t->fault_ep.type));
    if (t->state == ThreadState::Dead && !t->fault_ep.empty())
        return fail(r, Check::Thread, "thread %u: dead, yet with a fault endpoint", t->id);
    return true;
}

bool check_endpoint(Run& r, const Endpoint* e) {
    const Task* payer = e->kmem_payer;
    if (payer && !is_object(payer, ObjType::Task))
        return fail(r, Check::EndpointQueue, "endpoint at %p: its payer is not a task",
                    static_cast<const void*>(e));
    if (e->own_page != kmem::own_pages(payer))
        return fail(r, Check::Object, "endpoint at %p: %s a page of its own, against its payer's limit",
                    static_cast<const void*>(e), e->own_page ? "in" : "not in");
    const QueueName which{e, 0, {}};
    const int64_t senders = walk_queue(r, e->senders, Check::EndpointQueue, which, [e](const Thread* t) {
        return t->state != ThreadState::BlockedSend && t->state != ThreadState::Dead ? "on the senders' queue"
               : t->blocked_on != e ? "waiting on another endpoint"
                                    : nullptr;
    });
    if (senders < 0) return false;
    const int64_t receivers = walk_queue(r, e->receivers, Check::EndpointQueue, which, [e](const Thread* t) {
        return t->state != ThreadState::BlockedRecv ? "on the receivers' queue"
               : t->blocked_on != e                 ? "waiting on another endpoint"
                                                    : nullptr;
    });
    if (receivers < 0) return false;
    if (e->caps == 0 && senders + receivers > 0)
        return fail(r, Check::EndpointQueue, "endpoint at %p: threads wait on it, but no capability names it",
                    static_cast<const void*>(e));
    r.on_endpoint_queues += uint64_t(senders + receivers);
    return true;
}

bool check_notification(Run& r, const Notification* n) {
    const void* p = n;
    const Task* payer = n->kmem_payer;
    if (payer && !is_object(payer, ObjType::Task))
        return fail(r, Check::Notification, "notification at %p: its payer is not a task", p);
    if (n->own_page != kmem::own_pages(payer))
        return fail(r, Check::Object, "notification at %p: %s a page of its own, against its payer's limit",
                    p, n->own_page ? "in" : "not in");
    const int64_t waiters =
        walk_queue(r, n->waiters, Check::Notification, QueueName{n, 0, {}}, [n](const Thread* t) {
            return t->state != ThreadState::BlockedWait ? "on its queue of waiters"
                   : t->waiting_on != n                 ? "waiting on another notification"
                                                        : nullptr;
        });
    if (waiters < 0) return false;
    if (waiters > 0 && n->word)
        return fail(r, Check::Notification, "notification at %p: threads wait, yet bits %#lx are set", p,
                    n->word);
    if (n->bound && (!is_object(n->bound, ObjType::Thread) || n->bound->bound != n))
        return fail(r, Check::Notification, "notification at %p: bound to a thread not bound to it", p);
    if (n->bound && n->bound->state == ThreadState::BlockedRecv && n->word)
        return fail(r, Check::Notification, "notification at %p: bits %#lx set, yet its bound thread waits",
                    p, n->word);
    if (n->caps == 0 && (waiters > 0 || n->bound))
        return fail(r, Check::Notification,
                    "notification at %p: waited on or bound, but no capability names it", p);
    r.on_notification_queues += uint64_t(waiters);
    return true;
}

// The ready queues: each thread ready at the queue's priority, each queue
// marked as it is, the summary word agreeing.
bool check_ready_queues(Run& r, const sched::ReadyView& v) {
    uint64_t words = 0;
    for (unsigned p = 0; p <= abi::PRIORITY_MAX; p++) {
        const int64_t n =
            walk_queue(r, v.queues[p], Check::ReadyQueue, QueueName{nullptr, p, {}}, [p](const Thread* t) {
                return t->state != ThreadState::Ready ? "on a ready queue"
                       : t->priority != p             ? "of another priority"
                       : t->blocked_on                ? "waiting on an endpoint"
                                                      : nullptr;
            });
        if (n < 0) return false;
        if (v.marked(p) != (n > 0))
            return fail(r, Check::ReadyQueue, "ready queue %u: %ld threads, marked %s", p, n,
                        v.marked(p) ? "ready" : "empty");
        if (n > 0) words |= uint64_t(1) << (p / 64);
        r.on_ready_queues += uint64_t(n);
    }
    if (words != v.ready_any)
        return fail(r, Check::ReadyQueue, "summary of ready priorities %#lx, the queues say %#lx",
                    v.ready_any, words);
    return true;
}

bool check_scheduler(Run& r) {
    const sched::ReadyView v = sched::ready_view();
    if (!check_ready_queues(r, v)) return false;
    if (r.ready != r.on_ready_queues)
        return fail(r, Check::ReadyQueue, "%lu threads ready, %lu on ready queues", r.ready,
                    r.on_ready_queues);
    if (r.waiting + r.notices != r.on_endpoint_queues)
        return fail(r, Check::EndpointQueue,
                    "%lu threads waiting on endpoints and %lu end notices, %lu on their queues", r.waiting,
                    r.notices, r.on_endpoint_queues);
    if (r.waiting_notified != r.on_notification_queues)
        return fail(r, Check::Notification, "%lu threads waiting on notifications, %lu on their queues",
                    r.waiting_notified, r.on_notification_queues);
    if (v.live_threads != r.started)
        return fail(r, Check::Thread, "the scheduler counts %u started threads, %lu found", v.live_threads,
                    r.started);
    const Thread* cur = sched::current();
    if (cur && (!is_object(cur, ObjType::Thread) || cur->state != ThreadState::Running))
        return fail(r, Check::Current, "the current thread is not a running thread");
    if (r.running != (cur ? 1u : 0u))
        return fail(r, Check::Current, "%lu threads running, %s current", r.running, cur ? "one" : "none");
    return true;
}

}  // namespace verify::detail
