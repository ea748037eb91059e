# bench/suite.sh's functions: the models, one function per tool that runs it RUNS times,
# and the report. Sourced by suite.sh, which sets: here root nrnc base runs models sizes
# dur neuron_dur icount tmp py hand_cc_s started quick cmdline.
#
# Every run appends one flat JSON line to $tmp/d/KEY.TOOL.jsonl (TOOL: nrnc1, nrnc2, hand,
# brian2, neuron) with the fields compile_s setup_s loop_s wall_s maxrss_kib rate_hz
# synapses cpu_s (and threads, bytes for nrnc; TOOL base: the --base nrnc); `nrnc build`
# times go to KEY.build.jsonl and callgrind counts of `nrnc build` to KEY.instr ("now base").

now() { date +%s.%N; }
elapsed() { echo "$1 $(now)" | awk '{ printf "%.4f", $2 - $1 }'; }
# field NAME: the number after "NAME": in the flat JSON line on stdin
field() { sed -n "s/.*\"$1\": *\([-0-9.eE+]*\).*/\1/p"; }
median() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) print "-"
        else if (NR % 2) print a[(NR + 1) / 2]
        else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# med KEY TOOL NAME: median of field NAME over the runs ("-" when there are none)
med() {
    f=$tmp/d/$1.$2.jsonl
    if [ -s "$f" ]; then field "$3" < "$f" | median; else echo -; fi
}
# sj FILE KEY: the first number after "KEY": in FILE; sjsum: the sum of all of them
sj() { grep -o "\"$2\": *[-0-9.eE+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
sjsum() { grep -o "\"$2\": *[0-9]*" "$1" | sed 's/.*: *//' | awk '{ s += $1 } END { print s + 0 }'; }
# ratio A B: A / B to 3 significant digits, "-" when either is missing
ratio() { echo "$1 $2" | awk '{ if ($1 == "-" || $2 == "-" || $2 == 0) print "-"; else printf "%.3g\n", $1 / $2 }'; }
# fmt X: seconds to 3 significant digits (4 below 0.1 s)
fmt() { echo "$1" | awk '{ if ($1 == "-") print "-"; else if ($1 < 0.1) printf "%.4f\n", $1; else printf "%.3g\n", $1 }'; }
mib() { echo "$1" | awk '{ if ($1 == "-") print "-"; else printf "%.1f\n", $1 / 1024 }'; }
# the JSON fields of /usr/bin/time -f '%M %U %S' -o $tmp/rss: peak memory, CPU time
rss_cpu() { tail -n 1 "$tmp/rss" | awk '{ printf "\"maxrss_kib\": %s, \"cpu_s\": %.2f", $1, $2 + $3 }'; }

# ---- models -------------------------------------------------------------------------------
write_models() {
    mkdir -p "$tmp/models/rate" "$tmp/d"
    for n in $sizes; do
        # bench/peers.sh's CUBA, spikes only (as the peers record)
        sed -e "s/param N_total = 4000/param N_total = $n/" -e 's|prob(0.02)|prob(80 / N_total)|' \
            -e '/record rate of/d' -e '/record v of/d' "$root/examples/cuba.nrn" > "$tmp/models/cuba_$n.nrn"
    done
    sed -e '/record rate of/d' -e '/record v of/d' "$root/examples/coba.nrn" > "$tmp/models/coba.nrn"
    sed -e '/record rate of/d' "$root/examples/brunel.nrn" > "$tmp/models/brunel.nrn"
    cat > "$tmp/models/hh.nrn" <<'EOF'
# 100,000 unconnected HH neurons (standard library, NEURON's hh.mod), constant currents
# from 5 to 15 uA/cm^2: pure ODE throughput.
import hh

network HHPop {
    population P = HH[100000]
    P.I_amp = 5 uA/cm^2 + 10 uA/cm^2 * i / 100000
    P.t_on  = 0 ms
    P.t_off = 10 s
    record spikes of P
}

simulate HHPop for 1 s dt 0.1 ms seed 1
EOF
    cat > "$tmp/models/noisy.nrn" <<'EOF'
# 100,000 unconnected LIF neurons driven by white noise: one Gaussian draw per neuron and
# step (Euler-Maruyama), i.e. random-number throughput.
neuron NoisyLIF {
    param tau_m   = 10 ms
    param v_rest  = -70 mV
    param v_th    = -50 mV
    param v_reset = -70 mV
    param mu      = 18 mV
    param sigma   = 5 mV
    param t_ref   = 2 ms
    state v = v_rest
    dv/dt = (-(v - v_rest) + mu) / tau_m + sigma * sqrt(2 / tau_m) * xi
    threshold v > v_th
    reset { v = v_reset }
    refractory t_ref hold v
}

network Noisy {
    population P = NoisyLIF[100000]
    P.v = uniform(-70 mV, -50 mV)
    record spikes of P
}

simulate Noisy for 1 s dt 0.1 ms seed 1
EOF
    "$py" -c 'import numpy as np
n = 2000
W = np.random.default_rng(1).normal(0, 0.9 / np.sqrt(n), (n, n))
np.save("'"$tmp"'/models/rate/W.npy", W)' 2> /dev/null || echo "rate: numpy missing for $py: the rate model will fail"
    cat > "$tmp/models/rate/rate.nrn" <<'EOF'
# examples/rate_network.nrn at 2,000 units: a dense 2,000 x 2,000 matrix (normal, sd
# 0.9 / sqrt(2000)), i.e. one matrix-vector product per step.
neuron RateUnit {
    param tau = 10 ms
    param I_ext = 0
    state r = 0
    input h
    dr/dt = (-r + tanh(h + I_ext)) / tau
}

network Rates {
    population L = RateUnit[2000]
    L.I_ext = 0.5 * sin(1.7 * i)
    connect L -> L {
        weight file "W.npy"
        summed post.h = w * pre.r
    }
    record r of L[0:10] every 10 ms
}

simulate Rates for 1 s dt 0.1 ms seed 1
EOF
}

# ---- nrnc ----------------------------------------------------------------------------------
# KEY MODEL THREADS [NRNC TOOL DURATION]: appends to KEY.TOOL.jsonl (default nrncTHREADS)
nrnc_once() {
    o=$tmp/o c=${4:-$nrnc} tool=${5:-nrnc$3} d=${6:-${dur}s}
    t0=$(now)
    if ! /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$c" run "$2" --out "$o" --quiet --seed 1 \
            --threads "$3" --duration "$d" 2> "$tmp/err"; then
        cat "$tmp/err" >&2
        echo "nrnc: failed on $2" >&2
        exit 1
    fi
    wall=$(elapsed "$t0")
    s=$o/summary.json
    line=$(printf '{"compile_s": %s, "setup_s": %s, "loop_s": %s, "wall_s": %s, %s, "rate_hz": %s, "synapses": %s, "threads": %s, "bytes": %s}' \
        "$(sj "$s" compile)" "$(sj "$s" setup)" "$(sj "$s" run)" "$wall" "$(rss_cpu)" \
        "$(echo "$(sjsum "$s" spikes) $(sjsum "$s" size)" | awk -v d="$dur" '{ printf "%.4f", $2 ? $1 / $2 / d : 0 }')" \
        "$(sj "$s" synapses)" "$(sj "$s" threads)" "$(sjsum "$s" bytes)")
    echo "$line" >> "$tmp/d/$1.$tool.jsonl"
    echo "$tool $1: $line"
}

build_once() {  # KEY MODEL: nrnc build, text to executable
    t0=$(now)
    "$nrnc" build "$2" -o "$tmp/sim" --quiet > /dev/null 2>&1 || { echo "nrnc build failed on $2" >&2; exit 1; }
    echo "{\"build_s\": $(elapsed "$t0")}" >> "$tmp/d/$1.build.jsonl"
}

# instructions KEY MODEL: callgrind's instruction count of `nrnc build` (parse to linked
# executable) with this nrnc and with --base, in KEY.instr ("now base"). The simulators
# themselves cannot be counted here: perf has no hardware counters on this machine and
# valgrind does not decode the AVX-512 code that nrnc generates for the host CPU.
instructions() {
    counts=
    for c in "$nrnc" ${base:+"$base"}; do
        if valgrind --tool=callgrind --callgrind-out-file=/dev/null "$c" build "$2" -o "$tmp/sim" \
                --quiet > /dev/null 2> "$tmp/cg.err"; then
            counts="$counts $(sed -n 's/.*Collected : *//p' "$tmp/cg.err")"
        else
            counts="$counts -"
        fi
    done
    [ -n "$base" ] || counts="$counts -"
    echo "$counts" > "$tmp/d/$1.instr"
    echo "instructions of nrnc build $1 (now, base):$counts"
}

# KEY MODEL: --threads 1 and 2, nrnc build, and --base (for the models with figures
# from before the suite), interleaved so that the machine's load falls on all alike
nrnc_all() {
    with_base=0
    if [ -n "$base" ] && before_figures | grep -q "^$1 "; then with_base=1; fi
    r=0
    while [ $r -lt "$runs" ]; do
        nrnc_once "$1" "$2" 1
        nrnc_once "$1" "$2" 2
        build_once "$1" "$2"
        if [ $with_base = 1 ]; then nrnc_once "$1" "$2" 1 "$base" base; fi
        # one step: the CPU time of everything but the loop
        nrnc_once "$1" "$2" 1 "$nrnc" nrnc0 0.1ms
        r=$((r + 1))
    done
    case $1 in
    cuba_4000|brunel) if [ "$icount" = 1 ]; then instructions "$1" "$2"; fi ;;
    esac
}

