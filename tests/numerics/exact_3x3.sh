# `exact` on three coupled states with a constant drive on each (chain3.nrn: v <- I1 <- I2,
# badly scaled in SI units): every recorded sample of v, I1 and I2 equals the closed form
# of chain3.nrn to 1e-10 relative (every 0.1 ms for 100 ms, 1,001 samples each; I2 crosses
# zero, so a current's error is taken relative to at least 0.01 nA).
# Where 1e-10 comes from: as in exact_2x2.sh, each of the 1,000 steps multiplies by a
# propagator whose entries are off by a few 1e-14 relative, so the states drift by at most
# ~1000 * 3e-14 = 3e-11 (measured: 5e-12). Undoing the balancing of the
# propagator's Q block (split_blocks in runtime/expm.c) makes the drive terms wrong by
# factors of 2^k (measured: errors of 2e6); skipping the balancing altogether, 3e-7.
. "$(dirname "$0")/../lib.sh"
MODEL=$HERE/chain3.nrn
"$NRNC" emit ir "$MODEL" > "$WORK/ir"
grep -qF "exact propagator over (v, I1, I2), once per population" "$WORK/ir" ||
    { cat "$WORK/ir"; fail "no 3x3 exact propagator"; }
"$NRNC" run "$MODEL" --out "$WORK/out" --quiet
paste -d, "$WORK/out/trace_P_v.csv" "$WORK/out/trace_P_I1.csv" "$WORK/out/trace_P_I2.csv" | awk -F, '
    NR == 1 { next }
    {
        t = $1; n++
        tm = 10; t1 = 3; t2 = 20; EL = -70; R = 100; Ib = 0.05; Ic = 0.15   # ms, mV, Mohm, nA
        y2 = -0.1 - Ic; a = 0.4 - Ib - Ic; c = y2 * t2 / (t2 - t1); u0 = -65 - EL - R * (Ib + Ic)
        k1 = R * (a - c) * t1 / (t1 - tm); k2 = R * c * t2 / (t2 - tm)
        want[1] = EL + R * (Ib + Ic) + (u0 - k1 - k2) * exp(-t / tm) + k1 * exp(-t / t1) + k2 * exp(-t / t2)
        want[2] = Ib + Ic + (a - c) * exp(-t / t1) + c * exp(-t / t2)
        want[3] = Ic + y2 * exp(-t / t2)
        got[1] = $2; got[2] = $4; got[3] = $6
        for (k = 1; k <= 3; k++) {
            # relative, except near the zero crossing of I2 (t = 10.2 ms): there against 0.01 nA
            s = want[k] < 0 ? -want[k] : want[k]; if (k > 1 && s < 0.01) s = 0.01
            e = (got[k] - want[k]) / s; if (e < 0) e = -e
            if (e > worst) { worst = e; wt = t; wk = k }
        }
    }
    END {
        printf "%d samples, largest relative error %.3e (state %d, t = %s ms)\n", n, worst, wk, wt
        exit !(n == 1001 && worst < 1e-10)
    }' || fail "v, I1, I2 not the closed form to 1e-10"
echo ok
