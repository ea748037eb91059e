# `nrnc check` and `nrnc run` free everything: valgrind reports no leak (valgrind is a
# required dependency, scripts/install-deps.sh: its absence fails; the sanitizer build
# checks leaks with LeakSanitizer).
. "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (run scripts/install-deps.sh)"
# (`run` is covered by LeakSanitizer in the sanitizer build: under valgrind the JIT is slow.)
for args in "check $HERE/lif_spec.nrn" "check $HERE/../diag/many_independent_errors.nrn" \
            "emit ir $HERE/lif_10k.nrn"; do
    set +e
    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        "$NRNC" $args >/dev/null 2>"$WORK/vg.txt"
    rc=$?
    set -e
    [ $rc != 99 ] || { tail -40 "$WORK/vg.txt"; fail "valgrind found leaks or errors: nrnc $args"; }
    grep -q "definitely lost: [1-9]" "$WORK/vg.txt" && fail "definitely lost: nrnc $args"
    grep -q "ERROR SUMMARY: 0 errors" "$WORK/vg.txt" || { tail -40 "$WORK/vg.txt"; fail "valgrind errors: nrnc $args"; }
done
echo ok
