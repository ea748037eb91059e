# Shared helpers for the shell tests (e2e, stdlib, numerics): sourced with $1 = nrnc,
# $2 = a scratch folder; HERE is the folder of the sourcing script.
set -eu
NRNC=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK"
mkdir -p "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE CMD...: runs CMD, fails unless it exits with CODE; stderr in $WORK/stderr
expect_exit() {
    want=$1; shift
    set +e
    "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    got=$?
    set -e
    [ "$got" = "$want" ] || { cat "$WORK/stderr" >&2; fail "'$*' exited $got, expected $want"; }
}
# expect_stderr TEXT: the last command's stderr contains TEXT
expect_stderr() { grep -qF -- "$1" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks '$1'"; }; }
