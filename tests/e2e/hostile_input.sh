# Input that is not a model gets a clear error and exit code 1, never a crash or a hang:
# an empty file, a binary file, a file over the size limit, 10,000 nested parentheses,
# an unterminated string, a file cut off in the middle of a block, a directory.
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
echo ok
