#!/bin/sh
# Usage: bench/weight_hist.sh WEIGHTS.csv W_MAX T1_MS T2_MS [TITLE] > hist.svg
#
# A histogram, as an SVG, of the weights recorded by `record w of CONN` (a file
# weights_CONN_w.csv: header t_ms,pre,post,value) at two sample times, in 10 bins of
# w / W_MAX over [0, 1] (values at W_MAX fall in the last bin). `nrnc plot` draws spikes,
# traces and rates, not weights; this fills the gap for docs/networks.md. Also prints the
# counts per bin on stderr.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 WEIGHTS.csv W_MAX T1_MS T2_MS [TITLE]" >&2; exit 2; }
awk -F, -v wmax="$2" -v t1="$3" -v t2="$4" -v title="${5:-weights}" '
NR == 1 { next }
$1 == t1 || $1 == t2 {
    s = ($1 == t1) ? 1 : 2
    b = int($4 / wmax * 10)
    if (b > 9) b = 9
    if (b < 0) b = 0
    c[s, b]++
    n[s]++
}
END {
    W = 640; H = 360; L = 60; R = 20; T = 40; B = 60
    pw = W - L - R; ph = H - T - B
    max = 0
    for (s = 1; s <= 2; s++) for (b = 0; b < 10; b++) if (c[s, b] > max) max = c[s, b]
    step = 50; while (max / step > 8) step *= 2
    top = step * (int(max / step) + 1)
    col[1] = "#9aa5b1"; col[2] = "#1f77b4"
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
    printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
    printf "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", L, title
    for (y = 0; y <= top; y += step) {
        py = T + ph - y / top * ph
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n", L, py, L + pw, py
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", L - 6, py + 4, y
    }
    bw = pw / 10
    for (b = 0; b < 10; b++) {
        for (s = 1; s <= 2; s++) {
            h = c[s, b] / top * ph
            x = L + b * bw + 4 + (s - 1) * (bw - 8) / 2
            printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%d</title></rect>\n", x, T + ph - h, (bw - 8) / 2, h, col[s], c[s, b]
        }
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>\n", L + b * bw, T + ph + 16, b / 10
    }
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">1.0</text>\n", L + pw, T + ph + 16
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T + ph, L + pw, T + ph
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, T + ph
    printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">w / w_max (10 bins)</text>\n", L + pw / 2, H - 22
    printf "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">synapses</text>\n", T + ph / 2, T + ph / 2
    for (s = 1; s <= 2; s++) {
        lx = L + pw - 190; ly = T + 8 + (s - 1) * 18
        printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx, ly, col[s]
        printf "<text x=\"%d\" y=\"%d\">t = %g s (%d synapses)</text>\n", lx + 18, ly + 10, (s == 1 ? t1 : t2) / 1000, n[s]
    }
    print "</svg>"
    for (s = 1; s <= 2; s++) {
        printf "t = %s ms:", (s == 1 ? t1 : t2) > "/dev/stderr"
        for (b = 0; b < 10; b++) printf " %d", c[s, b] > "/dev/stderr"
        printf "\n" > "/dev/stderr"
    }
}' "$1"
