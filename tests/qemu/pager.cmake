# The pager as the root task, starting the demo programs of the boot bundle
# (user/demo: frames, grow, hog) on several machines; and damaged bundles,
# which the pager reports and survives. Included from CMakeLists.txt.
#
# A good run: every Unity test of every program passes, each task exits
# with status 0, the pager prints its meminfo and buddyinfo, ends with as
# many free pages as it had before starting anything, and powers off with 0.
if(NOT TARGET bundle)
  message(WARNING "no boot bundle (is cpio installed?): the pager's QEMU tests are not registered")
  return()
endif()

set(PAGER_BUNDLE ${CMAKE_BINARY_DIR}/bundle.cpio)
set(PAGER_FREE_AGAIN "^pager: all tasks exited\\x3b free pages: ([0-9]+) \\(start \\1\\)$")
set(PAGER_ALWAYS
  --expect "^pager: free pages at start: [0-9]+$"
  --expect "${PAGER_FREE_AGAIN}"
  --expect "^MemTotal: +[0-9]+ kB$" --expect "^MemFree: +[0-9]+ kB$"
  --expect "^Node 0, zone +DMA32( +[0-9]+){11} *$"
  --reject "KERNEL PANIC" --reject "^pager: task .* killed")

# hello, then frames 12 + grow 7 + hog 7 Unity tests.
set(PAGER_DEMOS --initrd ${PAGER_BUNDLE} --unity --min-tests 26 ${PAGER_ALWAYS}
  --expect "^pager: started hello \\(task 1, [0-9]+ pages, quota 64\\)$"
  --expect "^hello from user space: hello, started by the pager, holds [0-9]+ of its 64 pages\\x3b [0-9]+ MiB of [0-9]+ free$"
  --expect "^pager: task hello exited with status 0$"
  --expect "^pager: started frames \\(task 2, [0-9]+ pages, quota 8192\\)$"
  --expect "^pager: started grow \\(task 3, [0-9]+ pages, quota 2048\\)$"
  --expect "^pager: started hog \\(task 4, [0-9]+ pages, quota 512\\)$"
  --expect "^pager: task frames exited with status 0$"
  --expect "^pager: task grow exited with status 0$"
  --expect "^pager: task hog exited with status 0$"
  --expect "^hog: took [0-9]+ frames, then: over quota \\(holding 512 of 512\\)$"
  --expect "^grow: 512 pages faulted in")
tern_qemu_test(pager.demos.128M TIMEOUT 120 ARGS --mem 128M ${PAGER_DEMOS}
  --expect "^frames: nodes that serve: 0$")
tern_qemu_test(pager.demos.1G TIMEOUT 120 ARGS --mem 1G ${PAGER_DEMOS}
  --expect "^frames: nodes that serve: 0$")
tern_qemu_test(pager.demos.8G_numa2 TIMEOUT 180 ARGS --mem 8G --numa 2 --smp 2 ${PAGER_DEMOS}
  --expect "^frames: nodes that serve: 0 1$"
  --expect "^frames: node 1 zone Normal: orders 0-10 served"
  --expect "^Node 1, zone +Normal( +[0-9]+){11} *$")

# The demos with a disk: the pager starts the virtio block driver on it
# (pager/devices.cc), which finds it, and ends it once the demos are done;
# that is success, and every frame comes back. Without a disk (the tests
# above) the driver is not started.
tern_qemu_test(pager.disk.128M TIMEOUT 120 ARGS --mem 128M --disk-size 64M ${PAGER_DEMOS}
  --expect "^pager: started virtio_blk \\(task 5, [0-9]+ pages, quota 64\\)$"
  --expect "^virtio-blk: 131072 sectors \\(64 MiB\\), virtio-mmio version 1, queue of 128, flush yes$"
  --expect "^pager: ending driver virtio_blk: no other task is left$"
  --expect "^pager: driver virtio_blk ended$")
