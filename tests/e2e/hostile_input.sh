# Input that is not a model gets a clear error and exit code 1, never a crash or a hang:
# an empty file, a binary file, a file over the size limit, 10,000 nested parentheses,
# an unterminated string, a file cut off in the middle of a block, a directory, text that
# is not UTF-8, and a file that is text but not a model (an import of /etc/passwd).
. "$(dirname "$0")/../lib.sh"
check_fails() {   # FILE TEXT: nrnc check FILE exits 1 within 20 s and says TEXT
    set +e
    timeout 20 "$NRNC" check "$1" >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    set -e
    [ $rc = 1 ] || { cat "$WORK/stderr" >&2; fail "$1: exit code $rc, expected 1"; }
    expect_stderr "$2"
}
: > "$WORK/empty.nrn"
check_fails "$WORK/empty.nrn" "contains no model"
printf 'neuron A {\n  state v = 0\0\0\1\2 mV\n}\n' > "$WORK/binary.nrn"
check_fails "$WORK/binary.nrn" "is not a text file"
awk 'BEGIN { for (i = 0; i < 700000; i++) print "# a comment line that pads the file"; }' > "$WORK/huge.nrn"
check_fails "$WORK/huge.nrn" "too large"
awk 'BEGIN { printf "neuron A {\n  state v = 0\n  dv/dt = "; for (i = 0; i < 10000; i++) printf "("; printf "v"; for (i = 0; i < 10000; i++) printf ")"; print " / ms\n}" }' > "$WORK/nested.nrn"
check_fails "$WORK/nested.nrn" "nested too deeply"
printf 'import "never closed\nneuron A { state v = 0 }\n' > "$WORK/string.nrn"
check_fails "$WORK/string.nrn" "error:"
printf 'neuron A {\n  state v = 0 mV\n  dv/dt = -v / (10 ms\n' > "$WORK/cut.nrn"
check_fails "$WORK/cut.nrn" "error:"
mkdir -p "$WORK/dir.nrn"
check_fails "$WORK/dir.nrn" "error:"
# Latin-1 text is not UTF-8: one error where the first such byte is, nothing parsed
printf 'neuron A {\n  # caf\351\n  state v = 0\n}\n' > "$WORK/latin1.nrn"
check_fails "$WORK/latin1.nrn" "latin1.nrn:2:8: error: '$WORK/latin1.nrn' is not a text file (byte 0xE9 at offset 18 is not UTF-8)"
[ "$(grep -c 'error:' "$WORK/stderr")" = 1 ] || fail "one error expected for Latin-1 text"
# UTF-8 in comments is fine
printf 'neuron A {\n  # \316\274m, \342\200\224 caf\303\251\n  state v = 0\n}\n' > "$WORK/utf8.nrn"
expect_exit 0 "$NRNC" check "$WORK/utf8.nrn"
# a text file that is not a model: 20 errors, then one line that says it stops
awk 'BEGIN { for (i = 1; i <= 200; i++) printf "user%d:x:%d:%d::/home/u:/bin/sh\n", i, i, i }' > "$WORK/passwd"
printf 'import "passwd"\n' > "$WORK/imports_passwd.nrn"
check_fails "$WORK/imports_passwd.nrn" "passwd:21:1: error: too many errors in this file; stopping after 20"
[ "$(grep -c 'error:' "$WORK/stderr")" = 21 ] || fail "20 errors and one 'too many' line expected"
grep -q "passwd:20:1: error:" "$WORK/stderr" || fail "the 20th error is shown"
echo ok
