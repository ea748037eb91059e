#!/bin/sh
# Builds the libFuzzer targets (fuzz/, clang-19 with ASan and UBSan) in build-fuzz/ and
# runs each for SECONDS. Fails on any crash, sanitizer report, leak, or input that takes
# over 1 s. Prints the executions per target.
#
#   sh fuzz/run.sh 60                     # what CI runs (.ci/run)
#   sh fuzz/run.sh 3600                   # an hour per target (docs/reliability.md)
#   NRN_FUZZ_TARGETS=fuzz_plot sh fuzz/run.sh 600
#
# Seeds: every .nrn file of examples/, stdlib/ and tests/ for fuzz_frontend; every data
# file (.csv, .npy, .json) of examples/, tests/ and fuzz/seeds/ for the readers. What a
# run finds is kept in build-fuzz/corpus/TARGET (the next run starts from it); an input
# that fails is written to build-fuzz/artifacts/, and belongs in fuzz/regressions/TARGET/
# once fixed: those are replayed first, every run, and by ctest (fuzz_regressions).
set -eu
SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${NRN_FUZZ_BUILD:-$ROOT/build-fuzz}
CC=${NRN_FUZZ_CC:-clang-19}
TARGETS=${NRN_FUZZ_TARGETS:-fuzz_frontend fuzz_source fuzz_wfile fuzz_plot}
JOBS=$(nproc 2>/dev/null || echo 2)

CC=$CC cmake -S "$ROOT" -B "$BUILD" -DNRN_FUZZ=ON -DNRN_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD" -j "$JOBS" --target $TARGETS >/dev/null

seeds=$BUILD/seeds
rm -rf "$seeds"
mkdir -p "$seeds/models" "$seeds/data" "$BUILD/artifacts"
n=0
for f in $(cd "$ROOT" && find examples stdlib tests -name '*.nrn' | sort); do
    n=$((n + 1)); cp "$ROOT/$f" "$seeds/models/$n.nrn"
done
for f in $(cd "$ROOT" && find examples tests fuzz/seeds -type f \
               \( -name '*.csv' -o -name '*.npy' -o -name '*.json' \) | sort); do
    n=$((n + 1)); cp "$ROOT/$f" "$seeds/data/$n-$(basename "$f")"
done

status=0
for t in $TARGETS; do
    bin=$BUILD/fuzz/$t
    corpus=$BUILD/corpus/$t
    mkdir -p "$corpus"
    case $t in
        fuzz_frontend) seed=$seeds/models dict=$ROOT/fuzz/nrn.dict ;;
        *) seed=$seeds/data dict=$ROOT/fuzz/data.dict ;;
    esac
    reg=$ROOT/fuzz/regressions/$t
    if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
        "$bin" -timeout=1 -rss_limit_mb=2048 "$reg"/* >"$BUILD/$t.regressions.log" 2>&1 ||
            { tail -40 "$BUILD/$t.regressions.log"; echo "$t: a regression input fails"; status=1; continue; }
    fi
    set +e
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=1 -rss_limit_mb=2048 -close_fd_mask=3 \
        -print_final_stats=1 -dict="$dict" -artifact_prefix="$BUILD/artifacts/$t-" "$corpus" "$seed" \
        >"$BUILD/$t.log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/$t.log" | tail -1)
    # A timeout is an input that takes over 1 s: one that runs in time when replayed three
    # times alone was a stall of the machine (seen once on a loaded 2-core machine, in
    # ASan's quarantine), reported but not failed.
    slow=$(sed -n "s|.*Test unit written to \(.*timeout-.*\)|\1|p" "$BUILD/$t.log" | tail -1)
    if [ $rc != 0 ] && [ -n "$slow" ] && "$bin" -timeout=1 "$slow" >"$BUILD/$t.replay.log" 2>&1 &&
       "$bin" -timeout=1 "$slow" >>"$BUILD/$t.replay.log" 2>&1 &&
       "$bin" -timeout=1 "$slow" >>"$BUILD/$t.replay.log" 2>&1; then
        echo "$t: a timeout that did not reproduce in 3 replays of $slow (machine load?)"
        rc=0
    fi
    if [ $rc != 0 ]; then
        tail -60 "$BUILD/$t.log"
        echo "$t: FAILED (exit $rc) after ${execs:-?} executions; the input is in $BUILD/artifacts/"
        status=1
    else
        echo "$t: ${execs:-?} executions in ${SECONDS_EACH} s, corpus $(ls "$corpus" | wc -l) inputs"
    fi
done
exit $status
