# `-o` names the file that build, emit and plot write (CLI.md); a run writes a folder,
# named by --out. `nrnc run -o DIR` used to be ignored silently (the results went to
# nrn-out/): now it is a usage error (exit 2) that says to use --out, and writes nothing.
. "$(dirname "$0")/../lib.sh"
M=$HERE/lif_spec.nrn
cd "$WORK"
expect_exit 2 "$NRNC" run "$M" -o res
expect_stderr "run writes a folder: use --out res"
[ ! -e res ] && [ ! -e nrn-out ] || fail "run -o wrote a folder"
expect_exit 2 "$NRNC" run "$M" --quiet -o=res
expect_stderr "use --out res"
expect_exit 2 "$NRNC" check "$M" -o res
expect_stderr "check takes only a model file"
# --out, both spellings, still work, and -o still works where it belongs
"$NRNC" run "$M" --out res --quiet || fail "run --out"
"$NRNC" run "$M" --out=res2 --quiet || fail "run --out="
[ -s res/spikes.csv ] && [ -s res2/spikes.csv ] || fail "run --out wrote no spikes"
"$NRNC" emit ir "$M" -o ir.txt || fail "emit -o"
[ -s ir.txt ] || fail "emit -o wrote nothing"
echo ok
