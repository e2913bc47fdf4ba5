# cmake -DFDTGET=.. -DFDTPUT=.. -DDTC=.. -DINPUT=<dtb> -DOUTPUT=<dtb> -P make_seed.cmake
#
# Cuts a QEMU device tree down to what parse_machine() reads (memory,
# /cpus, /chosen, /reserved-memory, /distance-map) and compacts it, so
# that it fits the fuzz run's 4 KiB input limit and mutations land on the
# parts that matter.
foreach(var FDTGET FDTPUT DTC INPUT OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "make_seed.cmake: ${var} not set")
  endif()
endforeach()

set(work ${OUTPUT}.work)
file(COPY_FILE ${INPUT} ${work})

function(subnodes path out)
  execute_process(COMMAND ${FDTGET} -l ${work} ${path} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  string(REGEX REPLACE "\n+$" "" text "${text}")
  string(REPLACE "\n" ";" text "${text}")
  if(rc)
    set(text "")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(remove path)
  execute_process(COMMAND ${FDTPUT} -r ${work} ${path} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "fdtput could not remove ${path}")
  endif()
endfunction()

subnodes(/ top)
foreach(n IN LISTS top)
  if(NOT n MATCHES "^(memory|cpus$|chosen$|reserved-memory$|distance-map$)")
    remove(/${n})
  endif()
endforeach()
subnodes(/cpus cpus)
foreach(n IN LISTS cpus)
  if(n MATCHES "^cpu@")
    subnodes(/cpus/${n} inner)
    foreach(i IN LISTS inner)
      remove(/cpus/${n}/${i})
    endforeach()
  else()
    remove(/cpus/${n})
  endif()
endforeach()

execute_process(COMMAND ${DTC} -q -I dtb -O dtb -o ${OUTPUT} ${work} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "dtc could not compact ${work}")
endif()
file(REMOVE ${work})
