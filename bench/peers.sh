#!/bin/sh
# Usage: bench/peers.sh [PATH/TO/nrnc]
#
# Runs the CUBA benchmark network (shared/reference/README.md, "CUBA benchmark network")
# with the peers that are present, RUNS times each (default 3, all with seed 1), and prints
# a table of medians:
#   - bench/cuba_hand.c, the hand-written C reference, at N = 4000, 16000, 64000;
#   - bench/cuba_brian2.py, Brian2 C++ standalone on one thread, if brian2 imports
#     (tried with $PYTHON, python3, /usr/bin/python3);
#   - nrnc (default build/compiler/nrnc): examples/cuba.nrn (and copies at other N) with
#     `nrnc run --quiet`, as it is and recording spikes only; see the block marked NRNC.
# Environment: RUNS (3), SIZES ("4000 16000 64000"), CC (cc), PYTHON.
# Times in seconds.  C: loop and set-up from CLOCK_MONOTONIC.  Brian2: loop = its own
# Network::run timer (std::clock, CPU time); setup = binary wall time - loop; whole =
# the whole script (code generation + C++ build + run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
nrnc=${1:-$root/build/compiler/nrnc}
runs=${RUNS:-3}
sizes=${SIZES:-"4000 16000 64000"}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# field NAME: the number after "NAME": in the JSON on stdin (flat, one line)
field() { sed -n "s/.*\"$1\": *\([-0-9.eE+]*\).*/\1/p"; }
# median of the numbers on stdin, one a line; "-" when there are none
median() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) print "-"
        else if (NR % 2) print a[(NR + 1) / 2]
        else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# med FILE NAME: median of field NAME over the JSON lines of FILE ("-" if no file)
med() { if [ -s "$1" ]; then field "$2" < "$1" | median; else echo -; fi; }

# ---- hand-written C ------------------------------------------------------------------
"$cc" -O3 -march=native -std=c17 "$here/cuba_hand.c" -o "$tmp/cuba_hand" -lm
for n in $sizes; do
    r=0
    while [ $r -lt "$runs" ]; do
        "$tmp/cuba_hand" "$n" 1 | tee -a "$tmp/hand_$n.jsonl" | sed 's/^/cuba_hand: /'
        r=$((r + 1))
    done
done
# the rate check of the reference: mean over seeds 1..5 at N = 4000 within 10% of 5.6 Hz
for s in 1 2 3 4 5; do "$tmp/cuba_hand" 4000 $s; done > "$tmp/hand_seeds.jsonl"
field rate_hz < "$tmp/hand_seeds.jsonl" | awk '{ s += $1 } END {
    m = s / NR; ok = (m > 5.04 && m < 6.16) ? "ok" : "OUT OF RANGE"
    printf "cuba_hand: mean rate over seeds 1..5 at N = 4000: %.3f Hz (5.6 Hz +- 10%%: %s)\n", m, ok }'

# ---- Brian2 ----------------------------------------------------------------------------
py=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null 2>&1 && "$p" -c 'import brian2' > /dev/null 2>&1; then
        py=$p
        break
    fi
done
if [ -n "$py" ]; then
    for n in $sizes; do
        r=0
        while [ $r -lt "$runs" ]; do
            if ! PYTHONWARNINGS=ignore "$py" "$here/cuba_brian2.py" "$n" 1 \
                    > "$tmp/b2.out" 2> "$tmp/b2.err"; then
                cat "$tmp/b2.out" "$tmp/b2.err" >&2
                echo "brian2: failed at N = $n" >&2
                exit 1
            fi
            tail -n 1 "$tmp/b2.out" | tee -a "$tmp/brian2_$n.jsonl" | sed 's/^/brian2: /'
            r=$((r + 1))
        done
    done
else
    echo "brian2: skipped: python3-brian not installed"
fi

