# A summed input read through the embedding API: examples/rate_network.nrn as a library,
# its h checked against W^T r by test_api_summed.c.
. "$(dirname "$0")/../lib.sh"
EX=$HERE/../../examples
expect_exit 0 "$NRNC" build --lib "$EX/rate_network.nrn" -o "$WORK/librate.so"
"$3" "$WORK/librate.so" "$EX/data/rate_W.npy" || fail "test_api_summed failed"
echo ok
