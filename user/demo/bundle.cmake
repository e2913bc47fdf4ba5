# Boot bundles: cpio "newc" archives of user programs and a manifest, which
# QEMU loads as the initrd and the pager starts (docs/pager-protocol.md).
#
# tern_bundle(<target> OUTPUT <file> MANIFEST <file>
#             [PROGRAMS <name>...] [FILES <name>=<path>...] [CUT_INSIDE <name>])
# makes <file> from the manifest, the programs built by tern_user_program
# (stored by name, debug info stripped) and any other files, stored as they
# are. For damaged bundles in tests, CUT_INSIDE ends the archive in the
# middle of that entry's data. <target> builds it as part of `all`.
find_program(TERN_CPIO cpio)
if(NOT TERN_CPIO)
  message(WARNING "cpio not found (Debian package cpio): no boot bundle is built; "
                  "tools/run boots without one")
endif()

function(tern_bundle target)
  cmake_parse_arguments(B "" "OUTPUT;MANIFEST;CUT_INSIDE" "PROGRAMS;FILES" ${ARGN})
  if(NOT TERN_CPIO)
    return()
  endif()
  set(args --cpio ${TERN_CPIO} --out ${B_OUTPUT} --manifest ${B_MANIFEST})
  if(CMAKE_OBJCOPY)
    list(APPEND args --objcopy ${CMAKE_OBJCOPY})
  endif()
  if(B_CUT_INSIDE)
    list(APPEND args --cut-inside ${B_CUT_INSIDE})
  endif()
  set(deps ${B_MANIFEST} ${TERN_MAKE_BUNDLE})
  foreach(p ${B_PROGRAMS})
    list(APPEND args --program ${p}=$<TARGET_FILE:user_${p}>)
    list(APPEND deps user_${p})
  endforeach()
  foreach(f ${B_FILES})
    list(APPEND args --file ${f})
    string(REGEX REPLACE "^[^=]*=" "" path ${f})
    list(APPEND deps ${path})
  endforeach()
  add_custom_command(OUTPUT ${B_OUTPUT}
    COMMAND python3 ${TERN_MAKE_BUNDLE} ${args}
    DEPENDS ${deps}
    COMMENT "Making boot bundle ${B_OUTPUT}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${B_OUTPUT})
endfunction()

set(TERN_MAKE_BUNDLE ${CMAKE_CURRENT_LIST_DIR}/make_bundle.py CACHE INTERNAL "boot bundle maker")

# The demo bundle tools/run boots by default: hello, frames, grow and hog,
# and the virtio block driver.
tern_bundle(bundle OUTPUT ${CMAKE_BINARY_DIR}/bundle.cpio
  MANIFEST ${CMAKE_CURRENT_LIST_DIR}/manifest
  PROGRAMS hello frames grow hog virtio_blk)
