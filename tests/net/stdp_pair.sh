# Pair STDP (LANGUAGE.md §5's synapse type, with hard bounds and (event) traces) between two
# spike sources, pre and post, with a pre and a post spike at the same time (12 ms) and
# enough pairings to hit both bounds. The weight trajectory is recomputed here in awk:
# events in time order, a post spike stamped T (on_post at the end of the step ending at
# T) before a pre spike stamped T (on_pre at the start of the step beginning at T); both
# traces decay by exp(-dt_since_last_event / tau) just before each event. A sample at T
# holds the post events stamped <= T and the pre events stamped < T. Every recorded
# sample must match to 1e-12.
. "$(dirname "$0")/../lib.sh"
PRE="2 4 6 12 21 21.5 22 30 30.1 45"
POST="6.5 7 12 20 23 30 33 33.5 34 34.5 35"
list() { echo "$1" | awk '{ for (k = 1; k <= NF; k++) printf "%s%s ms", (k > 1 ? ", " : ""), $k }'; }
cat > "$WORK/stdp.nrn" <<NRN
synapse PairSTDP {
    param tau_pre  = 10 ms
    param tau_post = 20 ms
    param A_pre    = 0.2
    param A_post   = -0.25
    param w_max    = 1
    state w = 0.5
    state a_pre = 0
    state a_post = 0
    da_pre/dt  = -a_pre / tau_pre   (event)
    da_post/dt = -a_post / tau_post (event)
    on_pre  { a_pre += A_pre;   w = clip(w + a_post, 0, w_max) }
    on_post { a_post += A_post; w = clip(w + a_pre, 0, w_max) }
}
network Pair {
    population Pre  = spike_source[1](times = [[$(list "$PRE")]])
    population Post = spike_source[1](times = [[$(list "$POST")]])
    connect Pre -> Post using PairSTDP as S {
        weight 0.6
    }
    record spikes of Pre, Post
    record w of S every 0.1 ms
}
simulate Pair for 50 ms dt 0.1 ms
NRN
"$NRNC" run "$WORK/stdp.nrn" --out "$WORK/out" --quiet
O=$WORK/out
[ "$(tail -n +2 "$O/spikes.csv" | wc -l)" = 21 ] || fail "expected the 21 source spikes in spikes.csv"
head -1 "$O/weights_S_w.csv" | grep -qx 't_ms,pre,post,value' || fail "weights header"
# events as "step kind" (kind 0 = post, 1 = pre: post first at equal steps)
{ for x in $POST; do echo "$x 0"; done; for x in $PRE; do echo "$x 1"; done; } |
    awk '{ printf "%d %d\n", $1 * 10 + 0.5, $2 }' | sort -n -k1,1 -k2,2 > "$WORK/events"
awk -F, -v w0=0.6 -v tpre=10 -v tpost=20 -v Apre=0.2 -v Apost=-0.25 -v wmax=1 '
    function clip(x) { return x < 0 ? 0 : (x > wmax ? wmax : x) }
    BEGIN { ne = 0 }
    NR == FNR { split($0, f, " "); es[ne] = f[1] + 0; ek[ne] = f[2] + 0; ne++; next }
    FNR == 1 { w = w0; ap = 0; aq = 0; last = 0; e = 0; next }
    { if ($2 != 0 || $3 != 0) { print "unexpected synapse " $2 " -> " $3; bad = 1; exit }
      n = int($1 * 10 + 0.5)
      if (n != samples) { print "sample " samples " at " $1 " ms"; bad = 1 }
      samples++
      # apply the events this sample includes: post stamped <= n, pre stamped <= n - 1
      while (e < ne && ((ek[e] == 0 && es[e] <= n) || (ek[e] == 1 && es[e] <= n - 1))) {
          d = (es[e] - last) * 0.1; last = es[e]
          ap *= exp(-d / tpre); aq *= exp(-d / tpost)
          if (ek[e] == 1) { ap += Apre; w = clip(w + aq) }
          else            { aq += Apost; w = clip(w + ap) }
          if (w == 0) lo++; if (w == wmax) hi++
          e++
      }
      diff = $4 - w; if (diff < 0) diff = -diff
      if (diff > max) max = diff
      if (diff > 1e-12) { if (shown++ < 5) printf "t = %s ms: w = %s, expected %.17g\n", $1, $4, w; bad = 1 } }
    END { printf "%d samples, %d events, final w = %.17g; max |w - expected| = %.3g\n", samples, e, w, max
          if (samples != 501) { print "expected 501 samples"; bad = 1 }
          if (e != ne) { print "not all events applied"; bad = 1 }
          if (!lo || !hi) { print "the spike pattern should reach both bounds (test design)"; bad = 1 }
          exit bad }' "$WORK/events" "$O/weights_S_w.csv" || fail "STDP weights differ from the awk reference"
echo ok
