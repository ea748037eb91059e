# Weight files and connection errors (LANGUAGE.md §6, CLI.md exit codes).
# - A weight file is read at set-up: every bad one (bad number, short row, wrong row
#   count, sparse index out of range, sparse duplicate, truncated or wrong-dtype or
#   wrong-shape NPY, missing file, a directory) makes `nrnc run` and a built simulator
#   exit 3 with one message naming the file, the line or entry, what was expected and
#   what was found, and never crash (the sanitizer build runs this too).
# - A dense CSV (with a comment and CRLF lines), a sparse CSV (in any order), a
#   Fortran-order float32 NPY and a C-order float64 NPY of the same matrix give the same
#   synapses, weights and dynamics.
# - Model errors in a connection are compile-time errors (exit 1, FILE:LINE:COL): a literal
#   matrix of the wrong shape, a weight in the wrong unit, a negative constant delay,
#   prob(1.5), fixed_indegree(k) with k above the number of sources.
. "$(dirname "$0")/../lib.sh"
cd "$WORK"

# model NAME WEIGHTS: NAME.nrn, 3 neurons of A -> 4 of B with the weights from file WEIGHTS;
# the three A neurons start above threshold, so each spikes once at 0.1 ms.
model() {
    cat > "$1.nrn" <<EOF
neuron U {
    param tau = 10 ms
    state v = 0 mV
    dv/dt = -v / tau
    threshold v > 10 mV
    reset { v = 0 mV }
}
network Net {
    population A = U[3]
    population B = U[4]
    A.v = 20 mV
    connect A -> B as C {
        weight file "$2"
        on_pre { post.v += w * 1 mV }
    }
    record w of C every 1 ms
    record v of B
    record spikes of A, B
}
simulate Net for 2 ms
EOF
}

# clean: the last command's stderr shows no sanitizer report
clean() {
    if grep -q -e 'runtime error' -e 'Sanitizer' -e 'LeakSanitizer' "$WORK/stderr"; then
        cat "$WORK/stderr" >&2
        fail "$1: sanitizer report"
    fi
}

# bad NAME FILE TEXT...: nrnc run exits 3 naming FILE, and its message holds each TEXT
bad() {
    name=$1; file=$2; shift 2
    model "m_$name" "$file"
    expect_exit 3 "$NRNC" run "m_$name.nrn" --out "out_$name" --quiet
    clean "$name"
    expect_stderr "connection 'C': $WORK/$file"   # resolved at compile time: absolute
    for text in "$@"; do expect_stderr "$text"; done
    [ "$(wc -l < "$WORK/stderr")" -le 3 ] || { cat "$WORK/stderr" >&2; fail "$name: more than one message"; }
}

# --- NPY writing: magic, version 1.0, u16 header length, the dict padded with spaces
# so that the whole preamble is a multiple of 64 bytes, ending in a newline.
npy_header() {   # DESCR FORTRAN SHAPE
    dict="{'descr': '$1', 'fortran_order': $2, 'shape': $3, }"
    hlen=$((${#dict} + 1))
    pad=$(((64 - (10 + hlen) % 64) % 64))
    hlen=$((hlen + pad))
    printf '\223NUMPY\001\000'
    printf "\\$(printf %03o $((hlen % 256)))\\$(printf %03o $((hlen / 256)))"
    printf '%s' "$dict"
    printf "%${pad}s" ''
    printf '\n'
}
f4() {   # little-endian float32 bytes of each value
    for x in "$@"; do
        case $x in
            0) printf '\000\000\000\000' ;;   0.5) printf '\000\000\000\077' ;;
            1) printf '\000\000\200\077' ;;   1.5) printf '\000\000\300\077' ;;
            2) printf '\000\000\000\100' ;;   3) printf '\000\000\100\100' ;;
            4) printf '\000\000\200\100' ;;   -1) printf '\000\000\200\277' ;;
            *) fail "f4: no bytes for $x" ;;
        esac
    done
}
f8() {   # little-endian float64 bytes of each value
    for x in "$@"; do
        printf '\000\000\000\000\000\000'
        case $x in
            0) printf '\000\000' ;;   0.5) printf '\340\077' ;;   1) printf '\360\077' ;;
            1.5) printf '\370\077' ;; 2) printf '\000\100' ;;     3) printf '\010\100' ;;
            4) printf '\020\100' ;;   -1) printf '\360\277' ;;
            *) fail "f8: no bytes for $x" ;;
        esac
    done
}

