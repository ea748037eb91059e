#!/bin/sh
# Usage: bench/compile_scaling.sh [PATH/TO/nrnc]
#   RUNS=3                      runs per point (the table shows the median)
#   CASES="unused used pops exact connects"
#   SIZES_UNUSED="1000 3000 10000 30000"   params, one of them used
#   SIZES_USED="100 1000 3000 10000"      params, all of them summed into the ODE
#   SIZES_POPS="10 100 250 1000"          populations of a small LIF
#   SIZES_EXACT="10 30 100 300"           coupled linear states, chained, solved exactly
#   SIZES_CONNECTS="10 100 300 1000"      connect statements among 10 populations
#
# Generates each model, then times `nrnc check` and `nrnc run --duration 0.1ms` (model
# text to the end of one step: parse, checks, lowering, LLVM codegen, optimisation, JIT,
# one step, summary) as wall time of the whole process, and prints the medians.
set -eu
nrnc=${1:-build/compiler/nrnc}
RUNS=${RUNS:-3}
CASES=${CASES:-"unused used pops exact connects"}
SIZES_UNUSED=${SIZES_UNUSED:-"1000 3000 10000 30000"}
SIZES_USED=${SIZES_USED:-"100 1000 3000 10000"}
SIZES_POPS=${SIZES_POPS:-"10 100 250 1000"}
SIZES_EXACT=${SIZES_EXACT:-"10 30 100 300"}
SIZES_CONNECTS=${SIZES_CONNECTS:-"10 100 300 1000"}
[ -x "$nrnc" ] || { echo "compile_scaling.sh: no nrnc at $nrnc" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N params; only p0 is used.
gen_unused() {
    awk -v n="$1" 'BEGIN {
        print "neuron Many {"
        for (k = 0; k < n; k++) printf "    param p%d = %d mV\n", k, k
        print "    param tau = 10 ms"
        print "    state v = 0 mV"
        print "    dv/dt = (p0 - v) / tau"
        print "    threshold v > 100 mV"
        print "    reset { v = 0 mV }"
        print "}"
        print "network Net {"
        print "    population A = Many[10]"
        print "}"
        print "simulate Net for 1 ms"
    }'
}

# N params, all read by the ODE: summed by lets of at most 50 terms, in levels (a
# chain of more than 256 operators is an error).
gen_used() {
    awk -v n="$1" 'BEGIN {
        print "neuron Many {"
        for (k = 0; k < n; k++) printf "    param p%d = %g mV\n", k, k * 1e-3
        print "    param tau = 10 ms"
        print "    state v = 0 mV"
        for (k = 0; k < n; k++) term[k] = "p" k
        m = n; level = 0
        while (m > 1) {
            nl = 0
            for (k = 0; k < m; k += 50) {
                name = "s" level "_" nl
                printf "    let %s = %s", name, term[k]
                for (j = k + 1; j < k + 50 && j < m; j++) printf " + %s", term[j]
                printf "\n"
                next_term[nl++] = name
            }
            for (k = 0; k < nl; k++) term[k] = next_term[k]
            m = nl; level++
        }
        printf "    dv/dt = (%s - v) / tau\n", term[0]
        print "    threshold v > 1e9 mV"
        print "    reset { v = 0 mV }"
        print "}"
        print "network Net {"
        print "    population A = Many[10]"
        print "}"
        print "simulate Net for 1 ms"
    }'
}

# P populations of a small LIF, each with its own drive.
gen_pops() {
    awk -v n="$1" 'BEGIN {
        print "neuron LIF {"
        print "    param tau = 10 ms"
        print "    param v_th = -50 mV"
        print "    param I = 0 mV"
        print "    state v = -70 mV"
        print "    dv/dt = (-70 mV - v + I) / tau"
        print "    threshold v > v_th"
        print "    reset { v = -70 mV }"
        print "    refractory 2 ms hold v"
        print "}"
        print "network Net {"
        for (k = 0; k < n; k++) printf "    population P%d = LIF[10](I = %d mV)\n", k, k % 30
        print "    record spikes of P0"
        print "}"
        print "simulate Net for 1 ms"
    }'
}

# K linear states in a chain (x0 driven, each x_k follows x_{k-1}): one coupled block.
gen_exact() {
    awk -v n="$1" 'BEGIN {
        print "neuron Chain {"
        print "    param tau = 10 ms"
        print "    param I = 1 mV"
        for (k = 0; k < n; k++) printf "    state x%d = 0 mV\n", k
        print "    dx0/dt = (I - x0) / tau"
        for (k = 1; k < n; k++) printf "    dx%d/dt = (x%d - x%d) / tau\n", k, k - 1, k
        print "    method exact"
        print "}"
        print "network Net {"
        print "    population A = Chain[10]"
        print "}"
        print "simulate Net for 1 ms"
    }'
}

# C connect statements among 10 populations.
gen_connects() {
    awk -v n="$1" 'BEGIN {
        print "neuron LIF {"
        print "    param tau = 10 ms"
        print "    state v = -70 mV"
        print "    dv/dt = (-70 mV - v) / tau"
        print "    threshold v > -50 mV"
        print "    reset { v = -70 mV }"
        print "}"
        print "network Net {"
        for (k = 0; k < 10; k++) printf "    population P%d = LIF[20]\n", k
        for (k = 0; k < n; k++) {
            printf "    connect P%d -> P%d {\n", k % 10, (k * 7 + 3) % 10
            print "        rule prob(0.1)"
            printf "        weight %g mV\n", 0.01 * (k % 5 + 1)
            print "        on_pre { post.v += w }"
            print "    }"
        }
        print "}"
        print "simulate Net for 1 ms"
    }'
}

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# seconds of wall time of one command, its output thrown away; fails on a non-zero status
timed() {
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$work/err" || { echo "compile_scaling.sh: failed: $*" >&2; cat "$work/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

sizes_of() {
    case $1 in
        unused) echo "$SIZES_UNUSED" ;; used) echo "$SIZES_USED" ;; pops) echo "$SIZES_POPS" ;;
        exact) echo "$SIZES_EXACT" ;; connects) echo "$SIZES_CONNECTS" ;;
    esac
}

printf '| model | size | lines | check (s) | run to the first step (s) | run per unit (ms) |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for c in $CASES; do
    for n in $(sizes_of "$c"); do
        f="$work/$c-$n.nrn"
        "gen_$c" "$n" > "$f"
        checks=""; runs=""
        for r in $(seq 1 "$RUNS"); do
            checks="$checks $(timed "$nrnc" check "$f")"
            runs="$runs $(timed "$nrnc" run "$f" --duration 0.1ms --quiet --out "$work/out")"
        done
        mc=$(median $checks); mr=$(median $runs)
        printf '| %s | %s | %s | %.3f | %.3f | %.3f |\n' "$c" "$n" "$(wc -l < "$f")" "$mc" "$mr" \
            "$(echo "$mr * 1000 / $n" | bc -l)"
    done
done
