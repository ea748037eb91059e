# Compile time grows with the code that runs, not with declarations (bench/compile_scaling.sh
# has the timings). Checked by counting, not timing: the optimised LLVM module of a neuron
# with 10,000 params of which it reads one is exactly as large as with 1,000 (params with
# constant values are set from a table, and code only loads the params it reads); a network
# of 100 populations of one model, each with its own param values, has the same
# functions as a network of 10: one init, one integrate, one fire (ir_share.c; constant
# param values are data in the run description);
# 50 connect statements that differ only in their targets and weights have one on_pre
# function; a chain of 200 coupled exact states has code in proportion to 200, not to
# 200²/2.
# The values still reach each population: a param in the middle of the table, with and
# without --set (JIT and a built simulator), and each population's own drive, against
# the closed form v(t) = v0 + I (1 - exp(-t / tau)).
. "$(dirname "$0")/../lib.sh"
cd "$WORK"

params() {   # N: N params p0 .. p{N-1} = k uV; dv/dt reads only p{N/2}
    awk -v n="$1" 'BEGIN {
        print "neuron Many {"
        for (k = 0; k < n; k++) printf "    param p%d = %d uV\n", k, k
        print "    param tau = 10 ms"
        print "    state v = 0 mV"
        printf "    dv/dt = (p%d - v) / tau\n", n / 2
        print "    threshold v > 100 mV"
        print "    reset { v = 0 mV }"
        print "}"
        print "network Net {"
        print "    population A = Many[4]"
        print "    record v of A[0:1] every 1 ms"
        print "}"
        print "simulate Net for 1 ms"
    }'
}
pops() {   # P: P populations of a LIF, population k driven by I = k mV
    awk -v n="$1" 'BEGIN {
        print "neuron LIF {"
        print "    param tau = 10 ms"
        print "    param I = 0 mV"
        print "    state v = -70 mV"
        print "    dv/dt = (-70 mV - v + I) / tau"
        print "    threshold v > -50 mV"
        print "    reset { v = -70 mV }"
        print "    refractory 2 ms hold v"
        print "}"
        print "network Net {"
        for (k = 0; k < n; k++) printf "    population P%d = LIF[3](I = %d mV)\n", k, k % 20
        print "    record v of P7 every 1 ms"
        print "    record v of P3 every 1 ms"
        print "}"
        print "simulate Net for 2 ms"
    }'
}
chain() {   # K: K linear states in a chain, x0 driven by I, solved exactly; x5, x20, x29 recorded
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
        print "    population A = Chain[2]"
        if (n >= 30) print "    record x5 of A every 100 ms\n    record x20 of A every 100 ms\n    record x29 of A every 100 ms"
        print "}"
        print "simulate Net for 200 ms"
    }'
}
connects() {   # C: a spike at 1 ms from S, C connect statements onto T0 .. T{C-1}, weight k mod 5 + 1 mV
    awk -v n="$1" 'BEGIN {
        print "neuron Acc {"
        print "    state v = 0 mV"
        print "}"
        print "network Net {"
        print "    population S = spike_source[1](times = [[1 ms]])"
        for (k = 0; k < n; k++) printf "    population T%d = Acc[2]\n", k
        for (k = 0; k < n; k++) {
            printf "    connect S -> T%d {\n", k
            printf "        weight %d mV\n", k % 5 + 1
            print "        on_pre { post.v += w }"
            print "    }"
        }
        print "    record v of T3 every 1 ms"
        print "    record v of T9 every 1 ms"
        print "}"
        print "simulate Net for 2 ms"
    }'
}
# counts KIND FILE.ll: instructions (inside function bodies), globals, functions
count() {
    awk -v kind="$1" '
        /^define/ { body = 1; defs++; next }
        /^}/ { body = 0; next }
        body && /^  [^ ]/ { ins++ }
        /^@/ { globals++ }
        END { print kind == "ins" ? ins + 0 : kind == "globals" ? globals + 0 : defs + 0 }' "$2"
}

params 1000 > p1k.nrn
params 10000 > p10k.nrn
"$NRNC" emit llvm p1k.nrn -o p1k.ll
"$NRNC" emit llvm p10k.nrn -o p10k.ll
for kind in ins globals defs; do
    a=$(count $kind p1k.ll); b=$(count $kind p10k.ll)
    [ "$a" = "$b" ] || fail "LLVM $kind grows with unused params: $a with 1,000, $b with 10,000"
done
[ "$(count ins p10k.ll)" -lt 1000 ] || fail "$(count ins p10k.ll) instructions for a one-state neuron"

pops 10 > n10.nrn
pops 100 > n100.nrn
"$NRNC" emit llvm n10.nrn -o n10.ll
"$NRNC" emit llvm n100.nrn -o n100.ll
for f in n10 n100; do
    [ "$(grep -c '^define.*@nrn_integrate_' $f.ll)" = 1 ] || fail "$f: more than one integrate function"
    [ "$(grep -c '^define.*@nrn_fire_' $f.ll)" = 1 ] || fail "$f: more than one fire function"
