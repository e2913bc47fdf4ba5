# Build helpers shared by every CMakeLists.txt in the tree.
#
# TERN_TARGET is true in the riscv64 build (toolchain file), false on the host.
if(CMAKE_SYSTEM_PROCESSOR STREQUAL "riscv64" AND CMAKE_CROSSCOMPILING)
  set(TERN_TARGET ON)
else()
  set(TERN_TARGET OFF)
endif()

option(TERN_SANITIZE "Host build: AddressSanitizer + UBSan for tests" OFF)
option(TERN_FUZZ "Host build with clang: build libFuzzer targets" OFF)

# Flags for everything that runs on the target in S-mode or U-mode.
# No FP registers in the kernel (lp64): traps need not save them.
# gcc 12 with binutils >= 2.38 needs Zicsr/Zifencei named; clang 14 rejects the names.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(TERN_MARCH rv64imac)
else()
  set(TERN_MARCH rv64imac_zicsr_zifencei)
endif()
add_library(tern_freestanding INTERFACE)
target_include_directories(tern_freestanding SYSTEM INTERFACE ${CMAKE_SOURCE_DIR}/arch/riscv/sysroot-fixup)
target_compile_options(tern_freestanding INTERFACE
  -march=${TERN_MARCH} -mabi=lp64 -mcmodel=medany -mno-relax
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie
  -fno-stack-protector -fno-omit-frame-pointer -fno-common
  -ffunction-sections -fdata-sections
  -Wall -Wextra -Werror
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics
                            -fno-use-cxa-atexit -Wno-missing-field-initializers>)
target_link_options(tern_freestanding INTERFACE
  -nostdlib -static $<$<CXX_COMPILER_ID:GNU>:-no-pie> -Wl,--gc-sections -Wl,--build-id=none
  -march=${TERN_MARCH} -mabi=lp64 -mcmodel=medany)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_link_options(tern_freestanding INTERFACE -fuse-ld=lld)
endif()

# Flags for host builds of the pure cores and their tests.
add_library(tern_host_flags INTERFACE)
# -Werror here too: a warning in the host build is a warning in a core the
# target also builds.
target_compile_options(tern_host_flags INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
if(TERN_SANITIZE)
  target_compile_options(tern_host_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(tern_host_flags INTERFACE -fsanitize=address,undefined)
endif()

# tern_pure_library(name src...): a freestanding core that builds for both
# the target (linked into kernel or pager) and the host (tests, benchmarks).
function(tern_pure_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PUBLIC tern_base)
  if(TERN_TARGET)
    target_link_libraries(${name} PUBLIC tern_freestanding)
  else()
    target_link_libraries(${name} PUBLIC tern_host_flags)
  endif()
endfunction()

# tern_host_test(name SOURCES src... LIBS lib...): a GoogleTest binary whose
# every test case becomes its own CTest test. Host build only.
function(tern_host_test name)
  if(TERN_TARGET)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;PROPERTIES" ${ARGN})
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} tern_base tern_tree tern_host_flags GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${T_PROPERTIES})
endfunction()

# tern_fuzz_target(name SOURCES src... LIBS lib... [CORPUS dir]): a libFuzzer
# target (host + clang + TERN_FUZZ only). CTest runs each for a fixed number
# of iterations from a fixed seed as a smoke test; run longer by hand.
function(tern_fuzz_target name)
  if(TERN_TARGET OR NOT TERN_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "CORPUS;RUNS" "SOURCES;LIBS" ${ARGN})
  if(NOT F_RUNS)
    set(F_RUNS 200000)
  endif()
  add_executable(${name} ${F_SOURCES})
  target_link_libraries(${name} PRIVATE ${F_LIBS} tern_base tern_tree tern_host_flags)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined -g)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  set(corpus_args)
  if(F_CORPUS)
    set(corpus_args ${F_CORPUS})
  endif()
  add_test(NAME fuzz.${name}
           COMMAND ${name} -seed=1 -runs=${F_RUNS} -max_len=4096 ${corpus_args})
endfunction()

# tern_host_bench(name SOURCES src... LIBS lib...): a Google Benchmark program.
function(tern_host_bench name)
  if(TERN_TARGET)
    return()
  endif()
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE ${B_LIBS} tern_base tern_tree tern_host_flags benchmark::benchmark)
endfunction()

# The linker script of every user program (libs/runtime).
set(TERN_USER_LD ${CMAKE_SOURCE_DIR}/libs/runtime/user.ld)

# tern_user_program(<name> SOURCES src... [LIBS lib...])
# Builds the executable target user_<name> as ${CMAKE_BINARY_DIR}/user/<name>.elf
# and lists <name> in the global property TERN_USER_PROGRAMS, from which the
# kernel build embeds the programs (init=<name> picks the root task).
function(tern_user_program name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  set(target user_${name})
  add_executable(${target} ${P_SOURCES} $<TARGET_OBJECTS:tern_runtime_start> $<TARGET_OBJECTS:tern_freestanding_rt>)
  target_link_libraries(${target} PRIVATE tern_runtime tern_tree ${P_LIBS})
  # Unity lines name files relative to the source tree.
  target_compile_options(${target} PRIVATE -fmacro-prefix-map=${CMAKE_SOURCE_DIR}/=)
  target_link_options(${target} PRIVATE -T ${TERN_USER_LD}
                      -Wl,-Map=${CMAKE_BINARY_DIR}/user/${name}.map)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    SUFFIX ".elf"
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/user
    LINK_DEPENDS ${TERN_USER_LD})
  set_property(GLOBAL APPEND PROPERTY TERN_USER_PROGRAMS ${name})
endfunction()