# ---- NRNC: the nrnc CUBA runs ----------------------------------------------------------
# examples/cuba.nrn as it is at N = 4000; at other N a copy with N_total changed and
# prob(0.02) written prob(80 / N_total) (80 / 4000 is the same double as 0.02). Two variants
# of each: "full" records what the example records (spikes, the E rate every 1 ms, v of 5
# neurons every 0.5 ms); "spikes" records only the spikes, as the peers do. Each run
# appends one JSON line: timing_s.run ("loop"), .setup, .compile, the whole process's wall
# time, the mean rate and the synapse count.
# sj FILE KEY: the first number after "KEY": in FILE (summary.json spans several lines)
sj() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
# sum of every number after "KEY": in FILE
sjsum() { grep -o "\"$2\": *[0-9]*" "$1" | sed 's/.*: *//' | awk '{ s += $1 } END { print s + 0 }'; }
now() { date +%s.%N; }
nrnc_once() {   # MODEL OUT JSONL LABEL: one run; appends its JSON line to JSONL
    t0=$(now)
    if ! "$nrnc" run "$1" --out "$2" --quiet --seed 1; then
        echo "nrnc: failed on $1" >&2
        exit 1
    fi
    t1=$(now)
    s=$2/summary.json
    line=$(printf '{"loop_s": %s, "setup_s": %s, "compile_s": %s, "wall_s": %s, "rate_hz": %s, "synapses": %s}' \
        "$(sj "$s" run)" "$(sj "$s" setup)" "$(sj "$s" compile)" \
        "$(echo "$t0 $t1" | awk '{ printf "%.4f", $2 - $1 }')" \
        "$(echo "$(sjsum "$s" spikes) $(sjsum "$s" size) $(sj "$s" duration_ms)" | awk '{ printf "%.4f", $1 / $2 / ($3 / 1000) }')" \
        "$(sj "$s" synapses)")
    echo "$line" >> "$3"
    echo "$4: $line"
}
if [ -x "$nrnc" ]; then
    for n in $sizes; do
        if [ "$n" = 4000 ]; then
            full=$root/examples/cuba.nrn
        else
            full=$tmp/cuba_$n.nrn
            sed -e "s/param N_total = 4000/param N_total = $n/" -e 's|prob(0.02)|prob(80 / N_total)|' \
                "$root/examples/cuba.nrn" > "$full"
        fi
        # same directory as the example, for its imports (standard library ones here)
        sed -e '/record rate of/d' -e '/record v of/d' "$full" > "$tmp/cuba_spikes_$n.nrn"
        r=0
        while [ $r -lt "$runs" ]; do
            nrnc_once "$full" "$tmp/nrnc_out" "$tmp/nrnc_$n.jsonl" "nrnc (full)"
            nrnc_once "$tmp/cuba_spikes_$n.nrn" "$tmp/nrnc_out" "$tmp/nrnc_spk_$n.jsonl" "nrnc (spikes)"
            r=$((r + 1))
        done
    done
else
    echo "nrnc: skipped: no nrnc at '$nrnc' (build it, or pass its path)"
fi
# ---- end NRNC ----------------------------------------------------------------------------

# ---- table of medians --------------------------------------------------------------------
# ratio A B: A / B to 3 significant digits, "-" when either is missing
ratio() { echo "$1 $2" | awk '{ if ($1 == "-" || $2 == "-" || $2 == 0) print "-"; else printf "%.3g\n", $1 / $2 }'; }
echo
echo "CUBA, 1 s at dt 0.1 ms, one thread, seed 1, medians of $runs runs (seconds)"
printf '%7s | %8s %8s %9s %8s | %8s %8s %8s %8s | %9s\n' \
    N "C loop" "C setup" "C ns/n-s" "C Hz" "B2 loop" "B2 setup" "B2 whole" "B2 Hz" "nrnc loop"
for n in $sizes; do
    hl=$(med "$tmp/hand_$n.jsonl" loop_s)
    nsn=$(echo "$hl $n" | awk '{ if ($1 == "-") print "-"; else printf "%.3f", $1 * 1e9 / ($2 * 10000) }')
    printf '%7s | %8s %8s %9s %8s | %8s %8s %8s %8s | %9s\n' "$n" \
        "$hl" "$(med "$tmp/hand_$n.jsonl" setup_s)" "$nsn" "$(med "$tmp/hand_$n.jsonl" rate_hz)" \
        "$(med "$tmp/brian2_$n.jsonl" loop_s)" "$(med "$tmp/brian2_$n.jsonl" setup_s)" \
        "$(med "$tmp/brian2_$n.jsonl" total_s)" "$(med "$tmp/brian2_$n.jsonl" rate_hz)" \
        "$(med "$tmp/nrnc_spk_$n.jsonl" loop_s)"
done
echo
echo "nrnc: 'spikes' records spikes only (like the peers), 'full' is examples/cuba.nrn's recording;"
echo "loop = timing_s.run, whole = wall time of the nrnc process (compile + setup + loop + files);"
echo "x C = nrnc loop / C loop (target <= 1.3 at 4000), B2 / nrnc = Brian2 loop / nrnc loop (target >= 2)"
printf '%7s | %8s %8s %8s %8s %8s | %8s %8s | %8s %8s | %8s %8s\n' \
    N "loop" "setup" "compile" "whole" "Hz" "full lp" "full wh" "x C" "B2/nrnc" "x C full" "B2/full"
for n in $sizes; do
    nl=$(med "$tmp/nrnc_spk_$n.jsonl" loop_s)
    fl=$(med "$tmp/nrnc_$n.jsonl" loop_s)
    hl=$(med "$tmp/hand_$n.jsonl" loop_s)
    bl=$(med "$tmp/brian2_$n.jsonl" loop_s)
    printf '%7s | %8s %8s %8s %8s %8s | %8s %8s | %8s %8s | %8s %8s\n' "$n" \
        "$nl" "$(med "$tmp/nrnc_spk_$n.jsonl" setup_s)" "$(med "$tmp/nrnc_spk_$n.jsonl" compile_s)" \
        "$(med "$tmp/nrnc_spk_$n.jsonl" wall_s)" "$(med "$tmp/nrnc_spk_$n.jsonl" rate_hz)" \
        "$fl" "$(med "$tmp/nrnc_$n.jsonl" wall_s)" \
        "$(ratio "$nl" "$hl")" "$(ratio "$bl" "$nl")" "$(ratio "$fl" "$hl")" "$(ratio "$bl" "$fl")"
done
