# A named pipe where a file is expected is refused with a message, never waited on:
# as the model, as an import, and as a spike source's file (`timeout` guards the test
# itself against a hang).
. "$(dirname "$0")/../lib.sh"
mkfifo "$WORK/pipe.nrn" "$WORK/spikes.csv"
expect_exit 1 timeout 20 "$NRNC" check "$WORK/pipe.nrn"
expect_stderr "cannot read '$WORK/pipe.nrn': it is a named pipe (FIFO); nrnc reads models from regular files only"
cat > "$WORK/imp.nrn" <<'EOF'
import "pipe.nrn"
EOF
expect_exit 1 timeout 20 "$NRNC" check "$WORK/imp.nrn"
expect_stderr "it is a named pipe (FIFO)"
cat > "$WORK/src.nrn" <<'EOF'
network Net {
    population G = spike_source[2](file = "spikes.csv")
    record spikes of G
}
simulate Net for 10 ms
EOF
expect_exit 3 timeout 20 "$NRNC" run "$WORK/src.nrn" --out "$WORK/out" --quiet
expect_stderr "spikes.csv': it is not a regular file"
echo ok
