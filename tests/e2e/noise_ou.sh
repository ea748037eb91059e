# White noise (Euler-Maruyama, chosen automatically for additive noise):
# - the OU process reaches the stationary variance sigma^2 = 4 mV^2 within 3%: 2,000
#   neurons x 19 samples 50 ms (5 tau) apart after 100 ms of burn-in = 38,000 nearly
#   independent samples, so the statistical error of the variance is sqrt(2/38000) = 0.7%
#   (Euler-Maruyama's own bias at dt/tau = 0.01 is +0.5%);
# - its autocorrelation at lags 10 and 20 ms is exp(-1) and exp(-2) within 0.012: 1,000
#   neurons x 450 samples 2 ms apart, about 45,000 independent windows of 2 tau, so the
#   estimate's error is about 0.003 (measured over seeds 1, 2, 3, 7: within 0.0042), plus
#   Euler-Maruyama's own bias (1 - dt/tau)^100 - exp(-1) = -0.0018. A tau 10% off moves
#   the autocorrelation by 0.035 at 10 ms and 0.027 at 20 ms (checked: tau = 11 ms or 9 ms
#   in ou.nrn fails);
# - the same seed gives identical files, another seed different ones.
. "$(dirname "$0")/../lib.sh"
"$NRNC" emit ir "$HERE/ou.nrn" | grep -q "method euler  (additive noise -> euler (Euler-Maruyama))" ||
    fail "EM not chosen"
"$NRNC" run "$HERE/ou.nrn" --out "$WORK/a" --quiet
awk -F, 'NR > 3 { for (i = 2; i <= NF; i++) { s += $i; ss += $i * $i; n++ } }
    END { m = s / n; v = ss / n - m * m; printf "variance %.4f mV^2 over %d samples\n", v, n
          exit !(n == 38000 && v > 4 * 0.97 && v < 4 * 1.03) }' "$WORK/a/trace_P_x.csv" ||
    fail "stationary variance"
awk -F, 'NR > 1 && $1 >= 100 { row[++r] = $0 }
    END {
        for (lag = 5; lag <= 10; lag += 5) {
            c0 = 0; cl = 0; n0 = 0; nl = 0
            for (k = 1; k + lag <= r; k++) {
                split(row[k], a, ","); split(row[k + lag], b, ",")
                for (i = 2; i <= 1001; i++) { c0 += a[i] * a[i]; cl += a[i] * b[i]; n0++ }
            }
            rho = cl / c0; want = exp(-lag * 2 / 10)
            printf "autocorrelation at %d ms: %.4f (exp: %.4f) over %d pairs\n", lag * 2, rho, want, n0
            if (rho < want - 0.012 || rho > want + 0.012 || n0 != 1000 * (451 - lag)) bad = 1
        }
        exit bad
    }' "$WORK/a/trace_Q_x.csv" || fail "autocorrelation"
"$NRNC" run "$HERE/ou.nrn" --out "$WORK/b" --quiet --duration 50ms
"$NRNC" run "$HERE/ou.nrn" --out "$WORK/c" --quiet --duration 50ms
"$NRNC" run "$HERE/ou.nrn" --out "$WORK/d" --quiet --duration 50ms --seed 8
cmp -s "$WORK/b/trace_Q_x.csv" "$WORK/c/trace_Q_x.csv" || fail "same seed, different noise"
cmp -s "$WORK/b/trace_Q_x.csv" "$WORK/d/trace_Q_x.csv" && fail "different seeds, same noise"
# Multiplicative noise: Milstein, chosen automatically; the Itô mean of geometric Brownian
# motion within 4% (4,000 neurons: the standard error of the mean is 1.1%).
"$NRNC" emit ir "$HERE/gbm.nrn" | grep -q "method milstein  (noise that depends on the state -> milstein)" ||
    fail "milstein not chosen"
"$NRNC" run "$HERE/gbm.nrn" --out "$WORK/g" --quiet
awk -F, 'NR == 3 { for (i = 2; i <= NF; i++) { s += $i; n++ } }
    END { m = s / n; printf "GBM mean %.4f over %d neurons (Itô: 1.6487)\n", m, n
          exit !(n == 4000 && m > 1.6487 * 0.96 && m < 1.6487 * 1.04) }' "$WORK/g/trace_P_x.csv" ||
    fail "geometric Brownian motion mean"
expect_exit 1 "$NRNC" run "$HERE/gbm.nrn" --out "$WORK/h" --method rk4
expect_stderr "method rk4 cannot integrate white noise"
echo ok
