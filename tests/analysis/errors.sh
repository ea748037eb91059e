# nrnc stats on bad input: each case's exact message (the folder's path shown as WORK)
# and exit code 2. A broken folder never crashes it.
. "$(dirname "$0")/../lib.sh"
run=$WORK/run
mkdir -p "$run"
cat >"$run/summary.json" <<'JSON'
{ "model": "m.nrn", "network": "N", "status": "completed", "duration_ms": 100,
  "simulated_ms": 100, "dt_ms": 0.1,
  "populations": { "E": { "size": 2, "spikes": 3 } },
  "traces": { "E.v": { "file": "trace_E_v.csv", "unit": "mV" } } }
JSON
printf 'population,neuron,t_ms\nE,0,1\nE,1,2.5\nE,0,50\n' >"$run/spikes.csv"
printf 't_ms,0,1\n0,-65,-65\n0.5,-64,-63\n' >"$run/trace_E_v.csv"
garbage=$WORK/garbage
mkdir -p "$garbage"
cp "$run/summary.json" "$garbage/"
printf 'time,who\n\377\376\001\n' >"$garbage/spikes.csv"

# case NAME ARGS...: exit 2 and stderr (WORK for the folder) appended to $WORK/got
: >"$WORK/got"
case_() {
    name=$1; shift
    expect_exit 2 "$NRNC" stats "$@"
    { echo "== $name"; sed "s|$WORK|WORK|g" "$WORK/stderr"; } >>"$WORK/got"
}
case_ missing_folder "$WORK/nowhere"
case_ unknown_pop_xcorr "$run" --xcorr E,X
case_ unknown_pop_pca "$run" --pca Q
case_ bad_bin_unit "$run" --pca E --bin 5
case_ bad_bin_zero "$run" --xcorr E,E --bin 0ms
case_ bad_bin_text "$run" --pca E --bin fast
case_ trace_not_recorded "$run" --pca E:w
case_ garbage_csv "$garbage"
case_ bad_format "$run" --format yaml
case_ pca_and_xcorr "$run" --pca E --xcorr E,E
case_ bad_xcorr "$run" --xcorr E
case_ bad_components "$run" --pca E --components 0
case_ empty_interval "$run" --from 80ms --to 20ms
case_ unknown_option "$run" --bins 5ms
case_ no_folder
cat >"$WORK/want" <<'WANT'
== missing_folder
nrnc: error: cannot open the output folder 'WORK/nowhere': No such file or directory
== unknown_pop_xcorr
nrnc: error: --xcorr: no population 'X' in 'WORK/run' (populations: E)
== unknown_pop_pca
nrnc: error: --pca: no population 'Q' in 'WORK/run' (populations: E)
== bad_bin_unit
nrnc: error: --bin needs a time with its unit (e.g. 2s), got '5'
== bad_bin_zero
nrnc: error: --bin must be positive, got '0ms'
== bad_bin_text
nrnc: error: --bin 'fast': expected a number, found 'fast'
== trace_not_recorded
nrnc: error: --pca E:w: 'WORK/run' has no readable trace of E.w (was it recorded?)
== garbage_csv
nrnc: warning: WORK/garbage/spikes.csv:1: expected the header 'population,neuron,t_ms', got 'time,who'; file not used
nrnc: error: no spikes in 'WORK/garbage': spikes.csv (or spikes_POP_t.npy) is missing or could not be read
== bad_format
nrnc: error: --format must be text or json, got 'yaml'
(run 'nrnc --help' for usage)
== pca_and_xcorr
nrnc: error: stats takes --pca or --xcorr, not both
(run 'nrnc --help' for usage)
== bad_xcorr
nrnc: error: --xcorr needs two populations A,B, got 'E'
(run 'nrnc --help' for usage)
== bad_components
nrnc: error: --components needs a whole number from 1 to 100000, got '0'
(run 'nrnc --help' for usage)
== empty_interval
nrnc: error: the interval is empty: --from 80 ms is not before --to 20 ms
== unknown_option
nrnc: error: unknown option '--bins' (nrnc stats --help lists them)
(run 'nrnc --help' for usage)
== no_folder
nrnc: error: stats needs the output folder of a run
(run 'nrnc --help' for usage)
WANT
diff -u "$WORK/want" "$WORK/got" || fail "messages differ from the expected ones (above)"
# a folder whose spikes are fine gives results, and the garbage left no file behind
"$NRNC" stats "$run" --xcorr E,E >/dev/null 2>&1 || fail "stats on a good folder failed"
[ -s "$run/xcorr_E_E.csv" ] || fail "no xcorr_E_E.csv"
echo ok
