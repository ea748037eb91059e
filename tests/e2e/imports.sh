# Imports: relative to the importing file (else from NRN_PATH and the standard library),
# each file loaded once (a diamond defines its shared function once), `import name`
# through NRN_PATH before the standard library.
. "$(dirname "$0")/../lib.sh"
NRN_PATH="$HERE/imports/extra" "$NRNC" check "$HERE/imports/main.nrn" || fail "diamond import"
NRN_PATH="/nonexistent:$HERE/imports/extra" "$NRNC" run "$HERE/imports/main.nrn" --out "$WORK/out" --quiet ||
    fail "run with imports"
expect_exit 1 "$NRNC" check "$HERE/imports/main.nrn"
expect_stderr "no standard-library model named 'mymodel'"
# a path import that is not next to the importing file comes from the standard library
printf 'import "lif.nrn"\nnetwork N {\n    population P = LIF[1]\n}\nsimulate N for 1 ms\n' > "$WORK/fallback.nrn"
"$NRNC" check "$WORK/fallback.nrn" || fail "import \"lif.nrn\" from the standard library"
echo ok
