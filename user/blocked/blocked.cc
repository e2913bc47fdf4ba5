// A root task that waits for a message nobody will ever send: the kernel
// must notice that no thread can run and end the machine with a message
// (status 4) instead of idling forever (tests/qemu: kernel.deadlock).
#include "abi/boot.h"
#include "runtime/console.h"
#include "runtime/syscall.h"

extern "C" int main(uint64_t) {
    uprintf("blocked: waiting on an endpoint no one else holds\n");
    console_flush();
    auto r = sys::recv(abi::IpcInfo::make(abi::SLOT_ROOT_FAULT_EP));
    uprintf("blocked: woke up (%s), which must not happen\n", error_name(r.error()));
    return 1;
}