# ---- peers ----------------------------------------------------------------------------------
hand_all() {    # KEY N
    r=0
    while [ $r -lt "$runs" ]; do
        t0=$(now)
        /usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$tmp/cuba_hand" "$2" 1 "$dur" > "$tmp/hand.out"
        wall=$(elapsed "$t0")
        sed "s/}\$/, \"wall_s\": $wall, $(rss_cpu), \"compile_s\": $hand_cc_s}/" \
            "$tmp/hand.out" | tee -a "$tmp/d/$1.hand.jsonl" | sed 's/^/cuba_hand: /'
        r=$((r + 1))
    done
}

brian2_all() {  # KEY MODEL N: built once, the binary run RUNS times
    if ! PYTHONWARNINGS=ignore "$py" "$here/suite_brian2.py" "$2" "$3" 1 "$dur" --runs "$runs" \
            > "$tmp/b2.out" 2> "$tmp/b2.err"; then
        tail -n 20 "$tmp/b2.err" >&2
        echo "brian2: failed on $2 (left out of the tables)"
        return 0
    fi
    # whole = the script's time to the end of the first run (import, build, run)
    grep '^{' "$tmp/b2.out" | sed 's/"build_s"/"compile_s"/; s/"total_s"/"wall_s"/' \
        | tee -a "$tmp/d/$1.brian2.jsonl" | sed 's/^/brian2: /'
}

