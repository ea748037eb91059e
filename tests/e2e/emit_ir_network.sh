# `nrnc emit ir` shows each connection block: its rule, weight, delay, synapse states
# with their (event) decay, and the lowered on_pre / on_post / summed code.
. "$(dirname "$0")/../lib.sh"
ROOT=$HERE/../..
"$NRNC" emit ir "$ROOT/examples/stdp.nrn" >"$WORK/stdp.ir" || fail "emit ir stdp"
"$NRNC" emit ir "$HERE/../net/brunel_hold.nrn" >"$WORK/brunel.ir" || fail "emit ir brunel"
"$NRNC" emit ir "$ROOT/examples/gap_junction.nrn" >"$WORK/gap.ir" || fail "emit ir gap"
has() {   # FILE LINE: LINE appears exactly
    grep -qxF -- "$2" "$WORK/$1" || { cat "$WORK/$1" >&2; fail "$1 lacks: $2"; }
}
has stdp.ir "connection S: In -> Out using SongSTDP (statement 1; pre 0.. of 1000, post 0.. of 1)"
has stdp.ir "  rule all"
has stdp.ir "  weight (rand() * 0.01) (per synapse, shown in 1)"
has stdp.ir "  synapse state a_pre = 0; (event) decay da_pre/dt = -50 * a_pre, applied at events"
has stdp.ir "    post.ge += w"
has stdp.ir "    w = min(max((w + a_post), 0), 0.01)"
has stdp.ir "  on_post"
has stdp.ir "    a_post += -0.000105"
has brunel.ir "connection connect1: E -> I (statement 1; pre 0.. of 10000, post 10000.. of 12500)"
has brunel.ir "  rule prob(0.1)"
has brunel.ir "  weight 0.0001 (one value for all synapses, shown in mV)"
has brunel.ir "  delay 15 steps"
has brunel.ir "  rule poisson(1000 trains; 2 spikes per target per step)"
has brunel.ir "  on_pre (additive: k spikes in a step are one += k*value)"
has gap.ir "  rule all, allow_self false"
has gap.ir "  summed post.I_gap += (w * (pre.v - post.v))"
echo ok
