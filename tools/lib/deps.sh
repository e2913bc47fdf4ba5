# Sourced by tools/run, tools/test and tools/bench: make sure every Debian
# package the project needs is installed. As root, missing packages are
# installed with apt-get; otherwise the exact command is printed.
#
#   ensure_packages [pkg...]   (defaults to TERN_PACKAGES)

TERN_PACKAGES=(
  cmake ninja-build g++ python3                       # host build
  googletest libgtest-dev libbenchmark-dev valgrind    # host tests and benchmarks
  clang lld llvm libclang-rt-14-dev                    # fuzz targets, clang target build
  clang-tidy clang-format                              # tools/lint
  libmimalloc-dev libjemalloc-dev                      # allocator peers in benchmarks
  g++-riscv64-linux-gnu binutils-riscv64-linux-gnu     # target build
  qemu-system-misc opensbi                             # QEMU virt + OpenSBI firmware
  device-tree-compiler                                 # dtc/fdtget for FDT fixtures
  cpio                                                 # boot bundles (initrd) and their tests
  gdb-multiarch                                        # tools/run --debug
)

ensure_packages() {
  local want=("$@")
  [ ${#want[@]} -gt 0 ] || want=("${TERN_PACKAGES[@]}")
  local missing=()
  for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing missing packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || { echo "error: apt-get update failed" >&2; return 1; }
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
      echo "error: apt-get install failed for: ${missing[*]}" >&2; return 1; }
  else
    echo "error: missing packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
}
