# editors/vim: ftdetect gives .nrn files the filetype nrn, and the syntax file names the
# groups intended at a few places (the same places as tokenise.c checks in the TextMate
# grammar). Skipped (77) where vim is not installed: CI does not need it.
# usage: vim_syntax.sh SOURCE_DIR WORK_DIR
set -eu
SRC=$1
WORK=$2
command -v vim >/dev/null 2>&1 || { echo "vim not installed: skipped"; exit 77; }
rm -rf "$WORK"
mkdir -p "$WORK"
cat >"$WORK/check.vim" <<VIM
set rtp^=$SRC/editors/vim
filetype on
syntax on
let out = []
function! Group(l, c)
  return synIDattr(synID(a:l, a:c, 1), 'name')
endfunction
edit $SRC/examples/lif.nrn
call add(out, &filetype)
for [l, c] in [[1, 1], [7, 1], [9, 1], [9, 9], [10, 5], [11, 13], [11, 17], [13, 12], [14, 24], [17, 1], [17, 23]]
  call add(out, l . ':' . c . ' ' . Group(l, c))
endfor
edit $SRC/stdlib/lif.nrn
call search('dv/dt')
call add(out, 'dv/dt ' . Group(line('.'), col('.')))
edit $SRC/stdlib/morris_lecar.nrn
call search(': 1/ms')
call add(out, ': 1/ms ' . Group(line('.'), col('.') + 2))
call writefile(out, '$WORK/got')
qa!
VIM
vim -N -u NONE -i NONE -es -S "$WORK/check.vim" </dev/null || true
cat >"$WORK/want" <<'TXT'
nrn
1:1 nrnComment
7:1 nrnStatement
9:1 nrnDeclaration
9:9 nrnTypeName
10:5 nrnDeclaration
11:13 nrnNumber
11:17 nrnUnit
13:12 nrnPositional
14:24 nrnPositional
17:1 nrnStatement
17:23 nrnUnit
dv/dt nrnDerivative
: 1/ms nrnUnit
TXT
diff -u "$WORK/want" "$WORK/got"
echo ok
