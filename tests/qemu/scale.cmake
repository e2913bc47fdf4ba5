# Scale: tasks that demand-fault nearly all of a machine's memory
# (user/demo/fill), on 1 GiB, 8 GiB with two nodes and 16 GiB. One task
# with all free memory as its quota faults 95% of it; four tasks with a
# quarter each do the same together. Each writes a pattern into every
# page and reads it back; afterwards the pager's free count is exactly
# where it started and the kernel's pool has every byte back but the
# leaves the pager's frame table was given. Then the same with huge pages
# (each region asks for them): at least 90% of the pages must come in
# 2 MiB frames. Label `scale`; each guest
# takes as much host memory as it has, so they run one at a time
# (RUN_SERIAL).
set(scale ${CMAKE_CURRENT_BINARY_DIR}/scale)
file(MAKE_DIRECTORY ${scale})
file(CONFIGURE OUTPUT ${scale}/manifest-one CONTENT [[
run fill quota=100% 1 95
]])
file(CONFIGURE OUTPUT ${scale}/manifest-four CONTENT [[
run fill quota=25% 1 95
run fill quota=25% 2 95
run fill quota=25% 3 95
run fill quota=25% 4 95
]])
foreach(n 1 2 3 4)
  string(APPEND four_huge "run fill quota=25% ${n} 95 huge\n")
endforeach()
file(CONFIGURE OUTPUT ${scale}/manifest-one-huge CONTENT "run fill quota=100% 1 95 huge\n")
file(CONFIGURE OUTPUT ${scale}/manifest-four-huge CONTENT "${four_huge}")
tern_bundle(bundle_scale_one OUTPUT ${scale}/one.cpio MANIFEST ${scale}/manifest-one PROGRAMS fill)
tern_bundle(bundle_scale_four OUTPUT ${scale}/four.cpio MANIFEST ${scale}/manifest-four PROGRAMS fill)
tern_bundle(bundle_scale_one_huge OUTPUT ${scale}/one-huge.cpio MANIFEST ${scale}/manifest-one-huge
  PROGRAMS fill)
tern_bundle(bundle_scale_four_huge OUTPUT ${scale}/four-huge.cpio MANIFEST ${scale}/manifest-four-huge
  PROGRAMS fill)

set(SCALE_END
  --expect "${PAGER_FREE_AGAIN}"
  --expect "^pager: kernel pool: every byte back but the frame table's [0-9]+ KiB$"
  --reject "KERNEL PANIC" --reject "killed")
set(FILLED "^fill: [0-9]+ pages \\([0-9]+ MiB\\) written and checked, (9[0-9]|1[0-9][0-9])% of")

foreach(machine "1G" "8G_numa2" "16G")
  set(qemu_args --mem 1G)
  if(machine STREQUAL "8G_numa2")
    set(qemu_args --mem 8G --numa 2 --smp 2)
  elseif(machine STREQUAL "16G")
    set(qemu_args --mem 16G)
  endif()
  foreach(pages "" "-huge")
    string(REPLACE "-" "." suffix "${pages}")
    tern_qemu_test(scale.one.${machine}${suffix} TIMEOUT 600 SERIAL LABEL scale
      ARGS ${qemu_args} --initrd ${scale}/one${pages}.cpio --unity --min-tests 4 ${SCALE_END}
      --expect "${FILLED}")
    tern_qemu_test(scale.four.${machine}${suffix} TIMEOUT 600 SERIAL LABEL scale
      ARGS ${qemu_args} --initrd ${scale}/four${pages}.cpio --unity --min-tests 16 ${SCALE_END}
      --expect "^fill: [0-9]+ pages \\(" --expect "^fill: [0-9]+ pages \\(" --expect "^fill: [0-9]+ pages \\("
      --expect "^fill: [0-9]+ pages \\(")
  endforeach()
endforeach()
