#!/bin/sh
# Usage: bench/suite.sh [--quick] [--models LIST] [--sizes LIST] [--runs K] [--nrnc PATH]
#                       [--base PATH] [--no-icount] [--out FILE.md] [--svg FILE.svg]
#
# The benchmark suite (issue 9): every model with nrnc (--threads 1 and 2) and with the
# peers that are installed, RUNS times each, then bench/RESULTS.md (one table of medians
# per model, ratios to each peer from the same run, the targets) and an SVG of the CUBA
# loop time against network size drawn by bench/bench_plot.c with nrnc's plot library.
# Not part of the test suite: 9 minutes with HEAVY_RUNS=1 on an idle 2-core machine
# (--quick: a few minutes).
#
# Models (LIST is a space-separated subset of "cuba coba brunel hh noisy rate"):
#   cuba    CUBA at each of SIZES neurons, p = 80 / N (bench/README.md)
#   coba    examples/coba.nrn, 4,000 neurons
#   brunel  examples/brunel.nrn, BrunelAI, 12,500 neurons, ~1.56e7 synapses
#   hh      100,000 unconnected Hodgkin-Huxley neurons (the standard library's HH)
#   noisy   100,000 unconnected LIF neurons with white noise (random-number throughput)
#   rate    2,000 rate units, a dense 2,000 x 2,000 weight matrix (matrix-vector)
# all for 1 s at dt 0.1 ms, spikes recorded (the rate network: 10 units every 10 ms).
# Peers: bench/cuba_hand.c (CUBA), Brian2 C++ standalone on one thread (bench/suite_brian2.py:
# all but rate), NEURON 8.2 (bench/hh_neuron.py: hh); a peer that is not installed is
# skipped with a message.
#
# Options and environment:
#   --quick         RUNS=1, SIZES="4000 16000", 0.1 s of biological time (NEURON 0.01 s),
#                   no instruction counts
#   --models, MODELS; --sizes, SIZES ("4000 16000 64000 256000"); --runs, RUNS (3)
#   --heavy-runs K, HEAVY_RUNS: runs of hh, noisy and rate (default: RUNS), the models
#                   whose 1 s takes minutes per run on a loaded 2-core machine
#   --nrnc PATH     the compiler (default build/compiler/nrnc)
#   --base PATH     an older nrnc, run beside this one (1 thread, interleaved) on the models
#                   that bench/README.md and docs/networks.md have figures for, so that a
#                   figure that moved can be put down to the code or to the machine
#   --no-icount     no callgrind instruction counts of `nrnc build` (CUBA 4,000, Brunel)
#   --out, --svg    where the report and the figure go (bench/RESULTS.md,
#                   bench/cuba_scaling.svg)
#   NEURON_DURATION NEURON's simulated time in s (default 0.1: its HH loop takes many
#                   minutes per simulated second here); the table scales it to 1 s and says so
#   --keep DIR      keep the raw measurements (one JSON line per run) in DIR
#   --report-from DIR   no runs: write the report and figure from a --keep DIR (give the
#                   same --models, --sizes, --runs, --heavy-runs and --base as for it)
#   BASE_LABEL      how the tables name --base (default: its path)
#   CC (cc), PYTHON (/usr/bin/python3)
#
# Times in seconds, medians of RUNS runs. nrnc: compile, setup and loop are summary.json's
# timing_s (compile, setup, run); whole = wall time of the `nrnc run` process; build =
# wall time of `nrnc build MODEL -o SIM` (text to executable, link included); peak
# memory = /usr/bin/time's maximum resident set size of the process.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
nrnc=$root/build/compiler/nrnc
base=
runs=${RUNS:-3}
models=${MODELS:-"cuba coba brunel hh noisy rate"}
sizes=${SIZES:-"4000 16000 64000 256000"}
dur=1
neuron_dur=${NEURON_DURATION:-0.1}
icount=1
out=$here/RESULTS.md
svg=$here/cuba_scaling.svg
quick=0
keep=
report_from=
cc=${CC:-cc}
py=${PYTHON:-/usr/bin/python3}
cmdline="$*"
usage() { sed -n '2,3p' "$0" | sed 's/^# //' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; icount=0; runs=1; sizes="4000 16000"; dur=0.1; neuron_dur=0.01 ;;
    --models) models=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --runs) runs=$2; shift ;;
    --heavy-runs) heavy_runs=$2; shift ;;
    --nrnc) nrnc=$2; shift ;;
    --base) base=$2; shift ;;
    --no-icount) icount=0 ;;
    --out) out=$2; shift ;;
    --keep) keep=$2; shift ;;
    --report-from) report_from=$2; shift ;;
    --svg) svg=$2; shift ;;
    *) usage ;;
    esac
    shift