# A program that fails to start after the driver started (its quota too
# small for its image) does not leave the driver alone: the programs after
# it still run before the driver is ended. (The failure makes the run's
# status 1.)
set(driver_first ${CMAKE_CURRENT_BINARY_DIR}/driver_first)
file(MAKE_DIRECTORY ${driver_first})
file(CONFIGURE OUTPUT ${driver_first}/manifest CONTENT [[
run virtio_blk quota=64 driver=virtio-blk
run hello quota=1
run hello quota=64
]])
tern_bundle(bundle_driver_first OUTPUT ${driver_first}/driver-first.cpio MANIFEST ${driver_first}/manifest
  PROGRAMS virtio_blk hello)
tern_qemu_test(pager.disk.driver_first.128M TIMEOUT 120 ARGS --mem 128M --disk-size 64M
  --initrd ${driver_first}/driver-first.cpio --reject "KERNEL PANIC" --expect-status 1
  --expect "^pager: not starting hello: "
  --expect "(?s)pager: started hello \\(task [0-9]+, [0-9]+ pages, quota 64\\).*pager: ending driver virtio_blk"
  --expect "^pager: task hello exited with status 0$" --expect "${PAGER_FREE_AGAIN}")

tern_qemu_test(pager.no_disk.128M TIMEOUT 120 ARGS --mem 128M --initrd ${PAGER_BUNDLE} ${PAGER_ALWAYS}
  --expect "^pager: not starting virtio_blk: no virtio block device \\(not found\\)$")

# The demos with the kernel checking its own state after every system
# call (verify=syscall): found a 2 MiB mapping losing the page table a
# single page had left.
tern_qemu_test(pager.demos.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M --append "verify=syscall"
  ${PAGER_DEMOS} --expect "^frames: nodes that serve: 0$")

# hog with a quota above the machine's memory: the machine runs out, and
# the pager refuses for want of memory only after giving back the frames
# its caches had minted ahead (user/demo/hog.cc, `exhaust`).
set(exhaust ${CMAKE_CURRENT_BINARY_DIR}/exhaust)
file(MAKE_DIRECTORY ${exhaust})
file(CONFIGURE OUTPUT ${exhaust}/manifest CONTENT [[
run hog quota=1000000 exhaust
]])
tern_bundle(bundle_exhaust OUTPUT ${exhaust}/exhaust.cpio MANIFEST ${exhaust}/manifest PROGRAMS hog)
tern_qemu_test(pager.exhaust.128M TIMEOUT 120 ARGS --mem 128M --initrd ${exhaust}/exhaust.cpio
  --unity --min-tests 6 ${PAGER_ALWAYS}
  --expect "^pager: task hog exited with status 0$"
  --expect "^hog: took [0-9]+ blocks \\([0-9]+ frames\\) until: (no memory|try again)\\x3b frames minted ahead then: 0$")

# hog keeping every frame's capability in a slot of its own: its capability
# space reaches its kernel memory limit far inside its quota and the
# machine's memory, and the kernel refuses with OutOfSlots (not the
# pager's OverQuota or NoMemory); freeing revokes every kept copy.
file(CONFIGURE OUTPUT ${exhaust}/manifest-slots CONTENT [[
run hog quota=8192 slots
]])
tern_bundle(bundle_slots OUTPUT ${exhaust}/slots.cpio MANIFEST ${exhaust}/manifest-slots PROGRAMS hog)
tern_qemu_test(pager.out_of_slots.128M TIMEOUT 120 ARGS --mem 128M --initrd ${exhaust}/slots.cpio
  --unity --min-tests 3 ${PAGER_ALWAYS}
  --expect "^hog: kept [0-9]+ frames' capabilities, then: out of slots \\(its kernel memory: ([0-9]+) of \\1 bytes\\x3b holding [0-9]+ of 8192 frames\\)$")