# ---------------------------------------------------------------- good files agree
# W = [[0.5, 0, 1, 2], [0, 0, 0, 1.5], [-1, 2, 3, 4]]: 8 connections (zeros make none)
printf '0.5,0,1,2\n0,0,0,1.5\n-1,2,3,4\n' > dense.csv
printf '# W for A -> B\r\n0.5, 0, 1, 2\r\n\r\n0,0,0,1.5\r\n-1,2,3,4\r\n' > dense_crlf.csv
printf 'pre,post,weight\n2,3,4\n0,0,0.5\n0,2,1\n2,0,-1\n0,3,2\n1,3,1.5\n2,1,2\n2,2,3\n' > sparse.csv
{ npy_header '<f4' True '(3, 4)'; f4 0.5 0 -1  0 0 2  1 0 3  2 1.5 4; } > fortran.npy
{ npy_header '<f8' False '(3, 4)'; f8 0.5 0 1 2  0 0 0 1.5  -1 2 3 4; } > c8.npy
[ $((($(wc -c < fortran.npy) - 48) % 64)) = 0 ] || fail "fortran.npy: the preamble is not a multiple of 64 bytes"
for f in dense.csv dense_crlf.csv sparse.csv fortran.npy c8.npy; do
    n=${f%.*}_${f#*.}
    model "m_$n" "$f"
    expect_exit 0 "$NRNC" run "m_$n.nrn" --out "out_$n" --quiet
    clean "$f"
    grep -q '"synapses": 8,' "out_$n/summary.json" || fail "$f: expected 8 synapses"
done
# the weights at t = 0: (pre, post, value), sorted by pre then post
want='0,0,0,0.5 0,0,2,1 0,0,3,2 0,1,3,1.5 0,2,0,-1 0,2,1,2 0,2,2,3 0,2,3,4'
got=$(awk -F, '$1 == "0"' out_dense_csv/weights_C_w.csv | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "dense.csv weights: got '$got', expected '$want'"
# B.v after the A spikes (delivered at 0.1 ms): the column sums of W in mV, decayed over
# one step of 0.1 ms with tau 10 ms
awk -F, '$1 == "0.2" { seen = 1; d = exp(-0.01); split("-0.5 2 4 7.5", s, " ")
        for (j = 1; j <= 4; j++) { x = $(j + 1) - s[j] * d; if (x < -1e-9 || x > 1e-9) bad = 1 } }
    END { exit !(seen && !bad) }' out_dense_csv/trace_B_v.csv || fail "dense.csv: B.v at 0.2 ms is not the column sums of W"
for n in dense_crlf_csv sparse_csv fortran_npy c8_npy; do
    for f in weights_C_w.csv trace_B_v.csv spikes.csv; do
        cmp -s "out_dense_csv/$f" "out_$n/$f" || fail "$n: $f differs from the dense CSV's"
    done
done

# ---------------------------------------------------------------- bad files: exit 3
printf '0.5,0,1,2\n0,0,x,1.5\n-1,2,3,4\n' > badnum.csv
bad badnum badnum.csv "badnum.csv:2: column 3: 'x' is not a number"
printf '0.5,0,1,2\n0,0,1.5\n-1,2,3,4\n' > shortrow.csv
bad shortrow shortrow.csv "shortrow.csv:2: expected 4 values (one per post-synaptic neuron), found 3"
printf '0.5,0,1,2\n0,0,0,1.5\n' > tworows.csv
bad tworows tworows.csv "tworows.csv: expected 3 rows (one per pre-synaptic neuron), found 2"
printf '0.5,0,1,2\n0,0,0,1.5\n-1,2,3,4\n1,1,1,1\n' > fourrows.csv
bad fourrows fourrows.csv "fourrows.csv: expected 3 rows (one per pre-synaptic neuron), found 4"
printf 'pre,post,weight\n0,0,0.5\n1,4,1.0\n' > sp_post.csv
bad sp_post sp_post.csv "sp_post.csv:3: post index 4 is outside 0..3 (4 post-synaptic neurons)"
printf 'pre,post,weight\n0,0,0.5\n3,1,1.0\n' > sp_pre.csv
bad sp_pre sp_pre.csv "sp_pre.csv:3: pre index 3 is outside 0..2 (3 pre-synaptic neurons)"
printf 'pre,post,weight\n0,0,0.5\n1,2,1.0\n0,0,2\n' > sp_dup.csv
bad sp_dup sp_dup.csv "sp_dup.csv:4: duplicate entry pre 0, post 0 (already given on line 2)"
npy_header '<f4' True '(3, 4)' | head -c 40 > trunc_hdr.npy
bad trunc_hdr trunc_hdr.npy "the header length (118 bytes) goes past the end of the file (40 bytes)"
{ npy_header '<i8' False '(3, 4)'; head -c 96 /dev/zero; } > int64.npy
bad int64 int64.npy "dtype '<i8' is not supported" "float64 ('<f8') or float32 ('<f4')"
{ npy_header '<f4' False '(4, 3)'; f4 0 0 0 0 0 0 0 0 0 0 0 0; } > shape43.npy
bad shape43 shape43.npy "shape (4, 3) does not match the populations: expected (3, 4)"
{ npy_header '<f4' False '(3, 4)'; f4 0 0 0 0 0 0 0 0 0 0 0; } > shortdata.npy
bad shortdata shortdata.npy "data is truncated: expected 48 bytes, found 44"
bad missing missing.csv "missing.csv: cannot open: No such file or directory"
mkdir adir.csv
bad adir adir.csv "adir.csv: not a regular file (it is a directory)"

# A built simulator reads its weight file at set-up too, from the absolute path resolved
# when it was built: it runs from any working directory.
cp dense.csv built.csv
model m_built built.csv
"$NRNC" build m_built.nrn -o "$WORK/built.sim" || fail "nrnc build"
(cd / && "$WORK/built.sim" --out "$WORK/out_built" --quiet) || fail "built simulator run from /"
cmp -s out_built/weights_C_w.csv out_dense_csv/weights_C_w.csv || fail "built simulator: weights differ"
cp shortrow.csv built.csv
expect_exit 3 "$WORK/built.sim" --out out_built2 --quiet
clean built
expect_stderr "built.csv:2: expected 4 values (one per post-synaptic neuron), found 3"
cp sp_dup.csv built.csv
expect_exit 3 "$WORK/built.sim" --out out_built3 --quiet
expect_stderr "built.csv:4: duplicate entry pre 0, post 0 (already given on line 2)"
rm built.csv
expect_exit 3 "$WORK/built.sim" --out out_built4 --quiet
expect_stderr "built.csv: cannot open"

# ---------------------------------------------------------------- model errors: exit 1
# conn NAME SOURCES BODY: NAME.nrn with `connect SOURCES -> B { BODY }`
conn() {
    cat > "$1.nrn" <<EOF
neuron U {
    param tau = 10 ms
    state v = 0 mV
    dv/dt = -v / tau
    threshold v > 10 mV
    reset { v = 0 mV }
}
network Net {
    population A = U[3]
    population B = U[4]
    connect $2 -> B {
        $3
    }
    record spikes of A, B
}
simulate Net for 1 ms
EOF
}
conn shape A 'weight [[1, 2, 3, 4], [1, 2, 3, 4]] mV
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" check shape.nrn
expect_stderr "shape.nrn:12:16: error: weight matrix shape does not match"
expect_stderr "expected 3 rows (pre-synaptic neurons) of 4 columns (post-synaptic neurons)"
conn shape2 A 'weight [[1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4]] mV
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" run shape2.nrn --out out_shape2 --quiet
expect_stderr "shape2.nrn:12:16: error: weight matrix shape does not match"
conn unit A 'weight 1 nS
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" check unit.nrn
expect_stderr "unit.nrn:13:28: error: unit mismatch"
expect_stderr "must be in mV"
conn delay A 'weight 1 mV
        delay -1 ms
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" check delay.nrn
expect_stderr "delay.nrn:13:15: error: a delay must not be negative, got -1 ms"
conn prob A 'rule prob(1.5)
        weight 1 mV
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" check prob.nrn
expect_stderr "prob.nrn:12:19: error: prob(p) needs 0 <= p <= 1, got 1.5"
conn indeg A 'rule fixed_indegree(4)
        weight 1 mV
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" run indeg.nrn --out out_indeg --quiet
expect_stderr "indeg.nrn:12:29: error: fixed_indegree(k) needs k <= 3 (the number of source neurons), got 4"
# with two sources the count is their sum (3 + 4)
conn indeg2 'A, B' 'rule fixed_indegree(8)
        weight 1 mV
        on_pre { post.v += w }'
expect_exit 1 "$NRNC" check indeg2.nrn
expect_stderr "indeg2.nrn:12:29: error: fixed_indegree(k) needs k <= 7 (the number of source neurons), got 8"
conn indeg3 'A, B' 'rule fixed_indegree(7)
        weight 1 mV
        on_pre { post.v += w }'
expect_exit 0 "$NRNC" check indeg3.nrn
echo ok
