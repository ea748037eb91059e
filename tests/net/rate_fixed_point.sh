# examples/rate_network.nrn (tau dr/dt = -r + tanh(h + I_ext), h = W^T r from an NPY matrix,
# I_ext_i = 0.5 sin(1.7 i)) run for 1 s settles to the fixed point r* = tanh(W^T r* + I_ext),
# computed here by fixed-point iteration in awk from examples/data/rate_W.csv (the same
# matrix as rate_W.npy, no header, rows = pre-synaptic units): the last row of the trace
# equals r* to 1e-6.
. "$(dirname "$0")/../lib.sh"
EX=$HERE/../../examples
"$NRNC" run "$EX/rate_network.nrn" --duration 1s --out "$WORK/out" --quiet
O=$WORK/out
T=$O/trace_L_r.csv
[ "$(tail -1 "$T" | cut -d, -f1)" = 1000 ] || fail "the last sample is not at 1000 ms"
tail -1 "$T" | awk -F, -v W="$EX/data/rate_W.csv" '
    { for (j = 0; j < NF - 1; j++) got[j] = $(j + 2); n = NF - 1 }
    END {
        if (n != 50) { print "expected 50 units, got " n; exit 1 }
        rows = 0
        while ((getline line < W) > 0) {
            m = split(line, f, ",")
            if (m != 50) { print "rate_W.csv row " rows " has " m " columns"; exit 1 }
            for (j = 0; j < 50; j++) w[rows, j] = f[j + 1] + 0
            rows++
        }
        if (rows != 50) { print "rate_W.csv has " rows " rows"; exit 1 }
        for (j = 0; j < 50; j++) { ext[j] = 0.5 * sin(1.7 * j); r[j] = 0 }
        # r <- tanh(W^T r + I_ext) until it stops moving (a contraction: spectral radius < 1)
        for (it = 0; it < 100000; it++) {
            ch = 0
            for (j = 0; j < 50; j++) {
                h = 0
                for (k = 0; k < 50; k++) h += w[k, j] * r[k]
                x = h + ext[j]; e2 = exp(2 * x); nr[j] = (e2 - 1) / (e2 + 1)
                d = nr[j] - r[j]; if (d < 0) d = -d; if (d > ch) ch = d
            }
            for (j = 0; j < 50; j++) r[j] = nr[j]
            if (ch < 1e-15) break
        }
        for (j = 0; j < 50; j++) {
            d = got[j] - r[j]; if (d < 0) d = -d; if (d > max) max = d
            if (d > 1e-6) { printf "unit %d: r = %s, fixed point %.17g\n", j, got[j], r[j]; bad = 1 }
        }
        printf "fixed point after %d iterations; r(1 s) vs r*: max difference %.3g (r*_0 = %.12g, r*_49 = %.12g)\n", it, max, r[0], r[49]
        exit bad
    }' || fail "r at 1 s is not the fixed point tanh(W^T r* + I_ext)"
echo ok
