# nrnc --version: "nrnc VERSION (LLVM X.Y.Z)", VERSION that of CMakeLists.txt's project()
# and LLVM the 19 it is built for; --help says it exists.
. "$(dirname "$0")/../lib.sh"
version=$(sed -n 's/^project(nrnc VERSION \([0-9.]*\).*/\1/p' "$HERE/../../CMakeLists.txt")
[ -n "$version" ] || fail "no project version in CMakeLists.txt"
expect_exit 0 "$NRNC" --version
[ ! -s "$WORK/stderr" ] || fail "--version: nothing on stderr expected"
[ "$(wc -l <"$WORK/stdout")" = 1 ] || fail "--version: one line expected"
grep -qx "nrnc $version (LLVM 19\.[0-9]*\.[0-9]*)" "$WORK/stdout" ||
    fail "--version printed '$(cat "$WORK/stdout")', expected 'nrnc $version (LLVM 19.x.y)'"
expect_exit 0 "$NRNC" --help
grep -q "nrnc --version .*LLVM" "$WORK/stdout" || fail "--help does not list --version"
echo ok
