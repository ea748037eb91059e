# Connection rules: counts and structure of the synapse table, read from `record w of C`
# at t = 0 (one row per synapse) and summary.json's "synapses". prob(p) gives a binomial
# total; fixed_indegree/fixed_outdegree give exact, distinct degrees; one_to_one pairs
# i -> i; allow_self false excludes pre == post; several sources and targets index the
# concatenated populations; the same seed reproduces the table byte for byte.
. "$(dirname "$0")/../lib.sh"
cat > "$WORK/rules.nrn" <<'NRN'
neuron Cnt {
    state v = 0 mV
}
network Rules {
    population A  = Cnt[400]
    population B  = Cnt[500]
    population F1 = Cnt[30]
    population F2 = Cnt[40]
    population O1 = Cnt[25]
    population O2 = Cnt[35]
    population X1 = Cnt[10]
    population X2 = Cnt[10]
    population S  = Cnt[6]
    population Q  = Cnt[50]
    population R  = Cnt[8]
    population MA = Cnt[5]
    population MB = Cnt[5]
    population MC = Cnt[60]
    population MD = Cnt[40]
    connect A -> B as P      { rule prob(0.1) }
    connect F1 -> F2 as IND  { rule fixed_indegree(7) }
    connect O1 -> O2 as OUTD { rule fixed_outdegree(5) }
    connect X1 -> X2 as ONE  { rule one_to_one }
    connect S -> S as ALL    { rule all allow_self false }
    connect Q -> Q as NOSELF { rule fixed_indegree(10) allow_self false }
    connect R -> R as FULL   { rule fixed_indegree(7) allow_self false }
    connect MA, MB -> MC, MD as MULTI { rule fixed_indegree(3) }
    record w of P every 1 ms
    record w of IND every 1 ms
    record w of OUTD every 1 ms
    record w of ONE every 1 ms
    record w of ALL every 1 ms
    record w of NOSELF every 1 ms
    record w of FULL every 1 ms
    record w of MULTI every 1 ms
}
simulate Rules for 0.1 ms seed 7
NRN
"$NRNC" run "$WORK/rules.nrn" --out "$WORK/out" --quiet
O=$WORK/out
for c in P IND OUTD ONE ALL NOSELF FULL MULTI; do
    head -1 "$O/weights_${c}_w.csv" | grep -qx 't_ms,pre,post,value' || fail "weights_${c}_w.csv header"
    # only the t = 0 sample (every 1 ms over a 0.1 ms run), every weight the default 1
    awk -F, 'NR > 1 && ($1 != 0 || $4 != 1) { bad = 1 } END { exit bad }' "$O/weights_${c}_w.csv" ||
        fail "$c: a row not at t = 0 or a weight other than 1"
done

# check_table FILE NPRE NPOST: indices in range, no duplicate pair; prints the row count
check_table() {
    awk -F, -v np="$2" -v nq="$3" '
        NR == 1 { next }
        $2 !~ /^[0-9]+$/ || $3 !~ /^[0-9]+$/ || $2 >= np || $3 >= nq { print "bad index: " $0 > "/dev/stderr"; bad = 1 }
        seen[$2 "," $3]++ { print "duplicate synapse: " $0 > "/dev/stderr"; bad = 1 }
        { n++ }
        END { if (bad) exit 1; print n + 0 }' "$1"
}

# --- prob(0.1), 400 -> 500: total ~ Binomial(200000, 0.1)
n=$(check_table "$O/weights_P_w.csv" 400 500) || fail "prob: bad table"
nP=$n
awk -v n="$n" 'BEGIN { m = 200000 * 0.1; sd = sqrt(200000 * 0.1 * 0.9)
    printf "prob(0.1): %d synapses, expected %g +- %.1f (z = %.2f)\n", n, m, sd, (n - m) / sd
    exit !((n - m) ^ 2 < (4 * sd) ^ 2) }' || fail "prob(0.1): total $n not within 4 sd of 20000"
# per-target in-degrees ~ Binomial(400, 0.1): mean 40, variance 36; per-source out-degrees
# ~ Binomial(500, 0.1): mean 50, variance 45 (sample variance of 500 resp. 400 values, whose
# standard error is about var * sqrt(2 / (n - 1)): 4 of them allowed)
awk -F, 'NR > 1 { in_[$3]++; out[$2]++ }
    function stats(arr, n, mu, v, lbl,   k, s, ss, m, var, sem, sev) {
        for (k = 0; k < n; k++) { s += arr[k]; ss += arr[k] * arr[k] }
        m = s / n; var = (ss - n * m * m) / (n - 1)
        sem = sqrt(v / n); sev = v * sqrt(2 / (n - 1))
        printf "  %s: mean %.3f (expected %g +- %.3f), variance %.2f (expected %g +- %.2f)\n", lbl, m, mu, sem, var, v, sev
        if ((m - mu) ^ 2 >= (4 * sem) ^ 2 || (var - v) ^ 2 >= (4 * sev) ^ 2) bad = 1
    }
    END { stats(in_, 500, 40, 36, "in-degree"); stats(out, 400, 50, 45, "out-degree"); exit bad }' \
    "$O/weights_P_w.csv" || fail "prob(0.1): per-target or per-source degrees implausible"