neuron_all() {  # KEY N: NEURON for neuron_dur s; the loop scaled to dur
    r=0
    while [ $r -lt "$runs" ]; do
        if ! "$py" "$here/hh_neuron.py" "$2" "$neuron_dur" > "$tmp/nrn.out" 2> "$tmp/nrn.err"; then
            tail -n 20 "$tmp/nrn.err" >&2
            echo "neuron: failed (left out of the tables)"
            return 0
        fi
        line=$(grep '^{' "$tmp/nrn.out")
        loop=$(echo "$line" | field loop_s)
        setup=$(echo "$line" | field setup_s)
        scaled=$(echo "$loop $dur $neuron_dur" | awk '{ printf "%.4f", $1 * $2 / $3 }')
        echo "$line" | sed "s/\"loop_s\": [-0-9.eE+]*/\"loop_s\": $scaled, \"loop_measured_s\": $loop/; s/}\$/, \"wall_s\": $(echo "$setup $scaled" | awk '{ print $1 + $2 }')}/" \
            | tee -a "$tmp/d/$1.neuron.jsonl" | sed 's/^/neuron: /'
        r=$((r + 1))
    done
}

# ---- report ------------------------------------------------------------------------------
count() { echo "$1" | awk '{ if ($1 == "-" || $1 == "") { print "-"; exit } s = sprintf("%d", $1); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
title() {
    case $1 in
    cuba_*) echo "CUBA, N = $(count "${1#cuba_}") (p = 80 / N)" ;;
    coba) echo "COBA, 4,000 neurons (examples/coba.nrn)" ;;
    brunel) echo "Brunel (2000) AI, 12,500 neurons (examples/brunel.nrn, BrunelAI)" ;;
    hh) echo "100,000 unconnected Hodgkin-Huxley neurons" ;;
    noisy) echo "100,000 noisy LIF neurons (white noise, Euler-Maruyama)" ;;
    rate) echo "2,000 rate units, dense 2,000 x 2,000 weights" ;;
    esac
}
keys() {
    for m in $models; do
        if [ "$m" = cuba ]; then for n in $sizes; do echo "cuba_$n"; done; else echo "$m"; fi
    done
}
# loop_cpu KEY TOOL: the loop's CPU time: nrnc, the process's CPU time less that of a
# one-step run; hand C, less its set-up; Brian2, its loop timer (std::clock); "-" below
# 0.05 s, since /usr/bin/time gives CPU time in hundredths of a second
loop_cpu() {
    case $2 in
    nrnc1|nrnc2|base) echo "$(med "$1" "$2" cpu_s) $(med "$1" nrnc0 cpu_s)" | awk '{ if ($1 == "-" || $2 == "-" || $1 - $2 < 0.05) print "-"; else printf "%.2f\n", $1 - $2 }' ;;
    hand) echo "$(med "$1" hand cpu_s) $(med "$1" hand setup_s)" | awk '{ if ($1 == "-" || $1 - $2 < 0.05) print "-"; else printf "%.2f\n", $1 - $2 }' ;;
    brian2) fmt "$(med "$1" brian2 loop_s)" ;;
    *) echo - ;;
    esac
}
row() {         # KEY TOOL LABEL
    [ -s "$tmp/d/$1.$2.jsonl" ] || return 0
    l1=$(med "$1" nrnc1 loop_s) w1=$(med "$1" nrnc1 wall_s) c1=$(loop_cpu "$1" nrnc1)
    l=$(med "$1" "$2" loop_s) w=$(med "$1" "$2" wall_s) c=$(loop_cpu "$1" "$2")
    echo "| $3 | $(fmt "$(med "$1" "$2" compile_s)") | $(fmt "$(med "$1" "$2" setup_s)") | $(fmt "$l") | $(fmt "$w") | $(fmt "$(med "$1" "$2" cpu_s)") | $c | $(mib "$(med "$1" "$2" maxrss_kib)") | $(med "$1" "$2" rate_hz) | $(count "$(med "$1" "$2" synapses)") | $(ratio "$l" "$l1") | $(ratio "$w" "$w1") | $(ratio "$c" "$c1") |"
}
model_table() { # KEY
    k=$1
    nr=$(wc -l < "$tmp/d/$k.nrnc1.jsonl" 2> /dev/null || echo 0)
    echo "### $(title "$k"): medians of $nr run(s)"
    echo
    echo "| tool | compile | set-up | loop | whole process | CPU time | loop, CPU time | peak memory (MiB) | rate (Hz) | synapses | loop ÷ nrnc 1 thread | whole ÷ nrnc 1 thread | loop CPU ÷ nrnc 1 thread |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    row "$k" nrnc1 "nrnc --threads 1"
    row "$k" nrnc2 "nrnc --threads 2 (ran on $(med "$k" nrnc2 threads))"
    row "$k" base "nrnc --base ($base_rev), 1 thread"
    row "$k" hand "hand-written C (cuba_hand.c)"
    row "$k" brian2 "Brian2 standalone, 1 thread"
    row "$k" neuron "NEURON 8.2 (loop scaled from ${neuron_dur} s)"
    echo
    l1=$(med "$k" nrnc1 loop_s) l2=$(med "$k" nrnc2 loop_s)
    syn=$(med "$k" nrnc1 synapses) bytes=$(med "$k" nrnc1 bytes)
    printf '%s' "\`nrnc build\` (text to executable, link included): $(fmt "$(med "$k" build build_s)") s. "
    printf '%s' "--threads 2 ÷ --threads 1: loop $(ratio "$l1" "$l2")× faster, whole $(ratio "$(med "$k" nrnc1 wall_s)" "$(med "$k" nrnc2 wall_s)")×."
    if [ "$syn" != - ] && [ "$syn" != 0 ]; then
        printf '%s' " Synapses stored: $(count "$bytes") bytes, $(echo "$bytes $syn" | awk '{ printf "%.3f", $1 / $2 }') B per synapse."
    fi
    echo
    echo
}
target() { echo "| $1 | $2 | $3 |"; }
# yes_if COND_AWK A B: "met" when awk's condition on a and b holds, "not met" else, "-" if missing
yes_if() { echo "$2 $3" | awk "{ if (\$1 == \"-\" || \$2 == \"-\") print \"not measured\"; else { a = \$1; b = \$2; print ($1) ? \"**met**\" : \"**not met**\" } }"; }
targets() {
    echo "| target | measured | |"
    echo "| --- | --- | --- |"
    for n in $sizes; do
        k=cuba_$n
        [ -s "$tmp/d/$k.nrnc1.jsonl" ] || continue
        r=$(ratio "$(med "$k" nrnc1 loop_s)" "$(med "$k" hand loop_s)")
        rc=$(ratio "$(loop_cpu "$k" nrnc1)" "$(loop_cpu "$k" hand)")
        target "CUBA $(count "$n"): loop (1 thread) within 1.1× of the hand-written C" "$r× (CPU time: $rc×)" "$(yes_if 'a <= b' "$r" 1.1)"
    done
    for n in $sizes; do
        k=cuba_$n
        [ -s "$tmp/d/$k.nrnc1.jsonl" ] || continue
        r=$(ratio "$(med "$k" brian2 loop_s)" "$(med "$k" nrnc1 loop_s)")
        rc=$(ratio "$(loop_cpu "$k" brian2)" "$(loop_cpu "$k" nrnc1)")
        target "CUBA $(count "$n"): loop (1 thread) ≥ 2.5× faster than Brian2 standalone" "$r× (Brian2's CPU-time loop ÷ nrnc's wall loop; CPU ÷ CPU: $rc×)" "$(yes_if 'a >= b' "$r" 2.5)"
    done
    if [ -s "$tmp/d/cuba_4000.nrnc1.jsonl" ]; then
        w=$(med cuba_4000 nrnc1 wall_s)
        target "CUBA 4,000: whole \`nrnc run\` under 0.15 s ($dur s simulated)" "$(fmt "$w") s" "$(yes_if 'a < b' "$w" 0.15)"
        b=$(med cuba_4000 build build_s)
        target "CUBA 4,000: \`nrnc build\`, link included, under 1 s" "$(fmt "$b") s" "$(yes_if 'a < b' "$b" 1)"
    fi
    for k in cuba_64000 brunel; do
        [ -s "$tmp/d/$k.nrnc1.jsonl" ] || continue
        r=$(ratio "$(med "$k" nrnc1 loop_s)" "$(med "$k" nrnc2 loop_s)")
        target "$(title "$k" | sed 's/ (.*//'): --threads 2 ≥ 1.7× faster than --threads 1 (loop)" "$r× (summary.json: ran on $(med "$k" nrnc2 threads) thread)" "$(yes_if 'a >= b' "$r" 1.7)"
    done
    for k in $(keys); do
        case $k in cuba_*|coba|brunel) ;; *) continue ;; esac
        syn=$(med "$k" nrnc1 synapses) bytes=$(med "$k" nrnc1 bytes)
        [ "$syn" != - ] || continue
        beyond=$(echo "$bytes $syn" | awk '{ printf "%.3f", $1 / $2 - 4 }')
        target "$(title "$k" | sed 's/ (.*//'): homogeneous weight and delay ≤ 4 B per synapse beyond the 4-B index (summary.json bytes)" "$(echo "$bytes $syn" | awk '{ printf "%.3f", $1 / $2 }') B per synapse, $beyond beyond the index" "$(yes_if 'a <= b' "$beyond" 4)"
    done
}
instr_table() {
    echo "| model | \`nrnc build\` now | \`nrnc build\`, --base | now ÷ base |"
    echo "| --- | --- | --- | --- |"
    for k in $(keys); do
        [ -s "$tmp/d/$k.instr" ] || continue
        set -- $(cat "$tmp/d/$k.instr")
        echo "| $(title "$k" | sed 's/ (.*//') | $(count "$1") | $(count "$2") | $(ratio "$1" "$2") |"
    done
}
# The figures of bench/README.md ("Measured") and docs/networks.md (sections 12, 13):
# KEY TOOL FIELD BEFORE WHERE
before_figures() {
    cat <<'EOF'
cuba_4000 nrnc1 loop_s 0.0277 README/peers.sh
cuba_4000 nrnc1 setup_s 0.0099 README/peers.sh
cuba_4000 nrnc1 compile_s 0.073 README/peers.sh
cuba_4000 nrnc1 wall_s 0.130 README/peers.sh
cuba_4000 hand loop_s 0.0217 README/peers.sh
cuba_4000 brian2 loop_s 0.0708 README/peers.sh
cuba_16000 nrnc1 loop_s 0.115 README/peers.sh
cuba_16000 nrnc1 setup_s 0.043 README/peers.sh
cuba_16000 nrnc1 wall_s 0.252 README/peers.sh
cuba_16000 hand loop_s 0.0943 README/peers.sh
cuba_16000 brian2 loop_s 0.288 README/peers.sh
cuba_64000 nrnc1 loop_s 0.706 README/peers.sh
cuba_64000 nrnc1 setup_s 0.182 README/peers.sh
cuba_64000 nrnc1 wall_s 0.986 README/peers.sh
cuba_64000 hand loop_s 0.596 README/peers.sh
cuba_64000 brian2 loop_s 1.484 README/peers.sh
brunel nrnc1 setup_s 0.45 docs/networks.md§12
brunel nrnc1 loop_s 5.85 docs/networks.md§12
coba nrnc1 loop_s 0.54 docs/networks.md§12 ("the run took")
EOF
}
moved_table() {
    echo "| figure | before | now | change | --base now | now ÷ --base now | CPU time now ÷ --base now |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    before_figures | while read -r k tool f old where; do
        [ -s "$tmp/d/$k.$tool.jsonl" ] || continue
        new=$(med "$k" "$tool" "$f")
        chg=$(echo "$new $old" | awk '{ printf "%+.0f%%", ($1 / $2 - 1) * 100 }')
        b=- r=- rc=-
        if [ "$tool" = nrnc1 ]; then
            b=$(med "$k" base "$f")
            r=$(ratio "$new" "$b")
            rc=$(ratio "$(med "$k" nrnc1 cpu_s)" "$(med "$k" base cpu_s)")
        fi
        echo "| $(title "$k" | sed 's/ (.*//'), $tool $f ($where) | $old | $(fmt "$new") | $chg | $(fmt "$b") | $r | $rc |"
    done
}
write_report() {
    echo "# Benchmark results"
    echo
    if [ -n "$report_from" ]; then
        echo "Written by \`bench/suite.sh${cmdline:+ $cmdline}\` from the measurements of the run \`$(cat "$tmp/d/command" 2> /dev/null)\`"
        echo "($(sed 's/, load average.*//' "$tmp/d/when")); see bench/README.md."
    else
        echo "Written by \`bench/suite.sh${cmdline:+ $cmdline}\` ($(sed 's/, load average.*//' "$tmp/d/when")); see bench/README.md."
    fi
    echo "Machine: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p'), $(nproc) cores"
    echo "($(sed -n 's/.*\(load average.*\)/\1/p' "$tmp/d/when"): a load above the core count means other jobs shared"
    echo "the machine and wall times are noisy). Every figure is the median of $runs runs ($heavy_runs for hh, noisy"
    echo "and rate); CPU time and the same-run comparison with an older nrnc (--base) are steadier than wall time."
    echo "nrnc $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD -- compiler runtime 2>/dev/null || echo ' (modified)'), $("${CC:-cc}" --version | head -n 1),"
    echo "Brian2 $("$py" -c 'import brian2; print(brian2.__version__)' 2>/dev/null || echo 'not installed'), NEURON $("$py" -c 'import neuron; print(neuron.__version__)' 2>/dev/null | tail -n 1 || echo 'not installed')."
    echo "Simulated time: $dur s at dt 0.1 ms$( [ "$quick" = 1 ] && echo ' (--quick: not comparable with the targets)')."
    echo
    echo "Columns: compile = model text to runnable (nrnc: summary.json timing_s.compile, the"
    echo "in-memory JIT; hand C: \`cc -O3\`; Brian2: import, code generation and C++ build);"
    echo "set-up = connectivity and initial values (Brian2: binary wall time − its loop);"
    echo "loop = the simulation loop (nrnc: timing_s.run; hand C: CLOCK_MONOTONIC; Brian2: its"
    echo "Network::run timer, std::clock CPU time; NEURON: psolve wall time); whole = wall time of"
    echo "the process (Brian2: its whole script, build included; NEURON: set-up + scaled loop);"
    echo "peak memory = maximum resident set size (Brian2: the compiled binary alone). Ratios"
    echo "above 1 mean nrnc on one thread is faster."
    echo
    echo "## Tables"
    echo
    for k in $(keys); do model_table "$k"; done
    echo "## Targets"
    echo
    targets
    echo
    echo "## Instruction counts"
    echo
    echo "\`perf stat -e instructions\` reports <not supported> on this machine (no hardware counters in"
    echo "the VM), and valgrind cannot run nrnc's simulators (it does not decode the AVX-512 code"
    echo "nrnc generates for the host CPU), so the drift-free counts cover \`nrnc build\` (parse"
    echo "to linked executable; \`valgrind --tool=callgrind\`, one run)${base:+, now and with --base = $base ($base_rev)}."
    echo "For the loops, the same-run comparison with --base and the CPU time (user + sys) stand in."
    echo
    if [ "$icount" = 1 ]; then instr_table; else echo "(not measured: --no-icount or --quick)"; fi
    echo
    if [ "$dur" = 1 ]; then
        echo "## Against the figures in bench/README.md and docs/networks.md"
        echo
        moved_table
        echo
    fi
    if [ -s "$here/results_notes.md" ]; then cat "$here/results_notes.md"; fi
}
plot_points() {
    echo "series,n,loop_per_s"
    for n in $sizes; do
        for t in "nrnc1:nrnc 1 thread" "nrnc2:nrnc 2 threads" "hand:hand C" "brian2:Brian2 (CPU time)"; do
            l=$(med "cuba_$n" "${t%%:*}" loop_s)
            [ "$l" = - ] || echo "${t#*:},$n,$(echo "$l" | awk -v d="$dur" '{ print $1 / d }')"
        done
    done
}
