# Smoke runs of the seeded system call fuzzer (user/fuzz): tens of
# thousands of random system calls and pager requests by the fuzzer and
# its children, with the kernel's and the pager's checks of their own
# state every 500 calls, and at the end the kernel pool (less what the
# pager's capability space grew by), the fuzzer's
# kernel memory account and the pager's free count where they started.
# QEMU -icount makes each run replay exactly from its seed (tools/fuzz
# --seed N runs one longer, or again). Included from CMakeLists.txt.
if(NOT TARGET bundle)
  return()
endif()

set(FUZZ_DIR ${CMAKE_CURRENT_BINARY_DIR}/fuzz)
file(MAKE_DIRECTORY ${FUZZ_DIR})
set(FUZZ_ICOUNT --qemu-arg=-icount --qemu-arg=shift=0,sleep=off)
set(FUZZ_REJECT --reject "KERNEL PANIC" --reject "^fuzz: FAIL" --reject "^pager: task fuzz killed")

# tern_fuzz_smoke(<name> <seed> <calls> [qemu_test.py arguments...]): the
# fuzzer under the pager on 128 MiB.
function(tern_fuzz_smoke name seed calls)
  file(CONFIGURE OUTPUT ${FUZZ_DIR}/manifest-${name} CONTENT
       "run fuzz quota=16384 kmem=320 seed=${seed} calls=${calls} verify=500\n")
  tern_bundle(bundle_fuzz_${name} OUTPUT ${FUZZ_DIR}/${name}.cpio MANIFEST ${FUZZ_DIR}/manifest-${name}
    PROGRAMS fuzz)
  tern_qemu_test(fuzz.${name}.128M TIMEOUT 300 ARGS --mem 128M --initrd ${FUZZ_DIR}/${name}.cpio
    ${FUZZ_ICOUNT} ${ARGN}
    --expect "^fuzz: seed ${seed}, ${calls} calls, under the pager"
    --expect "^fuzz: PASS \\(seed ${seed}\\)$"
    --expect "^pager: task fuzz exited with status 0$"
    --expect "^pager: all tasks exited\\x3b free pages: ([0-9]+) \\(start \\1\\)$"
    ${FUZZ_REJECT})
endfunction()

tern_fuzz_smoke(seed1 1 20000 --append quiet)
tern_fuzz_smoke(seed2 2 20000 --append quiet)
tern_fuzz_smoke(seed3 3 20000 --append quiet)
# The kernel checking itself after every call, on a shorter run.
tern_fuzz_smoke(seed4_verify_each_call 4 500 --append "quiet verify=syscall")

# As the root task: Memory capabilities instead of a pager.
tern_qemu_test(fuzz.root.seed1.128M TIMEOUT 300 ARGS --mem 128M ${FUZZ_ICOUNT}
  --append "quiet init=fuzz fuzz_seed=1 fuzz_calls=20000 fuzz_verify=500"
  --expect "^fuzz: seed 1, 20000 calls, root task"
  --expect "^fuzz: PASS \\(seed 1\\)$" ${FUZZ_REJECT})
