#!/bin/sh
# Usage: bench/run.sh PATH/TO/nrnc
# Prints compile, set-up and run times (from summary.json) and ns per neuron-step.
set -eu
nrnc=${1:?usage: bench/run.sh PATH/TO/nrnc}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for model in lif_throughput; do
    "$nrnc" run "$here/$model.nrn" --out "$out/$model" --quiet
    awk -v model=$model '
        /"size"/ { gsub(/[^0-9]/, "", $4); n += $4 }
        /"compile"/ { for (i = 1; i <= NF; i++) { if ($i ~ /compile/) c = $(i+1); if ($i ~ /setup/) s = $(i+1); if ($i ~ /"run"/) r = $(i+1) } }
        /"duration_ms"/ { d = $2 }
        /"dt_ms"/ { dt = $2 }
        END {
            gsub(/[,}]/, "", c); gsub(/[,}]/, "", s); gsub(/[,}]/, "", r); gsub(/,/, "", d); gsub(/,/, "", dt)
            steps = d / dt
            printf "%s: compile %s s, setup %s s, run %s s, %.2f ns per neuron-step\n", model, c, s, r, r * 1e9 / (n * steps)
        }' "$out/$model/summary.json"
done