# hog spending its kernel memory on page tables, then faulting where it
# cannot afford a table: the kernel refuses at hog's own limit, with the
# pool far from empty; the pager's FAULT_MAP reply fails, it ends hog and
# takes its frames back, and grow, beside it, runs as usual. The pager
# reports hog's failure in its exit status.
file(CONFIGURE OUTPUT ${exhaust}/manifest-tables CONTENT [[
run hog quota=4096 tables
run grow quota=2048 512
]])
tern_bundle(bundle_tables OUTPUT ${exhaust}/tables.cpio MANIFEST ${exhaust}/manifest-tables PROGRAMS hog grow)
tern_qemu_test(pager.kmem_limit.128M TIMEOUT 120 ARGS --mem 128M --initrd ${exhaust}/tables.cpio
  --expect-status 1
  --expect "^pager: free pages at start: [0-9]+$"
  --expect "${PAGER_FREE_AGAIN}"
  --expect "^hog: [0-9]+ pages mapped 2 MiB apart, then: over quota \\(its kernel memory: [0-9]+ of 131072 bytes\\x3b kernel pool: [0-9]+ bytes free\\)$"
  --expect "^hog: touching 0x2000000000, whose page tables it cannot afford$"
  --expect "^pager: task hog killed: over quota at 0x2000000000 \\(pc 0x[0-9a-f]+\\)$"
  --expect "^grow: 512 pages faulted in"
  --expect "^pager: task grow exited with status 0$"
  --reject "^hog: still running" --reject "^pager: task grow killed" --reject "KERNEL PANIC")

# More tasks than the kernel's pool can back with their limits (each as
# for all of memory: about 530 KiB on 128 MiB, where the pager hands out
# three quarters of the pool's 4 MiB and the 470 KiB it gave for page
# tables): those that do not fit are not started, the others run as usual.
file(CONFIGURE OUTPUT ${exhaust}/manifest-kmem-budget CONTENT [[
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
run grow quota=100000 512
]])
tern_bundle(bundle_kmem_budget OUTPUT ${exhaust}/kmem-budget.cpio MANIFEST ${exhaust}/manifest-kmem-budget
  PROGRAMS grow)
tern_qemu_test(pager.kmem_budget.128M TIMEOUT 120 ARGS --mem 128M --initrd ${exhaust}/kmem-budget.cpio
  --unity --min-tests 7 ${PAGER_ALWAYS}
  --expect "^pager: started grow \\(task 1, "
  --expect "^pager: not starting grow: not enough kernel memory left for its limit \\(no memory\\)$"
  --expect "^pager: task grow exited with status 0$")

# --- Damaged bundles: reported, and whatever is usable still runs ----------
set(damaged ${CMAKE_CURRENT_BINARY_DIR}/damaged)
file(MAKE_DIRECTORY ${damaged})

# Not a cpio archive at all: 8 KiB of (seeded) random bytes.
add_custom_command(OUTPUT ${damaged}/random.bin
  COMMAND python3 -c "import random, sys; random.seed(7); open(sys.argv[1], 'wb').write(bytes(random.getrandbits(8) for _ in range(8192)))" ${damaged}/random.bin
  COMMENT "Making a boot bundle of random bytes"
  VERBATIM)
add_custom_target(bundle_random ALL DEPENDS ${damaged}/random.bin)
tern_qemu_test(pager.bundle.random_bytes ARGS --mem 128M --initrd ${damaged}/random.bin ${PAGER_ALWAYS}
  --expect "^pager: boot bundle unusable: .*\\(malformed\\)$"
  --reject "^pager: started")

# A manifest with a missing program, a file that is no ELF, and bad lines
# between good ones: each bad line or program is reported with its reason,
# hog and grow run as usual.
file(CONFIGURE OUTPUT ${damaged}/manifest CONTENT [[
# Each bad line is reported and skipped; the rest still runs.
run nosuch
this line is garbage
run hog quota=512
run
run notelf
run grow quota=lots
run grow quota=2048 512
]])
file(CONFIGURE OUTPUT ${damaged}/notelf.txt CONTENT [[
This is a text file, not an ELF program. It is longer than an ELF header,
so the loader has to look at its first bytes to refuse it.
]])
tern_bundle(bundle_bad_manifest OUTPUT ${damaged}/bad-manifest.cpio MANIFEST ${damaged}/manifest
  PROGRAMS hog grow FILES notelf=${damaged}/notelf.txt)
