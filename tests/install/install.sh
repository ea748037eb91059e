# `cmake --install` into a prefix that is then moved, used as a user would (API.md
# "Install"): the installed nrnc must find its standard library, headers and runtime
# relative to itself, with the build folder gone; a C program must build against the
# prefix through pkg-config and through find_package(nrnc).
#
#   install.sh NRNC WORK CMAKE CC     (NRNC: the build tree's nrnc, for its --version)
. "$(dirname "$0")/../lib.sh"
CMAKE=${3:-cmake}
CC=${4:-cc}
ROOT=$(cd "$HERE/../.." && pwd)
unset NRN_PATH
command -v pkg-config >/dev/null || fail "pkg-config is not installed (scripts/install-deps.sh installs it)"
JOBS=$(nproc 2>/dev/null || echo 2)

# A user's Release build, with warnings as errors as CI builds: only what install needs.
"$CMAKE" -S "$ROOT" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DNRN_WERROR=ON \
    -DCMAKE_C_COMPILER="$CC" >"$WORK/configure.log" 2>&1 ||
    { tail -30 "$WORK/configure.log" >&2; fail "configure (Release)"; }
"$CMAKE" --build "$WORK/build" -j "$JOBS" --target nrnc nrnrt nrnrt_shared >"$WORK/build.log" 2>&1 ||
    { grep -E "error|warning" "$WORK/build.log" | head -30 >&2; fail "Release build"; }
"$CMAKE" --install "$WORK/build" --prefix "$WORK/first" >"$WORK/install.log" 2>&1 ||
    { tail -30 "$WORK/install.log" >&2; fail "cmake --install"; }
rm -rf "$WORK/build"
mkdir -p "$WORK/elsewhere"
mv "$WORK/first" "$WORK/elsewhere/prefix"
P=$WORK/elsewhere/prefix

for f in bin/nrnc lib/libnrnrt.a lib/libnrnrt.so include/nrnc/nrnrt.h include/nrnc/nrt.h \
         share/nrnc/stdlib/lif.nrn share/man/man1/nrnc.1 lib/pkgconfig/nrnrt.pc \
         lib/cmake/nrnc/nrncConfig.cmake lib/cmake/nrnc/nrncConfigVersion.cmake; do
    [ -e "$P/$f" ] || fail "not installed: PREFIX/$f"
done
[ "$(ls "$P/share/nrnc/stdlib" | wc -l)" = "$(ls "$ROOT"/stdlib/*.nrn | wc -l)" ] ||
    fail "PREFIX/share/nrnc/stdlib does not hold every stdlib/*.nrn"

# The installed nrnc, the build folder gone and the prefix moved.
NRNC_P=$P/bin/nrnc
[ "$("$NRNC_P" --version)" = "$("$NRNC" --version)" ] || fail "--version of the installed nrnc"
mkdir -p "$WORK/user"
cp "$ROOT/examples/lif.nrn" "$WORK/user/demo.nrn"
# a model only the installed standard library has: proves it is the one searched, not
# the source tree's stdlib/ that the build tree's nrnc would use
sed 's/neuron LIF /neuron ProbeLIF /' "$ROOT/stdlib/lif.nrn" >"$P/share/nrnc/stdlib/install_probe.nrn"
sed -e 's/^import lif$/import install_probe/' -e 's/= LIF\[/= ProbeLIF[/' "$ROOT/examples/lif.nrn" \
    >"$WORK/user/probe.nrn"
cd "$WORK/user"
expect_exit 0 "$NRNC_P" check demo.nrn
expect_exit 0 "$NRNC_P" check probe.nrn
expect_exit 0 "$NRNC_P" run demo.nrn --out run --quiet
[ "$(tail -n +2 run/spikes.csv | wc -l)" -ge 10 ] || fail "installed nrnc run: too few spikes"
# nrnc build needs the installed headers and libnrnrt.a (the build folder's are gone)
expect_exit 0 "$NRNC_P" build demo.nrn -o demo.sim
expect_exit 0 ./demo.sim --out sim --quiet
cmp -s run/spikes.csv sim/spikes.csv || fail "the built simulator's spikes differ from nrnc run's"
"$NRNC" run demo.nrn --out tree --quiet || fail "the build tree's nrnc run"
cmp -s run/spikes.csv tree/spikes.csv || fail "installed and build-tree nrnc write different spikes"

