#!/bin/sh
# Usage: bench/peers.sh [PATH/TO/nrnc]
#
# Runs the CUBA benchmark network (shared/reference/README.md, "CUBA benchmark network")
# with the peers that are present, RUNS times each (default 3, all with seed 1), and prints
# a table of medians:
#   - bench/cuba_hand.c, the hand-written C reference, at N = 4000, 16000, 64000;
#   - bench/cuba_brian2.py, Brian2 C++ standalone on one thread, if brian2 imports
#     (tried with $PYTHON, python3, /usr/bin/python3);
#   - nrnc: not yet, see the block marked NRNC below.
# Environment: RUNS (3), SIZES ("4000 16000 64000"), CC (cc), PYTHON.
# Times in seconds.  C: loop and set-up from CLOCK_MONOTONIC.  Brian2: loop = its own
# Network::run timer (std::clock, CPU time); setup = binary wall time - loop; whole =
# the whole script (code generation + C++ build + run).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
nrnc=${1:-}
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

# ---- NRNC: the nrnc CUBA run goes here --------------------------------------------------
# To be added once networks land: for each N in $sizes, $runs times,
#   "$nrnc" run "$root/examples/cuba.nrn" --out "$tmp/nrnc_$n" --quiet --seed 1 [N override]
# then append the run time, timing_s.run of "$tmp/nrnc_$n/summary.json", to
# "$tmp/nrnc_$n.txt" (one number a line), e.g. with
#   nrnc_run_s "$tmp/nrnc_$n/summary.json" >> "$tmp/nrnc_$n.txt"
# The table below already prints the median of that file in its nrnc column.
nrnc_run_s() { tr -d '\n' < "$1" | sed -n 's/.*"timing_s": *{[^}]*"run": *\([-0-9.eE+]*\).*/\1/p'; }
if [ -n "$nrnc" ]; then
    if [ -f "$root/examples/cuba.nrn" ]; then
        echo "nrnc: not run yet: add the run in the NRNC block of bench/peers.sh"
    else
        echo "nrnc: not run yet ($root/examples/cuba.nrn is still to come)"
    fi
fi
# ---- end NRNC ----------------------------------------------------------------------------

# ---- table of medians --------------------------------------------------------------------
echo
echo "CUBA, 1 s at dt 0.1 ms, one thread, seed 1, medians of $runs runs (seconds)"
printf '%7s | %8s %8s %9s %8s | %8s %8s %8s %8s | %8s\n' \
    N "C loop" "C setup" "C ns/n-s" "C Hz" "B2 loop" "B2 setup" "B2 whole" "B2 Hz" "nrnc run"
for n in $sizes; do
    hl=$(med "$tmp/hand_$n.jsonl" loop_s)
    nsn=$(echo "$hl $n" | awk '{ if ($1 == "-") print "-"; else printf "%.3f", $1 * 1e9 / ($2 * 10000) }')
    if [ -s "$tmp/nrnc_$n.txt" ]; then nr=$(median < "$tmp/nrnc_$n.txt"); else nr=-; fi
    printf '%7s | %8s %8s %9s %8s | %8s %8s %8s %8s | %8s\n' "$n" \
        "$hl" "$(med "$tmp/hand_$n.jsonl" setup_s)" "$nsn" "$(med "$tmp/hand_$n.jsonl" rate_hz)" \
        "$(med "$tmp/brian2_$n.jsonl" loop_s)" "$(med "$tmp/brian2_$n.jsonl" setup_s)" \
        "$(med "$tmp/brian2_$n.jsonl" total_s)" "$(med "$tmp/brian2_$n.jsonl" rate_hz)" "$nr"
done
