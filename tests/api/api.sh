# The embedding API on CUBA (examples/cuba.nrn): a library from `nrnc build --lib`, driven
# by test_api.c, against `nrnc run` of the same model and seed: advancing in two chunks,
# two instances on two threads at once, values set and written, reads, errors, and the
# output folder an instance writes. Then the same model as a static archive.
. "$(dirname "$0")/../lib.sh"
TEST_API=$3
M=$HERE/../../examples/cuba.nrn
expect_exit 0 "$NRNC" build --lib "$M" -o "$WORK/libcuba.so"
expect_exit 0 "$NRNC" run "$M" --duration 200ms --threads 1 --out "$WORK/ref" --quiet
expect_exit 0 "$NRNC" run "$M" --duration 200ms --threads 1 --seed 7 --out "$WORK/ref7" --quiet
"$TEST_API" "$WORK/libcuba.so" "$WORK/ref/spikes.csv" "$WORK/ref7/spikes.csv" "$WORK/api_out" ||
    fail "test_api failed"
# the folder an instance wrote: the spikes and traces of nrnc run, summary.json its own
for f in spikes.csv trace_E_v.csv rate_E.csv; do
    [ -f "$WORK/ref/$f" ] || continue
    cmp -s "$WORK/ref/$f" "$WORK/api_out/$f" || fail "$f written through the API differs from nrnc run's"
done
grep -q '"status": "completed"' "$WORK/api_out/summary.json" || fail "the API's summary.json should say completed"
grep -q '"simulated_ms": 200' "$WORK/api_out/summary.json" || fail "the API's summary.json should cover 200 ms"
# --lib with a name other than .so/.a, and without -o
expect_exit 2 "$NRNC" build --lib "$M"
# a static archive: the same symbol, linked by the user with the runtime
expect_exit 0 "$NRNC" build --lib "$M" -o "$WORK/libcuba.a"
ar t "$WORK/libcuba.a" | grep -q model.o || fail "libcuba.a should hold the model's object"
nm "$WORK/libcuba.a" | grep -q " T nrn_model" || fail "libcuba.a should define nrn_model"
# the shared library exports nrn_model and the API, not the generated functions
nm -D --defined-only "$WORK/libcuba.so" | grep -q " T nrn_model$" || fail "libcuba.so should export nrn_model"
nm -D --defined-only "$WORK/libcuba.so" | grep -q " T nrt_sim_new$" || fail "libcuba.so should export nrt_sim_new"
if nm -D --defined-only "$WORK/libcuba.so" | grep -q "nrn_integrate"; then
    fail "libcuba.so should not export the generated functions"
fi
echo ok