done
heavy_runs=${heavy_runs:-${HEAVY_RUNS:-$runs}}
[ -x "$nrnc" ] || { echo "suite: no nrnc at '$nrnc' (build it, or pass --nrnc)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "suite: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [ "$icount" = 1 ] && ! command -v valgrind > /dev/null 2>&1; then
    icount=0; echo "callgrind: skipped: valgrind not installed"
fi
base_rev=-
if [ -n "$base" ]; then
    [ -n "$report_from" ] || [ -x "$base" ] || { echo "suite: no nrnc at '$base' (--base)" >&2; exit 2; }
    base_rev=${BASE_LABEL:-$base}
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M UTC')

. "$here/suite_lib.sh"

# ---- the models as .nrn files --------------------------------------------------------
write_models
if [ -n "$report_from" ]; then
    cp "$report_from"/* "$tmp/d/"
    models_run=
else
    models_run=$models
fi

# ---- peers that are present ------------------------------------------------------------
have_b2=0
if "$py" -c 'import brian2' > /dev/null 2>&1; then have_b2=1; else
    echo "brian2: skipped: python3-brian not installed (for $py)"; fi
have_neuron=0
if "$py" -c 'import neuron' > /dev/null 2>&1; then have_neuron=1; else
    echo "neuron: skipped: python3-neuron not installed (apt-get install python3-neuron)"; fi
t0=$(now)
"$cc" -O3 -march=native -std=c17 "$here/cuba_hand.c" -o "$tmp/cuba_hand" -lm
hand_cc_s=$(elapsed "$t0")
"$cc" -std=c17 -D_POSIX_C_SOURCE=200809L -O2 -I"$root/plot" "$here/bench_plot.c" \
    "$root/build/plot/libnrnplot.a" -lm -o "$tmp/bench_plot"

# ---- runs --------------------------------------------------------------------------------
all_runs=$runs
for m in $models_run; do
    case $m in
    cuba)
        for n in $sizes; do
            key=cuba_$n
            nrnc_all "$key" "$tmp/models/cuba_$n.nrn"
            hand_all "$key" "$n"
            if [ $have_b2 = 1 ]; then brian2_all "$key" cuba "$n"; fi
        done ;;
    coba|brunel)
        nrnc_all "$m" "$tmp/models/$m.nrn"
        if [ $have_b2 = 1 ]; then brian2_all "$m" "$m" 0; fi ;;
    noisy)
        runs=$heavy_runs
        nrnc_all noisy "$tmp/models/noisy.nrn"
        if [ $have_b2 = 1 ]; then brian2_all noisy noisy 0; fi ;;
    hh)
        runs=$heavy_runs
        nrnc_all hh "$tmp/models/hh.nrn"
        if [ $have_b2 = 1 ]; then brian2_all hh hh 100000; fi
        if [ $have_neuron = 1 ]; then neuron_all hh 100000; fi ;;
    rate)
        runs=$heavy_runs
        nrnc_all rate "$tmp/models/rate/rate.nrn" ;;
    *) echo "suite: unknown model '$m'" >&2; exit 2 ;;
    esac
    runs=$all_runs
done

# ---- report --------------------------------------------------------------------------------
if [ -z "$report_from" ]; then
    echo "started $started, finished $(date -u '+%H:%M UTC'), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" > "$tmp/d/when"
    echo "bench/suite.sh $cmdline" > "$tmp/d/command"
fi
if [ -n "$keep" ]; then mkdir -p "$keep" && cp "$tmp"/d/* "$keep"/; fi
write_report > "$out"
if echo " $models " | grep -q ' cuba '; then
    plot_points | "$tmp/bench_plot" "CUBA: loop time against network size (measured $(sed 's/started \([^,]*\),.*/\1/' "$tmp/d/when"))" > "$svg"
    echo "suite: wrote $out and $svg"
else
    echo "suite: wrote $out"
fi
