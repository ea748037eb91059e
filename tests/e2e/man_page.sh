# docs/nrnc.1 stays in step with the program: its version is nrnc's, and it has every
# command of `nrnc --help` and every run option of `nrnc run --help`.
. "$(dirname "$0")/../lib.sh"
MAN=$HERE/../../docs/nrnc.1
version=$("$NRNC" --version | cut -d' ' -f2)
grep -q "^\.TH NRNC 1 .*\"nrnc $version\"" "$MAN" || fail "docs/nrnc.1: .TH does not say nrnc $version"
# the page as a reader sees it: roff escapes undone
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$MAN" >"$WORK/page"
for c in $("$NRNC" --help | sed -n 's/^.*nrnc \(check\|run\|build\|emit\|plot\|stats\|fit\|lsp\)\( .*\|$\)/\1/p' | sort -u); do
    grep -q "^\.B nrnc $c\$" "$WORK/page" || fail "docs/nrnc.1: no synopsis of 'nrnc $c'"
done
for opt in $("$NRNC" run --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$opt" "$WORK/page" || fail "docs/nrnc.1 does not document $opt"
done
for opt in $("$NRNC" check --help | grep -o -- '--[a-z-]*' | sort -u); do
    grep -q -- "$opt" "$WORK/page" || fail "docs/nrnc.1 does not document check's $opt"
done
echo ok
