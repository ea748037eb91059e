# CLI.md: a simulator made by `nrnc build` and `nrnc run` on the same model, flags and
# seed write byte-identical spike and trace files, also for networks. mini_net.nrn has
# every kind of connection: constant delays (0.5 ms, 1 ms), a heterogeneous delay
# (0.1 ms + 1 ms * rand()), random weights, plastic synapses (pair STDP) with recorded
# weights, a Poisson drive, a literal weight matrix and summed inputs. Every output file
# but summary.json (which holds timings) must match, in CSV and with --format npy; and
# (LANGUAGE.md §7) one thread must give the same files as the default thread count.
. "$(dirname "$0")/../lib.sh"
model="$HERE/mini_net.nrn"
"$NRNC" build "$model" -o "$WORK/mini.sim" || fail "nrnc build"

# same DIR-A DIR-B: the two folders hold the same files, byte for byte (but summary.json)
same() {
    (cd "$1" && ls) | grep -v '^summary.json$' > "$WORK/list_a"
    (cd "$2" && ls) | grep -v '^summary.json$' > "$WORK/list_b"
    cmp -s "$WORK/list_a" "$WORK/list_b" || fail "$1 and $2 hold different files: $(tr '\n' ' ' < "$WORK/list_a") / $(tr '\n' ' ' < "$WORK/list_b")"
    while read -r f; do
        cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"
    done < "$WORK/list_a"
}

for fmt in csv npy; do
    "$WORK/mini.sim" --seed 7 --format "$fmt" --out "$WORK/aot_$fmt" --quiet || fail "the built simulator ($fmt)"
    "$NRNC" run "$model" --seed 7 --format "$fmt" --out "$WORK/jit_$fmt" --quiet || fail "nrnc run ($fmt)"
    for d in aot_$fmt jit_$fmt; do
        grep -q '"status": "completed"' "$WORK/$d/summary.json" || fail "$d: the run did not complete"
        grep -q '"seed": 7,' "$WORK/$d/summary.json" || fail "$d: seed 7 not used"
    done
    same "$WORK/aot_$fmt" "$WORK/jit_$fmt"
done
"$NRNC" run "$model" --seed 7 --threads 1 --out "$WORK/jit_t1" --quiet || fail "nrnc run --threads 1"
same "$WORK/jit_csv" "$WORK/jit_t1"

# the files compared are the ones expected, with content: spikes of E and I, the traces,
# the STDP weights (which changed), and the rate
for f in spikes.csv trace_E_v.csv trace_I_h.csv trace_R_r.csv weights_S_w.csv rate_E.csv; do
    [ -f "$WORK/jit_csv/$f" ] || fail "missing $f"
done
for f in spikes_E_t.npy spikes_E_i.npy spikes_I_t.npy spikes_I_i.npy trace_E_v.npy trace_E_v_t.npy \
         trace_I_h.npy trace_R_r.npy weights_S_w.npy; do
    [ -f "$WORK/jit_npy/$f" ] || fail "missing $f"
done
awk -F, 'NR > 1 { n[$1]++ } END { exit !(n["E"] > 100 && n["I"] > 20) }' "$WORK/jit_csv/spikes.csv" ||
    fail "expected spikes in E and I"
# summed input: I.h is w * (r0 + r1 + r2) of the rate units, nonzero after the start
awk -F, 'NR > 2 && $2 != 0 { nz = 1 } END { exit !nz }' "$WORK/jit_csv/trace_I_h.csv" || fail "I.h stays 0"
# STDP: some weight differs at 200 ms from its value at 0
awk -F, 'NR > 1 && $1 == 0 { w0[$2 "," $3] = $4 } NR > 1 && $1 == 200 && w0[$2 "," $3] != $4 { d = 1 }
         END { exit !d }' "$WORK/jit_csv/weights_S_w.csv" || fail "the STDP weights never change"
# another seed gives other spikes
"$WORK/mini.sim" --seed 8 --out "$WORK/aot_seed8" --quiet || fail "the built simulator, seed 8"
cmp -s "$WORK/aot_seed8/spikes.csv" "$WORK/aot_csv/spikes.csv" && fail "--seed 8 gives the spikes of seed 7"
echo ok
