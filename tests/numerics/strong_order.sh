# Strong order of the stochastic methods on geometric Brownian motion (gbm_strong.nrn:
# dx = r x dt/T0 + s x dW/sqrt(T0), r = s = 1, T0 = 100 ms, recorded with its own Brownian
# path w, so the exact solution on the very path the simulator drew is known).
# - nrnc chooses Milstein (the noise coefficient depends on x).
# - The strong error E|x(T) - x_exact(T)| / x_exact(T) at T = 100 ms, averaged over 2,000
#   paths, at dt = 0.4, 0.1, 0.025 ms: the observed order log4(e(dt) / e(dt/4)) must be
#   1 +- 0.1 for milstein and 0.5 +- 0.1 for euler (Euler-Maruyama, requested with
#   --method euler). Where the tolerance comes from: the paths at different dt are
#   independent draws, so each mean carries a statistical error of about 1-2% (measured:
#   the means move by up to 3% between seeds), i.e. about 0.02 on an order over a factor 4
#   in dt; 0.1 is five times that, while confusing the two methods (or dropping the
#   Milstein term's 1/2, or its dW^2 - dt) moves the order by 0.5. Fixed seed.
# - Milstein's error itself, not only its slope: e(dt) / dt must be 0.0085 to 0.011 per ms
#   at each dt (measured over seeds 3, 5, 9, 11: 0.0090 to 0.0098, first order, so the
#   ratio is flat). A Milstein term 10% too small (0.45 instead of 1/2) gives 0.012 at
#   0.4 ms and 0.020 at 0.1 ms; without the term the error is Euler-Maruyama's, 0.09.
. "$(dirname "$0")/../lib.sh"
MODEL=$HERE/gbm_strong.nrn
"$NRNC" emit ir "$MODEL" > "$WORK/ir"
grep -qF "method milstein  (noise that depends on the state -> milstein)" "$WORK/ir" ||
    { cat "$WORK/ir"; fail "milstein not chosen"; }
for m in milstein euler; do
    for dt in 0.4 0.1 0.025; do
        "$NRNC" run "$MODEL" --method $m --dt "$dt ms" --out "$WORK/$m" --quiet
        paste -d, "$WORK/$m/trace_P_x.csv" "$WORK/$m/trace_P_w.csv" | awk -F, -v m=$m -v dt=$dt '
            NR > 1 && $1 == 100 {
                n = NF / 2
                for (i = 2; i <= n; i++) {
                    ex = exp((1 - 0.5) * 1 + $(n + i))
                    e = ($i - ex) / ex; s += e < 0 ? -e : e; c++
                }
            }
            END { if (c != 2000) exit 1; printf "%s\t%s\t%.6e\n", m, dt, s / c }' >> "$WORK/errors" ||
            fail "$m at dt = $dt ms: no 2,000 paths at 100 ms"
    done
done
awk -F'\t' '
    { e[$1, ++n[$1]] = $3; dt[$1, n[$1]] = $2 }
    END {
        for (k = 1; k <= 2; k++) {
            m = k == 1 ? "milstein" : "euler"; want = k == 1 ? 1 : 0.5
            line = sprintf("%-8s strong errors %.3e %.3e %.3e  orders", m, e[m, 1], e[m, 2], e[m, 3])
            for (j = 1; j < 3; j++) {
                q = log(e[m, j] / e[m, j + 1]) / log(4)
                line = line sprintf(" %.3f", q)
                if (q < want - 0.1 || q > want + 0.1) bad = 1
            }
            print line
        }
        for (j = 1; j <= 3; j++) {
            c = e["milstein", j] / dt["milstein", j]
            printf "milstein error / dt at %s ms: %.2e per ms\n", dt["milstein", j], c
            if (!(c >= 0.0085 && c <= 0.011)) bad = 1
        }
        exit bad
    }' "$WORK/errors" || fail "strong order not 1 (milstein) / 0.5 (euler) +- 0.1, or the Milstein error not 0.0085-0.011 dt"
echo ok
