# User programs as the root task (init=NAME): the system-call tests and the
# hostile-input tests over several machines, and a smoke run of kbench.
# Each test program prints Unity lines and ends the system with status 0
# only when every test passed. Included from tests/qemu/CMakeLists.txt.

# tern_user_qemu_tests(<program> <min tests> [extra --expect/--reject ...])
function(tern_user_qemu_tests prog min_tests)
  set(unity --unity --min-tests ${min_tests} --append "init=${prog}")
  set(checks --reject "KERNEL PANIC" ${ARGN})
  tern_qemu_test(user.${prog}.128M TIMEOUT 120 ARGS --mem 128M ${unity} ${checks})
  tern_qemu_test(user.${prog}.1G_smp4 TIMEOUT 120 ARGS --mem 1G --smp 4 ${unity} ${checks})
  tern_qemu_test(user.${prog}.8G_numa2 TIMEOUT 180 ARGS --mem 8G --numa 2 --smp 2 ${unity} ${checks})
  tern_qemu_test(user.${prog}.4G_numa4 TIMEOUT 180 ARGS --mem 4G --numa 512M,1536M,1G,1G --smp 4
    ${unity} ${checks})
endfunction()

tern_user_qemu_tests(syscalls 60 --expect "^debug_write: hello from user space$")

tern_user_qemu_tests(capspace 6)

tern_user_qemu_tests(notify 9)

# blk: a 64 MiB sparse disk, legacy and modern virtio-mmio; the host reads
# the image afterwards and finds every pattern written, and zeros elsewhere.
tern_qemu_test(user.blk.legacy.128M TIMEOUT 120 ARGS --mem 128M --unity --min-tests 5 --append "init=blk"
  --disk-size 64M --check-disk --reject "KERNEL PANIC")
tern_qemu_test(user.blk.modern.128M TIMEOUT 120 ARGS --mem 128M --unity --min-tests 5 --append "init=blk"
  --disk-size 64M --disk-modern --check-disk --reject "KERNEL PANIC")

# console: the UART driver; the test types at QEMU's serial console once
# the program says it is ready for each line.
tern_qemu_test(user.console.128M TIMEOUT 120 ARGS --mem 128M --unity --min-tests 5 --append "init=console"
  --input-after "^console-test: ready for input A$" "hello tern\\r"
  --input-after "^console-test: ready for input B$" "second line\\r"
  --input-after "^console-test: ready for input C$" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\r"
  --expect "^console-check: through the UART$"
  --expect "^console-check: the kernel's log after the driver$"
  --expect "^console-check: started again$"
  --reject "KERNEL PANIC")

# irq needs the UART's interrupt on the boot hart's PLIC: one socket (with
# two, QEMU wires the UART and the virtio slots to different sockets' PLICs;
# with more, it has an APLIC, which the kernel does not drive).
tern_qemu_test(user.irq.128M TIMEOUT 120 ARGS --mem 128M --unity --min-tests 6 --append "init=irq"
  --reject "KERNEL PANIC")
tern_qemu_test(user.irq.1G_smp4 TIMEOUT 120 ARGS --mem 1G --smp 4 --unity --min-tests 6 --append "init=irq"
  --reject "KERNEL PANIC")

tern_user_qemu_tests(hostile 25)
# With a small kernel pool even the 8 GiB machine runs out of kernel memory
# before the root task's table fills: the exhaustion test must not be skipped.
tern_qemu_test(user.hostile.8G_numa2_kpool4M TIMEOUT 180 ARGS --mem 8G --numa 2 --smp 2
  --unity --min-tests 25 --append "init=hostile kpool=4M"
  --reject "KERNEL PANIC" --reject ":pool_exhausted:IGNORE")

# The same programs with the kernel checking its own state after every
# system call (verify=syscall, kernel/obj/verify.h): any inconsistency
# panics with what it found.
tern_qemu_test(user.syscalls.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M
  --unity --min-tests 60 --append "init=syscalls verify=syscall" --reject "KERNEL PANIC")
tern_qemu_test(user.capspace.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M
  --unity --min-tests 6 --append "init=capspace verify=syscall" --reject "KERNEL PANIC")
tern_qemu_test(user.notify.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M
  --unity --min-tests 9 --append "init=notify verify=syscall" --reject "KERNEL PANIC")
tern_qemu_test(user.irq.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M
  --unity --min-tests 6 --append "init=irq verify=syscall" --reject "KERNEL PANIC")
tern_qemu_test(user.hostile.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M
  --unity --min-tests 25 --append "init=hostile verify=syscall" --reject "KERNEL PANIC")

# kbench runs to the end and prints every figure (the figures themselves
# are reported by tools/bench, never judged).
tern_qemu_test(user.kbench.runs TIMEOUT 120 ARGS --mem 128M --append "init=kbench"
  --qemu-arg=-icount --qemu-arg=shift=0,sleep=off
  --expect "^null syscall +20000 +[0-9]+\\.[0-9]"
  --expect "^IPC call \\+ reply \\(two spaces\\) +10000 +[0-9]+\\.[0-9]"
  --expect "^page fault -> map -> resume +1280 +[0-9]+\\.[0-9]"
  --expect "^kbench: end$")

# hello as the root task (it also runs under the pager: tests/qemu/pager.cmake).
tern_qemu_test(user.hello.root ARGS --mem 1G --numa 2 --smp 2 --append "init=hello"
  --expect "^hello from user space: 2 NUMA node\\(s\\), [0-9]+ memory ranges, [0-9]+ MiB free, 2 harts$"
  --reject "KERNEL PANIC")

# ipcscript runs a fixed script of IPC operations (user/tests/ipcscript)
# and prints every result register; with the kernel's IPC fast paths off
# (ipc_fastpath=off) the general paths serve everything, and the
# transcript must be the same. The round trips it measures must cost
# fewer instructions with the fast paths on, or they were never taken
# (-icount makes the counts exact).
tern_qemu_test(user.ipcscript.fast_equals_general TIMEOUT 120 ARGS --mem 128M
  --append "init=ipcscript" --twin-append "ipc_fastpath=off"
  --qemu-arg=-icount --qemu-arg=shift=0,sleep=off
  --unity --min-tests 7 --reject "KERNEL PANIC" --reject "ignored"
  --same-lines "^ipc: " --fewer-in-first "^ipc-cost: (\\S+) ([0-9]+)$")

# blkbench runs to the end on a disk and prints every figure (reported by
# tools/bench disk, never judged).
tern_qemu_test(user.blkbench.runs TIMEOUT 180 ARGS --mem 256M --append "init=blkbench" --disk-size 64M
  --qemu-arg=-icount --qemu-arg=shift=0,sleep=off
  --expect "^4 KiB read, one at a time \\(idle subtracted\\) +2000 +[0-9]+\\.[0-9]"
  --expect "^4 KiB read, 32 clients in flight, per request +2048 +[0-9]+\\.[0-9]"
  --expect "^most requests in flight at once: [0-9]+$"
  --expect "^blkbench: end$" --reject "KERNEL PANIC")