# --- fixed_indegree(7), 30 -> 40: every target exactly 7 distinct sources
n=$(check_table "$O/weights_IND_w.csv" 30 40) || fail "fixed_indegree: bad table"
[ "$n" = 280 ] || fail "fixed_indegree(7) onto 40: $n synapses, expected 280"
awk -F, 'NR > 1 { d[$3]++ } END { for (k = 0; k < 40; k++) if (d[k] != 7) { print "target " k ": " d[k] + 0; bad = 1 } exit bad }' \
    "$O/weights_IND_w.csv" || fail "fixed_indegree(7): a target without exactly 7 sources"

# --- fixed_outdegree(5), 25 -> 35: every source exactly 5 distinct targets
n=$(check_table "$O/weights_OUTD_w.csv" 25 35) || fail "fixed_outdegree: bad table"
[ "$n" = 125 ] || fail "fixed_outdegree(5) from 25: $n synapses, expected 125"
awk -F, 'NR > 1 { d[$2]++ } END { for (k = 0; k < 25; k++) if (d[k] != 5) { print "source " k ": " d[k] + 0; bad = 1 } exit bad }' \
    "$O/weights_OUTD_w.csv" || fail "fixed_outdegree(5): a source without exactly 5 targets"

# --- one_to_one, 10 -> 10: exactly i -> i
printf 't_ms,pre,post,value\n' > "$WORK/one_want"
for k in 0 1 2 3 4 5 6 7 8 9; do printf '0,%d,%d,1\n' $k $k >> "$WORK/one_want"; done
diff -u "$WORK/one_want" "$O/weights_ONE_w.csv" || fail "one_to_one is not exactly pre i -> post i"

# --- all, allow_self false, one population of 6: the 30 ordered pairs i != j
printf 't_ms,pre,post,value\n' > "$WORK/all_want"
for a in 0 1 2 3 4 5; do for b in 0 1 2 3 4 5; do
    [ $a = $b ] || printf '0,%d,%d,1\n' $a $b >> "$WORK/all_want"
done; done
sort "$WORK/all_want" > "$WORK/all_want_s"
sort "$O/weights_ALL_w.csv" | diff -u "$WORK/all_want_s" - ||
    fail "all + allow_self false on 6 neurons: not the 30 pairs with pre != post"

# --- fixed_indegree(10), allow_self false, on Q[50]: 10 distinct sources, none itself
n=$(check_table "$O/weights_NOSELF_w.csv" 50 50) || fail "fixed_indegree no-self: bad table"
[ "$n" = 500 ] || fail "fixed_indegree(10) no-self: $n synapses, expected 500"
awk -F, 'NR > 1 { d[$3]++; if ($2 == $3) { print "self: " $0; bad = 1 } }
    END { for (k = 0; k < 50; k++) if (d[k] != 10) { print "target " k ": " d[k] + 0; bad = 1 } exit bad }' \
    "$O/weights_NOSELF_w.csv" || fail "fixed_indegree(10) allow_self false: self connection or wrong in-degree"
# fixed_indegree(7), allow_self false, on R[8]: the only choice is every other neuron
n=$(check_table "$O/weights_FULL_w.csv" 8 8) || fail "fixed_indegree(7) of 8: bad table"
awk -F, 'NR > 1 && $2 == $3 { bad = 1 } END { exit bad }' "$O/weights_FULL_w.csv" && [ "$n" = 56 ] ||
    fail "fixed_indegree(7) allow_self false on 8 neurons: $n synapses (expected 56) or a self connection"

# --- MA[5], MB[5] -> MC[60], MD[40], fixed_indegree(3): 100 targets (C then D), 3 distinct
# sources each over the 10 concatenated sources (MB is 5..9)
n=$(check_table "$O/weights_MULTI_w.csv" 10 100) || fail "multi: bad table"
[ "$n" = 300 ] || fail "two sources -> two targets, fixed_indegree(3): $n synapses, expected 300"
awk -F, 'NR > 1 { d[$3]++; if ($2 < 5) a++; else b++ }
    END { for (k = 0; k < 100; k++) if (d[k] != 3) { print "target " k ": " d[k] + 0; bad = 1 }
          # each of the 300 sources is from MB with probability 1/2: 150 +- 8.7
          printf "two sources -> two targets: %d synapses from MA, %d from MB\n", a, b
          if (a < 115 || b < 115) bad = 1
          exit bad }' "$O/weights_MULTI_w.csv" || fail "multi: wrong in-degree or sources not drawn over MA, MB"
total=$(cat "$O"/weights_*_w.csv | awk -F, '$1 == "0"' | wc -l | tr -d ' ')
want=$((nP + 280 + 125 + 10 + 30 + 500 + 56 + 300))
[ "$total" = "$want" ] || fail "weight files at t = 0: $total rows, expected $want"
grep -q "\"synapses\": $total," "$O/summary.json" || fail "summary.json synapses is not the $total rows of the weight files"

# --- seeds: the same seed gives byte-identical tables, another seed another one
"$NRNC" run "$WORK/rules.nrn" --out "$WORK/same" --quiet
"$NRNC" run "$WORK/rules.nrn" --out "$WORK/other" --quiet --seed 8
for c in P IND OUTD NOSELF MULTI; do
    cmp -s "$O/weights_${c}_w.csv" "$WORK/same/weights_${c}_w.csv" || fail "$c differs between two runs with seed 7"
    if cmp -s "$O/weights_${c}_w.csv" "$WORK/other/weights_${c}_w.csv"; then fail "$c identical with seeds 7 and 8"; fi
done
echo ok
