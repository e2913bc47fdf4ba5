// A driver that a test program runs as a task of its own, and the
// endpoint it serves. Tests kill it and start it again, so it lives in a
// global -- which, in a user program, has no constructor or destructor to
// run: constinit, with the Child in storage of its own.
#pragma once

#include <new>

#include "runtime/slots.h"
#include "runtime/spawn.h"
#include "runtime/syscall.h"
#include "user/tests/common/hub.h"

class DriverTask {
public:
    constexpr DriverTask() = default;

    // A new endpoint, and the task `make(options, endpoint slot)` makes
    // to serve it (Result<Child>), its faults and end notice coming to the
    // hub with the badge FAULT_BADGE | `id`, one priority above the
    // default (it answers as soon as its device is done). It replaces the
    // task of the last start. Errors: those of the hub, EndpointCreate
    // and `make`.
    template <typename Make>
    Status start(unsigned id, Make make) {
        Hub* h = TRY(hub());
        CapSlot ep = TRY(CapSlot::alloc());
        TRY_STATUS(sys::endpoint_create(ep.slot()));
        ChildOptions opt;
        opt.fault_ep = opt.end_ep = h->ep();
        opt.fault_badge = opt.end_badge = FAULT_BADGE | id;
        opt.priority = abi::PRIORITY_DEFAULT + 1;
        Child c = TRY(make(opt, ep.slot()));
        if (running_) child().~Child();
        new (child_storage_) Child(static_cast<Child&&>(c));
        ep_ = ep.release();
        running_ = true;
        return {};
    }

    // Kills the task and takes its endpoint away, every copy of it
    // revoked, so that no client waits on it for good.
    Status kill() {
        TRY_STATUS(child().kill());
        (void)sys::cap_revoke(ep_);
        CapSlot(ep_).reset();
        ep_ = 0;
        return {};
    }

    bool running() const { return running_; }
    unsigned ep() const { return ep_; }

private:
    Child& child() { return *reinterpret_cast<Child*>(child_storage_); }

    unsigned ep_ = 0;
    bool running_ = false;
    alignas(Child) unsigned char child_storage_[sizeof(Child)] = {};
};
