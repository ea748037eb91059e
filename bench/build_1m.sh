#!/bin/sh
# Usage: bench/build_1m.sh [PATH/TO/nrnc]          (default build/compiler/nrnc)
#
# How fast nrnc builds connectivity, and how much memory the synapses take.
#
# 1. Build: one population of N neurons connected to itself with fixed_indegree(100) (and,
#    as a second rule, prob(100 / N)), one homogeneous weight and one delay, simulated for
#    a single step. Reports summary.json's synapses and timing_s.setup (the set-up is
#    almost all connectivity: the neurons' initial values take ~1 ms per 10^6), synapses
#    per second = synapses / setup, and the process's peak memory (max RSS from
#    /usr/bin/time -v; the largest of the runs). Medians of RUNS runs.
#    Environment: SIZES ("100000 1000000"), RUNS (3).
# 2. Bytes per synapse: at N = 100,000 with fixed_indegree(100) (10^7 synapses), the
#    peak RSS of one connection variant minus that of the same network without the
#    connection, divided by the synapse count. RSS counts the pages written: an array
#    that calloc zeroed and nothing wrote yet (the last-event times before any event)
#    does not show. Compare with runtime/conn.c
#    (nrt_conn_bytes): 4 B for the post index, 8 B per per-synapse double, 4 B for a
#    per-synapse delay, 12 B for the post-side index that on_post needs. Skipped with
#    BYTES=0.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
nrnc=${1:-$root/build/compiler/nrnc}
sizes=${SIZES:-"100000 1000000"}
runs=${RUNS:-3}
[ -x "$nrnc" ] || { echo "build_1m: no nrnc at '$nrnc'" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "build_1m: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sj() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }

# model FILE N RULE CONNECT_BODY [SYNAPSE_USING]: a network of N neurons Q, connected to
# itself by one connect statement (none when RULE is "-")
model() {
    f=$1 n=$2 rule=$3 body=$4 using=${5:-}
    {
        cat <<'EOF'
neuron Q {
    param tau = 10 ms
    state v = 0 mV
    dv/dt = -v / tau
    threshold v > 10 mV
    reset { v = 0 mV }
}
synapse Trace {
    param tau_pre = 20 ms
    param tau_post = 20 ms
    state w = 0.1
    state a_pre = 0
    state a_post = 0
    da_pre/dt = -a_pre / tau_pre (event)
    da_post/dt = -a_post / tau_post (event)
    on_pre  { post.v += w * 1 mV; a_pre += 0.01; w = clip(w + a_post, 0, 1) }
    on_post { a_post -= 0.01; w = clip(w + a_pre, 0, 1) }
}
EOF
        echo "network Build {"
        echo "    population P = Q[$n]"
        if [ "$rule" != - ]; then
            echo "    connect P -> P $using {"
            echo "        rule $rule"
            printf '%s\n' "$body"
            echo "    }"
        fi
        echo "}"
        echo "simulate Build for 0.1 ms seed 1"
    } > "$f"
}

# measure FILE: prints "synapses setup_s maxrss_kib"
measure() {
    /usr/bin/time -v "$nrnc" run "$1" --out "$tmp/out" --quiet 2> "$tmp/time.txt" || {
        cat "$tmp/time.txt" >&2
        exit 1
    }
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time.txt")
    echo "$(sj "$tmp/out/summary.json" synapses) $(sj "$tmp/out/summary.json" setup) $rss"
}

homog='        weight 0.1 mV
        delay  1 ms
        on_pre { post.v += w }'

# median of the numbers on stdin, one a line
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "== build: one population, rule, homogeneous weight and delay, 1 step; median of $runs runs =="
printf '%9s %-20s %12s %9s %12s %9s   %s\n' N rule synapses "setup s" "synapses/s" "peak MiB" "setup s of each run"
for n in $sizes; do
    for rule in "fixed_indegree(100)" "prob($(echo "$n" | awk '{ printf "%.10g", 100 / $1 }'))"; do
        model "$tmp/m.nrn" "$n" "$rule" "$homog"
        : > "$tmp/runs.txt"
        r=0
        while [ $r -lt "$runs" ]; do
            measure "$tmp/m.nrn" >> "$tmp/runs.txt"
            r=$((r + 1))
        done
        syn=$(awk 'NR == 1 { print $1 }' "$tmp/runs.txt")
        setup=$(awk '{ print $2 }' "$tmp/runs.txt" | median)
        rss=$(awk '{ print $3 }' "$tmp/runs.txt" | sort -g | tail -n 1)
        printf '%9s %-20s %12s %9s %12s %9s   %s\n' "$n" "$rule" "$syn" "$setup" \
            "$(echo "$syn $setup" | awk '{ printf "%.3g", $1 / $2 }')" \
            "$(echo "$rss" | awk '{ printf "%.1f", $1 / 1024 }')" "$(awk '{ printf "%s ", $2 }' "$tmp/runs.txt")"
    done
done

[ "${BYTES:-1}" = 0 ] && exit 0
echo
echo "== bytes per synapse: N = 100000, fixed_indegree(100), peak RSS minus the unconnected network's =="
n=100000
model "$tmp/base.nrn" $n - ""
set -- $(measure "$tmp/base.nrn")
base=$3
echo "unconnected network: peak $(echo "$base" | awk '{ printf "%.1f", $1 / 1024 }') MiB"
variant() {     # NAME EXPECTED_B BODY [USING]
    model "$tmp/v.nrn" $n "fixed_indegree(100)" "$3" "${4:-}"
    set -- "$1" "$2" $(measure "$tmp/v.nrn")
    printf '%-44s %10s synapses  +%7.1f MiB  %6.2f B/synapse (runtime/conn.c: %s)\n' "$1" "$3" \
        "$(echo "$5 $base" | awk '{ print ($1 - $2) / 1024 }')" \
        "$(echo "$5 $base $3" | awk '{ print ($1 - $2) * 1024 / $3 }')" "$2"
}
variant "homogeneous weight and delay" "4 + 0.08 rows" "$homog"
variant "per-synapse weight (0.1 mV * rand())" "12 + 0.08" '        weight 0.1 mV * rand()
        delay  1 ms
        on_pre { post.v += w }'
variant "per-synapse delay (1 ms + 0.1 ms * rand())" "8 + 0.08" '        weight 0.1 mV
        delay  1 ms + 0.1 ms * rand()
        on_pre { post.v += w }'
variant "on_post (post-side index)" "16 + 0.16" '        weight 0.1 mV
        on_pre { post.v += w }
        on_post { pre.v += 0 mV }'
variant "synapse type: w, 2 (event) states, on_post" "4 + 4x8 + 12 + 0.16; the last-event times untouched until an event" '        weight 0.1 * rand()' "using Trace"
