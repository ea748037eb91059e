# A weight file's numbers are in the unit written after its path (`weight file "W.csv" mV`),
# dimensionless without one: so a file can never be read in the wrong unit. Entries of
# 0.5 and 1.5 with mV move v by 0.5 mV and 1.5 mV; without the unit, adding w to a
# voltage is a unit mismatch; with the wrong unit (nS), too.
. "$(dirname "$0")/../lib.sh"
printf '0.5,0\n0,1.5\n' > "$WORK/W.csv"
model() {   # UNIT
    cat > "$WORK/m.nrn" <<EOF
neuron Cell {
    state v = 0 mV
}
network Net {
    population G = spike_source[2](times = [[1 ms], [2 ms]])
    population P = Cell[2]
    connect G -> P {
        weight file "W.csv" $1
        on_pre { post.v += w }
    }
    record v of P
}
simulate Net for 3 ms
EOF
}
model mV
"$NRNC" run "$WORK/m.nrn" --out "$WORK/out" --quiet || fail "run with mV"
tail -1 "$WORK/out/trace_P_v.csv" | grep -qx '3,0.5,1.5' || { tail -1 "$WORK/out/trace_P_v.csv"; fail "v should end at 0.5 and 1.5 mV"; }
model ""
expect_exit 1 "$NRNC" check "$WORK/m.nrn"
expect_stderr "m.nrn:9:28: error: unit mismatch: the value assigned to 'v' must be in mV, but this is dimensionless"
model nS
expect_exit 1 "$NRNC" check "$WORK/m.nrn"
expect_stderr "unit mismatch"
echo ok
