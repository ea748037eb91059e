#!/bin/sh
# Installs the Debian packages nrnc needs to build and test, if any is missing.
# Runs apt-get as root, or through sudo.
set -e
# clang-19 and its runtime libraries (libFuzzer, sanitizers): the fuzz targets (fuzz/run.sh);
# python3 and python3-numpy: the Python module (python/nrnc) and its tests
need="cmake make gcc libc6-dev flex bison llvm-19-dev libgsl-dev libzstd-dev valgrind clang-19 libclang-rt-19-dev python3 python3-numpy"
# pkgconf (pkg-config): the install test builds a program with `pkg-config --libs nrnrt`
need="$need pkgconf"
# jansson: JSON for the editor support (nrnc check --format json, nrnc lsp) and its tests
need="$need libjansson-dev"
missing=""
for p in $need; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq || true
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
