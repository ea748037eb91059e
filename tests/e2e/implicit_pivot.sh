# implicit solves its Newton systems with partial pivoting: a zero on the diagonal of
# I - dt J is no failure (without pivoting this run stopped with NaN at 0.1 ms).
. "$(dirname "$0")/../lib.sh"
"$NRNC" run "$HERE/implicit_pivot.nrn" --out "$WORK/out" --quiet --method implicit
tail -1 "$WORK/out/trace_P_x.csv" | grep -qx '0.1,1' || fail "x after one step"
tail -1 "$WORK/out/trace_P_y.csv" | grep -qx '0.1,1' || fail "y after one step"
echo ok
