#!/bin/sh
# Usage: run.sh NRNC [CASE ...] [--update]
# Runs `nrnc check CASE.nrn` in this folder (so messages show the bare file name) and
# compares stderr with CASE.err; the exit code must be 1. A case named ok_* has no .err:
# it must check cleanly (exit 0, nothing on stderr). Without CASE, runs them all.
set -u
nrnc=$1; shift
cd "$(dirname "$0")"
update=0
cases=""
for a in "$@"; do
    if [ "$a" = "--update" ]; then update=1; else cases="$cases $a"; fi
done
[ -n "$cases" ] || cases=$(ls *.err ok_*.nrn 2>/dev/null | sed 's/\.err$//; s/\.nrn$//')
status=0
for c in $cases; do
    out=$(mktemp)
    "$nrnc" check "$c.nrn" 2>"$out" >/dev/null
    rc=$?
    case $c in
    ok_*)
        if [ $rc != 0 ] || [ -s "$out" ]; then
            echo "FAIL $c: exit code $rc, expected a clean check"; cat "$out"; status=1
        fi ;;
    *)
        if [ $update = 1 ]; then
            cp "$out" "$c.err"
        elif [ $rc != 1 ]; then
            echo "FAIL $c: exit code $rc, expected 1"; cat "$out"; status=1
        elif ! diff -u "$c.err" "$out"; then
            echo "FAIL $c: diagnostics differ"; status=1
        fi ;;
    esac
    rm -f "$out"
done
exit $status