done
for kind in ins defs; do
    a=$(count $kind n10.ll); b=$(count $kind n100.ll)
    [ "$a" = "$b" ] || fail "LLVM $kind grows with populations of one model: $a for 10, $b for 100"
done

# one set of event functions for many connect statements of the same code; conn_init
# differs only by the constant weight it stores (5 values)
connects 50 > k50.nrn
"$NRNC" emit llvm k50.nrn -o k50.ll
[ "$(grep -c '^define.*@nrn_conn_pre_[0-9]' k50.ll)" = 1 ] || fail "50 connect statements: more than one on_pre function"
# (and no piece code: no population is large enough to be stepped in pieces)
[ "$(grep -c '^define.*@nrn_conn_pre_piece_' k50.ll)" = 0 ] || fail "50 connect statements of small populations: piece code"
[ "$(grep -c '^define.*@nrn_conn_init_' k50.ll)" = 5 ] || fail "50 connect statements: not 5 conn_init functions"
"$NRNC" run k50.nrn --out conns --quiet
awk -F, 'NR > 1 && $1 + 0 == 2 && $2 == 4 && $3 == 4 { ok = 1 } END { exit !ok }' conns/trace_T3_v.csv ||
    fail "T3 (weight 4 mV) after the spike: $(tail -1 conns/trace_T3_v.csv)"
awk -F, 'NR > 1 && $1 + 0 == 2 && $2 == 5 && $3 == 5 { ok = 1 } END { exit !ok }' conns/trace_T9_v.csv ||
    fail "T9 (weight 5 mV) after the spike: $(tail -1 conns/trace_T9_v.csv)"

# a coupled exact system of K states: LLVM code in proportion to K, not to its K²/2
# propagator products (cg_method.c computes large ones by loops over a table)
chain 100 > c100.nrn
chain 200 > c200.nrn
"$NRNC" emit llvm c100.nrn -o c100.ll
"$NRNC" emit llvm c200.nrn -o c200.ll
i100=$(count ins c100.ll); i200=$(count ins c200.ll)
[ $((i200 - i100)) -le $((100 * 40)) ] || fail "instructions: $i100 for a chain of 100 states, $i200 for 200"

# v after 1 ms (column 2 of the last row), in mV, against v0 + I (1 - exp(-t/tau))
check_v() {   # FILE V0_MV I_MV T_MS WHAT
    awk -F, -v v0="$2" -v I="$3" -v t="$4" -v what="$5" '
        NR > 1 && $1 + 0 == t { got = $2; found = 1 }
        END {
            want = v0 + I * (1 - exp(-t / 10))
            if (!found || (got - want) ^ 2 > 1e-16) { printf "%s: v(%g ms) = %s mV, expected %.12g\n", what, t, got, want; exit 1 }
        }' "$1" || fail "$5"
}
"$NRNC" run p10k.nrn --out jit --quiet
check_v jit/trace_A_v.csv 0 5 1 "10,000 params, declared value"
"$NRNC" run p10k.nrn --out jitset --quiet --set A.p5000=2mV
check_v jitset/trace_A_v.csv 0 2 1 "10,000 params, --set"
"$NRNC" build p10k.nrn -o p10k.sim
./p10k.sim --out aot --quiet
check_v aot/trace_A_v.csv 0 5 1 "built simulator, declared value"
./p10k.sim --out aotset --quiet --set A.p5000=3000uV
check_v aotset/trace_A_v.csv 0 3 1 "built simulator, --set"
"$NRNC" run n100.nrn --out net --quiet
check_v net/trace_P7_v.csv -70 7 2 "population P7 of 100"
check_v net/trace_P3_v.csv -70 3 2 "population P3 of 100"
# the chain of 30 (435 products: the loop form) against its closed form, the regularised
# incomplete gamma function: x_k(t) = I (1 - exp(-s) sum_{j<=k} s^j / j!), s = t / tau;
# tolerance 1e-9 relative: 2,000 steps of a propagator exact to rounding
chain 30 > c30.nrn
"$NRNC" run c30.nrn --out chain --quiet
for k in 5 20 29; do
    awk -F, -v k=$k 'NR > 1 && $1 + 0 == 200 { got = $2; found = 1 }
        END {
            s = 20; term = 1; sum = 1
            for (j = 1; j <= k; j++) { term *= s / j; sum += term }
            want = 1 - exp(-s) * sum
            if (!found || (got - want) ^ 2 > (1e-9 * want) ^ 2) { printf "x%d(200 ms) = %s mV, expected %.15g\n", k, got, want; exit 1 }
        }' chain/trace_A_x$k.csv || fail "chain of 30 exact states: x$k"
done
echo ok
