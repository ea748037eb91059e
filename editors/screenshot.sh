#!/bin/sh
# Makes docs/editors_vim.svg: Vim with editors/vim on examples/stdp.nrn, in a detached
# tmux of 96x53 cells, captured with its colours and turned into SVG by ansi2svg.py.
# Needs tmux, vim and python3; run from anywhere. Not a test: the SVG is committed.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF=$(mktemp)
trap 'rm -f "$CONF"' EXIT
printf 'set -g default-terminal "tmux-256color"\nset -g status off\n' >"$CONF"
cd "$ROOT"
tmux -f "$CONF" -L nrn-shot new-session -d -s shot -x 96 -y 53 \
    "vim -N -u NONE -i NONE --cmd 'set rtp^=$ROOT/editors/vim' --cmd 'filetype on' --cmd 'syntax on' \
     -c 'set t_Co=256 number laststatus=0 noruler noshowmode' -c 'colorscheme habamax' \
     -c 'hi Type ctermfg=150' -c 'hi Special ctermfg=216' -c 'hi Identifier ctermfg=181' \
     examples/stdp.nrn"
sleep 2
tmux -L nrn-shot capture-pane -e -p -t shot | python3 "$ROOT/editors/ansi2svg.py" >"$ROOT/docs/editors_vim.svg"
tmux -L nrn-shot kill-server
