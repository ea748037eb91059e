# A run into a folder that a previous run wrote removes the files that the previous
# summary.json lists (only those: a user's file there stays, and a listed name that
# leads out of the folder is never followed), so no result of the old run is left mixed
# with the new one. A folder that holds files but no summary.json of nrnc's is refused
# (exit 2, naming the folder, nothing written) unless --force; the same for a simulator
# from `nrnc build`.
. "$(dirname "$0")/../lib.sh"
M=$HERE/lif_spec.nrn
out=$WORK/out
"$NRNC" run "$M" --out "$out" --quiet || fail "first run"
[ -f "$out/spikes.csv" ] && [ -f "$out/trace_P_v.csv" ] || fail "first run: files missing"
echo "mine" > "$out/notes.txt"
"$NRNC" run "$M" --out "$out" --quiet --format npy || fail "second run"
for f in spikes.csv trace_P_v.csv; do
    [ ! -e "$out/$f" ] || fail "$f of the first run is left next to the second run's files"
done
for f in spikes_P_t.npy spikes_P_i.npy trace_P_v.npy trace_P_v_t.npy; do
    [ -s "$out/$f" ] || fail "second run: $f missing"
done
[ "$(cat "$out/notes.txt")" = mine ] || fail "a file the run did not write was removed"
grep -q '"spikes_P_t.npy": { "rows": 11 }' "$out/summary.json" || fail "summary.json lists its files"
# back to CSV: the .npy files go
"$NRNC" run "$M" --out "$out" --quiet || fail "third run"
[ -z "$(ls "$out" | grep '\.npy$' || true)" ] || fail "npy files of the second run are left"
[ "$(ls -A "$out" | sort | tr '\n' ' ')" = "notes.txt spikes.csv summary.json trace_P_v.csv " ] ||
    fail "third run: the folder holds $(ls -A "$out" | tr '\n' ' ')"

# a folder nrnc did not write
mine=$WORK/mine
mkdir -p "$mine"
echo "precious" > "$mine/spikes.csv"
expect_exit 2 "$NRNC" run "$M" --out "$mine" --quiet
expect_stderr "output folder '$mine' is not empty and was not written by nrnc"
expect_stderr "--force"
[ "$(cat "$mine/spikes.csv")" = precious ] || fail "a refused folder was written"
[ ! -e "$mine/summary.json" ] || fail "a refused folder got a summary.json"
"$NRNC" run "$M" --out "$mine" --quiet --force || fail "--force"
[ "$(head -1 "$mine/spikes.csv")" = "population,neuron,t_ms" ] || fail "--force: spikes.csv not written"
# an empty folder, and a missing one, are fine
mkdir "$WORK/empty"
"$NRNC" run "$M" --out "$WORK/empty" --quiet || fail "empty folder"
"$NRNC" run "$M" --out "$WORK/new/deep" --quiet || fail "missing folder"

# a summary.json whose names lead out of the folder: those are left alone
odd=$WORK/odd
mkdir -p "$odd"
echo "victim" > "$WORK/victim.txt"
cat > "$odd/summary.json" <<JSON
{ "model": "x.nrn", "status": "completed",
  "files": { "../victim.txt": {}, "$WORK/victim.txt": {}, "old.csv": { "rows": 1 } },
  "traces": { "P.v": { "file": "..\\/victim.txt", "unit": "mV" } } }
JSON
echo "t_ms" > "$odd/old.csv"
"$NRNC" run "$M" --out "$odd" --quiet || fail "folder with an odd summary.json"
[ -f "$WORK/victim.txt" ] || fail "a file outside the folder was removed"
[ ! -e "$odd/old.csv" ] || fail "old.csv, listed, is left"

# a built simulator: the same rules, and --force
"$NRNC" build "$M" -o "$WORK/sim" || fail "nrnc build"
mine2=$WORK/mine2
mkdir -p "$mine2"
echo "precious" > "$mine2/data.txt"
expect_exit 2 "$WORK/sim" --out "$mine2" --quiet
expect_stderr "output folder '$mine2' is not empty and was not written by nrnc"
"$WORK/sim" --out "$mine2" --quiet --force || fail "simulator --force"
[ -s "$mine2/spikes.csv" ] && [ "$(cat "$mine2/data.txt")" = precious ] || fail "simulator --force: files"
"$WORK/sim" --out "$mine2" --quiet --format npy || fail "simulator into its own folder"
[ ! -e "$mine2/spikes.csv" ] && [ -s "$mine2/spikes_P_t.npy" ] || fail "simulator: stale spikes.csv"
echo ok
