# --checkpoint-every and --resume: a run stopped (kill -9, SIGTERM, or simply a shorter
# --duration) and resumed from its checkpoint writes byte-identical spikes, traces, rates
# and weights to a run that was never stopped; a checkpoint of another model, or a
# damaged one, is refused. Both `nrnc run` and a built simulator.
. "$(dirname "$0")/../lib.sh"
M=$HERE/data/checkpoint_net.nrn
OUTS="spikes.csv trace_E_v.csv rate_E.csv weights_S_w.csv"
same() {   # same DIR_A DIR_B: every output file byte-identical, and summary.json's spike
           # statistics (their accumulators are in the checkpoint) the same text
    for f in $OUTS; do
        cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"
    done
    stats() { sed -n '/^  "stats": {/,/^  },/p' "$1/summary.json"; }
    [ -n "$(stats "$1")" ] || fail "$1/summary.json has no stats"
    [ "$(stats "$1")" = "$(stats "$2")" ] || fail "the spike statistics differ between $1 and $2"
}
expect_exit 0 "$NRNC" run "$M" --duration 3s --out "$WORK/whole" --quiet
[ "$(wc -l < "$WORK/whole/spikes.csv")" -gt 10000 ] || fail "the reference run should spike a lot"

# 1. a run cut short by its duration, then continued to 3 s
expect_exit 0 "$NRNC" run "$M" --duration 1250ms --checkpoint-every 500ms --out "$WORK/short" --quiet
[ -f "$WORK/short/checkpoint.nrnck" ] || fail "no checkpoint written"
expect_exit 0 "$NRNC" run "$M" --duration 3s --resume "$WORK/short" --checkpoint-every 500ms --quiet
same "$WORK/whole" "$WORK/short"
grep -q '"status": "completed"' "$WORK/short/summary.json" || fail "the resumed run should complete"
grep -q '"simulated_ms": 3000' "$WORK/short/summary.json" || fail "the resumed summary should cover 3 s"
grep -q '"resumed_from_ms": 1250' "$WORK/short/summary.json" || fail "the summary should say where the run resumed"
grep -q '"checkpoint": { "file": "checkpoint.nrnck", "t_ms": 3000 }' "$WORK/short/summary.json" ||
    fail "the summary should name the last checkpoint"
# a fresh run into the folder removes the checkpoint with the other files
expect_exit 0 "$NRNC" run "$M" --duration 10ms --out "$WORK/short2" --quiet --checkpoint-every 5ms
[ -f "$WORK/short2/checkpoint.nrnck" ] || fail "no checkpoint in short2"
expect_exit 0 "$NRNC" run "$M" --duration 10ms --out "$WORK/short2" --quiet
[ ! -f "$WORK/short2/checkpoint.nrnck" ] || fail "a new run should remove the old checkpoint"

# 2. kill -9 right after the first checkpoint: the files hold steps past it, possibly a
#    partial buffer; resuming cuts them back to the checkpoint and goes on
"$NRNC" run "$M" --duration 3s --checkpoint-every 200ms --out "$WORK/killed" --quiet &
pid=$!
n=0
while [ ! -f "$WORK/killed/checkpoint.nrnck" ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n + 1)); done
kill -9 $pid
wait $pid 2>/dev/null || true
grep -q '"status": "running"' "$WORK/killed/summary.json" || fail "the run should have been killed mid-way"
expect_exit 0 "$NRNC" run "$M" --duration 3s --resume "$WORK/killed" --quiet
same "$WORK/whole" "$WORK/killed"

# 3. SIGTERM: the run stops at a step boundary (any step, so a rate window is half
#    counted) and checkpoints there
"$NRNC" run "$M" --duration 3s --checkpoint-every 100ms --out "$WORK/term" --quiet &
pid=$!
n=0
while [ ! -f "$WORK/term/checkpoint.nrnck" ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n + 1)); done
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
[ $rc = 143 ] || fail "SIGTERM should end the run with 143, got $rc"
grep -q '"status": "terminated"' "$WORK/term/summary.json" || fail "the summary should say terminated"
expect_exit 0 "$NRNC" run "$M" --duration 3s --resume "$WORK/term" --quiet
same "$WORK/whole" "$WORK/term"

# 4. a built simulator, with --format npy on both sides
expect_exit 0 "$NRNC" run "$M" --duration 1s --format npy --out "$WORK/whole_npy" --quiet
expect_exit 0 "$NRNC" build "$M" -o "$WORK/sim"
expect_exit 0 "$WORK/sim" --duration 400ms --format npy --checkpoint-every 100ms --out "$WORK/sim_out" --quiet
expect_exit 0 "$WORK/sim" --duration 1s --format npy --resume "$WORK/sim_out" --quiet
for f in "$WORK"/whole_npy/*.npy; do
    cmp -s "$f" "$WORK/sim_out/$(basename "$f")" || fail "$(basename "$f") differs after a resumed built run"
done

# 4b. a checkpoint does not depend on the thread count: a network split into ranges, with
#     per-synapse delays queued per range, checkpointed on 3 threads and resumed on 2
R=$HERE/random_events.nrn
expect_exit 0 "$NRNC" run "$R" --duration 120ms --threads 1 --out "$WORK/rev_whole" --quiet
expect_exit 0 "$NRNC" run "$R" --duration 60ms --threads 3 --checkpoint-every 30ms --out "$WORK/rev" --quiet
grep -q '"threads": 3' "$WORK/rev/summary.json" || fail "random_events should run on 3 threads"
expect_exit 0 "$NRNC" run "$R" --duration 120ms --threads 2 --resume "$WORK/rev" --quiet
for f in "$WORK"/rev_whole/*.csv; do
    cmp -s "$f" "$WORK/rev/$(basename "$f")" || fail "$(basename "$f") differs after resuming on another thread count"
done

# 5. what is refused: no checkpoint, another model, a damaged file, --out elsewhere
expect_exit 3 "$NRNC" run "$M" --duration 3s --resume "$WORK/whole" --quiet
expect_stderr "nrnc: error: cannot resume from '$WORK/whole/checkpoint.nrnck': No such file or directory"
sed 's/prob(0.1)/prob(0.11)/' "$M" > "$WORK/other.nrn"
expect_exit 3 "$NRNC" run "$WORK/other.nrn" --duration 3s --resume "$WORK/short" --quiet
expect_stderr "its synapses differ from the ones this run built"
sed 's/\[200\]/[201]/' "$M" > "$WORK/other.nrn"
expect_exit 3 "$NRNC" run "$WORK/other.nrn" --duration 3s --resume "$WORK/short" --quiet
expect_stderr "it was made by another model, network, dt, seed, --set or record list"
printf 'X' | dd of="$WORK/short/checkpoint.nrnck" bs=1 seek=4000 conv=notrunc 2>/dev/null
expect_exit 3 "$NRNC" run "$M" --duration 3s --resume "$WORK/short" --quiet
expect_stderr "it is damaged (its checksum does not match)"
expect_exit 2 "$NRNC" run "$M" --resume "$WORK/short" --out "$WORK/elsewhere"
expect_stderr "continues the run in that folder: drop --out"
expect_exit 2 "$NRNC" run "$M" --checkpoint-every 0ms
expect_stderr "nrnc: error: --checkpoint-every must be positive, got '0ms'"
echo ok