tern_qemu_test(pager.bundle.bad_manifest TIMEOUT 120 ARGS --mem 256M --initrd ${damaged}/bad-manifest.cpio
  --unity --min-tests 14 ${PAGER_ALWAYS}
  --expect "^pager: not starting nosuch: no such program in the bundle \\(not found\\)$"
  --expect "^pager: manifest line 3 ignored: unknown directive"
  --expect "^pager: manifest line 5 ignored: `run` without a program name$"
  --expect "^pager: not starting notelf: .+$"
  --expect "^pager: manifest line 7 ignored: quota must be a number of pages$"
  --expect "^pager: task hog exited with status 0$"
  --expect "^pager: task grow exited with status 0$")

# The archive ends in the middle of grow: hog (before it) runs, grow and
# frames (after it) are reported as damaged.
file(CONFIGURE OUTPUT ${damaged}/manifest-truncated CONTENT [[
run hog quota=512
run grow quota=2048 512
run frames quota=8192
]])
tern_bundle(bundle_truncated OUTPUT ${damaged}/truncated.cpio MANIFEST ${damaged}/manifest-truncated
  PROGRAMS hog grow frames CUT_INSIDE grow)
tern_qemu_test(pager.bundle.truncated TIMEOUT 120 ARGS --mem 256M --initrd ${damaged}/truncated.cpio
  --unity --min-tests 7 ${PAGER_ALWAYS}
  --expect "^pager: task hog exited with status 0$"
  --expect "^pager: not starting grow: .*\\(malformed\\)$"
  --expect "^pager: not starting frames: .*\\(malformed\\)$")

# No initrd: the pager says so, starts nothing, and powers off cleanly.
tern_qemu_test(pager.bundle.none ARGS --mem 128M ${PAGER_ALWAYS}
  --expect "^pager: no boot bundle \\(initrd\\)\\x3b nothing to start$")

# Every way a program could once end behind the pager's back (user/tests/
# ending): fault endpoint set to none or to the request endpoint before
# Exit, a fault with no handler, TaskKill of itself, and tasks made and
# dropped unstarted. The pager hears of each end and takes every frame
# back; two of them end killed, so the pager's status is 1.
file(CONFIGURE OUTPUT ${exhaust}/manifest-endings CONTENT [[
run ending quota=64 exit-without-handler
run ending quota=64 exit-handler-is-request
run ending quota=64 fault-without-handler
run ending quota=64 kill-self
run ending quota=1024 make-and-drop-tasks
]])
tern_bundle(bundle_endings OUTPUT ${exhaust}/endings.cpio MANIFEST ${exhaust}/manifest-endings PROGRAMS ending)
set(PAGER_ENDINGS --initrd ${exhaust}/endings.cpio --expect-status 1
  --expect "^pager: free pages at start: [0-9]+$"
  --expect "${PAGER_FREE_AGAIN}"
  --expect "^ending: exit-without-handler$" --expect "^ending: exit-handler-is-request$"
  --expect "^pager: task ending ended: a fault it could not go on from$"
  --expect "^pager: task ending ended: killed through its Task capability$"
  --expect "^ending: made and dropped 200 tasks$"
  --reject "KERNEL PANIC" --reject "no thread can run" --reject "^ending: .*(refused|failed|unknown)")
tern_qemu_test(pager.endings.128M TIMEOUT 120 ARGS --mem 128M ${PAGER_ENDINGS})
tern_qemu_test(pager.endings.verify_each_call.128M TIMEOUT 300 ARGS --mem 128M --append "verify=syscall"
  ${PAGER_ENDINGS})