# Programs against the prefix. The tiny one only links the runtime; closed_loop.c
# (examples/embed) drives a model library the installed nrnc builds, as README says.
cat >"$WORK/app.c" <<'C'
#include <nrnc/nrnrt.h>
#include <stdio.h>

int main(void)
{
    nrt_options opt;
    nrt_options_default(&opt);
    if (opt.seed != NRT_MODEL_SEED || opt.threads != 1 || opt.outdir)
        return 1;
    puts("linked");
    return 0;
}
C
EX=$ROOT/examples/embed
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
flags=$(pkg-config --cflags --libs nrnrt) || fail "pkg-config --cflags --libs nrnrt"
[ "$(pkg-config --modversion nrnrt)" = "$("$NRNC_P" --version | cut -d' ' -f2)" ] || fail "nrnrt.pc version"
# shellcheck disable=SC2086
"$CC" -std=c17 -Wall -Werror "$WORK/app.c" $flags -o "$WORK/app_pc" || fail "compile with pkg-config ($flags)"
[ "$(LD_LIBRARY_PATH="$P/lib" "$WORK/app_pc")" = linked ] || fail "the pkg-config program"
# a shared model library (it carries the runtime), with the command of closed_loop.c
expect_exit 0 "$NRNC_P" build --lib "$EX/plant.nrn" -o "$WORK/user/libplant.so"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 "$EX/closed_loop.c" -o "$WORK/user/loop_so" $flags -L"$WORK/user" -lplant \
    -Wl,-rpath,"$WORK/user" || fail "closed_loop.c with libplant.so"
LD_LIBRARY_PATH="$P/lib" "$WORK/user/loop_so" 20 >"$WORK/loop_so.out" ||
    { cat "$WORK/loop_so.out" >&2; fail "closed_loop with libplant.so"; }
# a static one, whose model code needs -lmvec -lm from nrnrt.pc
expect_exit 0 "$NRNC_P" build --lib "$EX/plant.nrn" -o "$WORK/user/libplant.a"
# shellcheck disable=SC2086
"$CC" -std=c17 -O2 "$EX/closed_loop.c" "$WORK/user/libplant.a" $flags -o "$WORK/user/loop_a" ||
    fail "closed_loop.c with libplant.a and pkg-config ($flags)"
LD_LIBRARY_PATH="$P/lib" "$WORK/user/loop_a" 20 >"$WORK/loop_a.out" ||
    { cat "$WORK/loop_a.out" >&2; fail "closed_loop with libplant.a"; }

mkdir -p "$WORK/cm"
cp "$WORK/app.c" "$EX/closed_loop.c" "$WORK/user/libplant.a" "$WORK/cm/"
cat >"$WORK/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(embed C)
find_package(nrnc 0.1 REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE nrnc::nrnrt)
add_executable(loop closed_loop.c)
target_link_libraries(loop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/libplant.a nrnc::nrnrt)
file(GENERATE OUTPUT nrnc_path.txt CONTENT "$<TARGET_FILE:nrnc::nrnc>")
CM
"$CMAKE" -S "$WORK/cm" -B "$WORK/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_COMPILER="$CC" \
    >"$WORK/cm.log" 2>&1 || { tail -30 "$WORK/cm.log" >&2; fail "find_package(nrnc)"; }
"$CMAKE" --build "$WORK/cm/build" >>"$WORK/cm.log" 2>&1 || { tail -30 "$WORK/cm.log" >&2; fail "build with nrnc::nrnrt"; }
# CMake's build RPATH points at PREFIX/lib: no LD_LIBRARY_PATH needed
[ "$("$WORK/cm/build/app")" = linked ] || fail "the find_package program"
"$WORK/cm/build/loop" 20 >"$WORK/loop_cm.out" || { cat "$WORK/loop_cm.out" >&2; fail "closed_loop with nrnc::nrnrt"; }
[ "$(cat "$WORK/cm/build/nrnc_path.txt")" -ef "$NRNC_P" ] || fail "nrnc::nrnc is not PREFIX/bin/nrnc"
echo ok
