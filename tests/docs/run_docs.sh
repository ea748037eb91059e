#!/bin/sh
# Runs the examples of a documentation page, so that the page stays true.
#
#   run_docs.sh NRNC DOCS_DIR PAGE [WORK_DIR]      PAGE: language | tutorial
#
# Fenced blocks of DOCS_DIR/PAGE.md, by their info string:
#   ```nrn        a complete model: `nrnc check` must exit 0
#   ```nrn run    the same, and `nrnc run --quiet --duration 20ms` must exit 0 and leave a
#                 summary.json that says "completed"
#   ```nrn error  a wrong model: `nrnc check` must exit 1 with FILE:LINE:COL: error: ...
#   ```sh         (tutorial only) commands, run in order with `sh -e` in one scratch folder,
#                 with the folder of NRNC first on PATH; any failing command fails the test
#   ```text checked
#                 the exact standard output of the ```sh block just before it, or the
#                 exact diagnostics (stderr) of the ```nrn error block just before it
# A line ending in "Save this as NAME:" (NAME in backquotes or not) just before a block saves the
# block under NAME in the scratch folder before it is used, so later blocks and commands
# can import or run it. Other blocks (```text, ```json, ...) are prose only.
# A ```nrn block that runs is reported as a note (it may be ready to become ```nrn run).
set -eu

[ $# -ge 3 ] || { echo "usage: $0 NRNC DOCS_DIR language|tutorial [WORK_DIR]" >&2; exit 2; }
case $1 in
/*) NRNC=$1 ;;
*) NRNC=$(pwd)/$1 ;;
esac
DOC=$2/$3.md
PAGE=$3
WORK=${4:-${TMPDIR:-/tmp}/nrn-docs-$PAGE.$$}
[ -x "$NRNC" ] || { echo "FAIL: no nrnc at $NRNC" >&2; exit 1; }
[ -f "$DOC" ] || { echo "FAIL: no page $DOC" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/blocks" "$WORK/scratch" "$WORK/runs"
SCRATCH=$WORK/scratch
BIN=$(dirname "$NRNC")

# Pass 1 (awk): every fenced block into its own file, and a manifest line per block:
#   KIND <tab> LINE <tab> BLOCK_FILE <tab> SAVE_NAME (or "-")
awk -v dir="$WORK/blocks" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
BEGIN { inblock = 0; pending = ""; n = 0 }
{
    if (!inblock) {
        if ($0 ~ /^```/) {
            info = trim(substr($0, 4))
            gsub(/[ \t]+/, " ", info)
            if (info == "nrn") kind = "nrn"
            else if (info == "nrn run") kind = "nrnrun"
            else if (info == "nrn error") kind = "nrnerror"
            else if (info == "sh") kind = "sh"
            else if (info == "text checked") kind = "expect"
            else kind = "other"
            n++
            file = sprintf("%s/%03d.txt", dir, n)
            printf "" > file
            start = NR
            name = pending == "" ? "-" : pending
            pending = ""
            inblock = 1
            next
        }
        line = trim($0)
        if (match(line, /Save this as `?[A-Za-z0-9_.-]+`?:$/)) {
            line = substr(line, RSTART + 13)
            gsub(/[`:]/, "", line)
            pending = line
        } else if (line != "") {
            pending = ""
        }
        next
    }
    if ($0 ~ /^```[ \t]*$/) {
        close(file)
        printf "%s\t%d\t%s\t%s\n", kind, start, file, name
        inblock = 0
        next
    }
    print >> file
}
END {
    if (inblock) { printf "unclosed\t%d\t%s\t-\n", start, file }
}' "$DOC" > "$WORK/manifest"

failures=0
blocks=0
fail() {
    echo "FAIL: $PAGE.md:$1: $2" >&2
    failures=$((failures + 1))
}
show() { sed 's/^/    | /' "$1" >&2; }

# nrnc check on FILE (in the scratch folder); stderr kept in $WORK/stderr
check() {
    set +e
    (cd "$SCRATCH" && "$NRNC" check "$1") >"$WORK/stdout" 2>"$WORK/stderr"
    rc=$?
    set -e
}

last_out=$WORK/last.out
: >"$last_out"
tab=$(printf '\t')
while IFS=$tab read -r kind line file name; do
    case $kind in
    unclosed)
        fail "$line" "code block is not closed"
        continue ;;
    other | nrn | nrnrun | nrnerror)
        if [ "$name" != "-" ]; then
            cp "$file" "$SCRATCH/$name"
        fi ;;
    esac
    case $kind in
    nrn | nrnrun | nrnerror)
        blocks=$((blocks + 1))
        model=$name
        if [ "$model" = "-" ]; then
            model=block_$line.nrn
            cp "$file" "$SCRATCH/$model"
        fi
        check "$model"
        if [ "$kind" = nrnerror ]; then
            cp "$WORK/stderr" "$last_out"
            if [ "$rc" != 1 ]; then
                fail "$line" "'nrnc check' exited $rc on a model documented as wrong (expected 1)"
                show "$WORK/stderr"
            elif ! grep -q "^$model:[0-9][0-9]*:[0-9][0-9]*: error: " "$WORK/stderr"; then
                fail "$line" "no 'FILE:LINE:COL: error:' diagnostic"
                show "$WORK/stderr"
            fi
            continue
        fi
        if [ "$rc" != 0 ]; then
            fail "$line" "'nrnc check' exited $rc"
            show "$WORK/stderr"
            continue
        fi
        out=$WORK/runs/$line
        set +e
        (cd "$SCRATCH" && "$NRNC" run "$model" --quiet --out "$out" --duration 20ms) \
            >"$WORK/stdout" 2>"$WORK/stderr"
        rc=$?
        set -e
        if [ "$kind" = nrnrun ]; then
            if [ "$rc" != 0 ]; then
                fail "$line" "'nrnc run' exited $rc"
                show "$WORK/stderr"
            elif ! grep -q '"status": "completed"' "$out/summary.json" 2>/dev/null; then
                fail "$line" "'nrnc run' left no summary.json that says completed"
            fi
        elif [ "$rc" = 0 ]; then
            echo "note: $PAGE.md:$line: this 'nrn' block now runs (mark it 'nrn run'?)" >&2
        fi ;;
    sh)
        [ "$PAGE" = tutorial ] || continue
        blocks=$((blocks + 1))
        set +e
        (cd "$SCRATCH" && PATH=$BIN:$PATH && export PATH && sh -e "$file") \
            >"$last_out" 2>"$WORK/stderr"
        rc=$?
        set -e
        cp "$last_out" "$WORK/blocks/output_of_line_$line.txt"
        if [ "$rc" != 0 ]; then
            fail "$line" "commands exited $rc"
            show "$file"
            echo "  output:" >&2
            show "$last_out"
            show "$WORK/stderr"
            echo "stopping: later commands depend on these" >&2
            break
        fi ;;
    expect)
        blocks=$((blocks + 1))
        if ! cmp -s "$file" "$last_out"; then
            fail "$line" "the output shown differs from the output of the block before it"
            echo "  shown:" >&2
            show "$file"
            echo "  actual:" >&2
            show "$last_out"
        fi ;;
    esac
done <"$WORK/manifest"

if [ "$blocks" = 0 ]; then
    echo "FAIL: $PAGE.md has no tested blocks" >&2
    exit 1
fi
if [ "$failures" != 0 ]; then
    echo "$PAGE.md: $failures of $blocks blocks failed" >&2
    exit 1
fi
echo "$PAGE.md: $blocks blocks ok"