# --- Transparent huge pages: thp= on the command line ----------------------
# fill without asking for huge pages (no PAGER_REGION_HUGEPAGE): with
# thp=always nearly all its pages come in 2 MiB frames, with the default
# (madvise) and thp=never none; an unknown value is reported and ignored.
# fill with `huge` under thp=never gets none either, and says so by
# failing its own check.
set(thp ${CMAKE_CURRENT_BINARY_DIR}/thp)
file(MAKE_DIRECTORY ${thp})
file(CONFIGURE OUTPUT ${thp}/manifest CONTENT [[
run fill quota=50% 1 90
]])
file(CONFIGURE OUTPUT ${thp}/manifest-huge CONTENT [[
run fill quota=50% 1 90 huge
]])
tern_bundle(bundle_thp OUTPUT ${thp}/thp.cpio MANIFEST ${thp}/manifest PROGRAMS fill)
tern_bundle(bundle_thp_huge OUTPUT ${thp}/thp-huge.cpio MANIFEST ${thp}/manifest-huge PROGRAMS fill)
set(THP_END --expect "${PAGER_FREE_AGAIN}"
  --expect "^pager: kernel pool: every byte back but the frame table's [0-9]+ KiB$" --reject "KERNEL PANIC")
tern_qemu_test(pager.thp.always.256M ARGS --mem 256M --append "thp=always" --initrd ${thp}/thp.cpio
  --unity --min-tests 4 ${THP_END} --expect "^pager: transparent huge pages: always$"
  --expect "^fill: [0-9]+ pages in [0-9]+ blocks, (9[0-9]|100)% of them in [1-9][0-9]* 2 MiB frames$")
tern_qemu_test(pager.thp.madvise.256M ARGS --mem 256M --initrd ${thp}/thp.cpio
  --unity --min-tests 4 ${THP_END} --expect "^pager: transparent huge pages: madvise$"
  --expect "^fill: ([0-9]+) pages in \\1 blocks, 0% of them in 0 2 MiB frames$")
tern_qemu_test(pager.thp.madvise_huge.256M ARGS --mem 256M --initrd ${thp}/thp-huge.cpio
  --unity --min-tests 4 ${THP_END} --expect "^pager: transparent huge pages: madvise$"
  --expect "^fill: [0-9]+ pages in [0-9]+ blocks, (9[0-9]|100)% of them in [1-9][0-9]* 2 MiB frames$")
tern_qemu_test(pager.thp.never.256M ARGS --mem 256M --append "thp=never" --initrd ${thp}/thp-huge.cpio
  --expect-status 1 ${THP_END} --expect "^pager: transparent huge pages: never$"
  --expect "^fill: ([0-9]+) pages in \\1 blocks, 0% of them in 0 2 MiB frames$"
  --expect "test_every_page_faults_in_and_takes_the_pattern:FAIL")
tern_qemu_test(pager.thp.unknown_value.256M ARGS --mem 256M --append "thp=sometimes" --initrd ${thp}/thp.cpio
  --unity --min-tests 4 ${THP_END} --expect "^pager: thp=sometimes ignored \\(never, madvise or always\\)$"
  --expect "^pager: transparent huge pages: madvise$")
# QEMU's own view: fill's huge pages are 2 MiB leaves in its page table
# (read through the monitor while it waits), and `info mem` maps them.
file(CONFIGURE OUTPUT ${thp}/manifest-hold CONTENT [[
run fill quota=16384 1 100 huge hold
]])
tern_bundle(bundle_thp_hold OUTPUT ${thp}/thp-hold.cpio MANIFEST ${thp}/manifest-hold PROGRAMS fill)
tern_qemu_test(pager.thp.leaves_in_qemu.256M ARGS --mem 256M --initrd ${thp}/thp-hold.cpio --check-user-leaves
  --expect "^LEAVES 100000000 1f 200000$"
  --expect "^fill: [0-9]+ pages in [0-9]+ blocks, (9[0-9]|100)% of them in 31 2 MiB frames$")
