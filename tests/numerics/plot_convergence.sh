#!/bin/sh
# Log-log convergence plot (SVG) from the error table that tests/numerics/convergence.sh
# writes (tab-separated: problem, method, dt_ms, error; one header line).
#
#   sh tests/numerics/plot_convergence.sh TABLE [OUT.svg]     (default: standard output)
#
# One panel per problem, in table order, each with its own error axis; one line per method,
# labelled with its observed order (the slope between the largest and the smallest dt), or
# "round-off" when all its errors are below 1e-12.
# Errors of exactly zero cannot be drawn on a log axis and are left out.
set -eu
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: plot_convergence.sh TABLE [OUT.svg]" >&2; exit 2; }
[ -r "$1" ] || { echo "plot_convergence.sh: cannot read $1" >&2; exit 2; }
if [ $# -eq 2 ]; then exec > "$2"; fi
awk -F'\t' '
function lg(x) { return log(x) / log(10) }
function fl(x) { return x == int(x) || x >= 0 ? int(x) : int(x) - 1 }
function cl(x) { return -fl(-x) }
function color(m) {
    if (m == "euler") return "#1f77b4"; if (m == "rk2") return "#ff7f0e"
    if (m == "heun") return "#2ca02c"; if (m == "rk4") return "#d62728"
    if (m == "expeuler") return "#9467bd"; if (m == "implicit") return "#8c564b"
    if (m == "rk45") return "#e377c2"; if (m == "exact") return "#17becf"
    return "#7f7f7f"
}
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
NR == 1 { next }
NF >= 4 {
    p = $1; m = $2
    if (!(p in pindex)) { pindex[p] = ++np; pname[np] = p }
    pi = pindex[p]
    key = pi SUBSEP m
    if (!(key in mindex)) { mindex[key] = ++nm[pi]; mname[pi, nm[pi]] = m }
    mi = mindex[key]
    k = ++npt[pi, mi]; dt[pi, mi, k] = $3 + 0; er[pi, mi, k] = $4 + 0
    if (!(pi in xmin) || $3 + 0 < xmin[pi]) xmin[pi] = $3 + 0
    if (!(pi in xmax) || $3 + 0 > xmax[pi]) xmax[pi] = $3 + 0
    if ($4 + 0 > 0) {
        if (!(pi in ymin) || $4 + 0 < ymin[pi]) ymin[pi] = $4 + 0
        if (!(pi in ymax) || $4 + 0 > ymax[pi]) ymax[pi] = $4 + 0
    }
}
END {
    if (np == 0) { print "plot_convergence.sh: empty table" > "/dev/stderr"; exit 1 }
    pw = 300; ph = 300; left = 70; top = 60; gap = 250; legend_h = 20
    maxm = 0; for (pi = 1; pi <= np; pi++) if (nm[pi] > maxm) maxm = nm[pi]
    W = left + np * (pw + gap) - gap + 200; H = top + ph + 60
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"%g\" y=\"18\" font-size=\"14\">Error against the closed form vs dt (log-log), from tests/numerics/convergence.sh</text>\n", left
    for (pi = 1; pi <= np; pi++) {
        x0 = left + (pi - 1) * (pw + gap)
        lx0 = lg(xmin[pi]); lx1 = lg(xmax[pi])
        if (lx1 - lx0 < 0.1) { lx0 -= 0.05; lx1 += 0.05 }
        pad = (lx1 - lx0) * 0.06; lx0 -= pad; lx1 += pad
        if (pi in ymin) { ly0 = fl(lg(ymin[pi])); ly1 = cl(lg(ymax[pi])) } else { ly0 = -16; ly1 = 0 }
        if (ly1 <= ly0) ly1 = ly0 + 1
        printf "<g>\n<text x=\"%g\" y=\"%g\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n", x0 + pw / 2, top - 15, esc(pname[pi])
        # decade grid and labels on the error axis
        step = ly1 - ly0 > 8 ? 2 : 1
        for (d = ly0; d <= ly1; d++) {
            y = top + ph - (d - ly0) / (ly1 - ly0) * ph
            printf "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#e0e0e0\"/>\n", x0, y, x0 + pw, y
            if ((d - ly0) % step == 0)
                printf "<text x=\"%g\" y=\"%g\" text-anchor=\"end\" dominant-baseline=\"middle\">1e%d</text>\n", x0 - 5, y, d
        }
        # dt ticks at the dts of the table
        for (mi = 1; mi <= nm[pi]; mi++) for (k = 1; k <= npt[pi, mi]; k++) tick[dt[pi, mi, k]] = 1
        for (v in tick) {
            x = x0 + (lg(v) - lx0) / (lx1 - lx0) * pw
            printf "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#e0e0e0\"/>\n", x, top, x, top + ph
            printf "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s</text>\n", x, top + ph + 16, v
        }
        delete tick
        printf "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"black\"/>\n", x0, top, pw, ph
        printf "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">dt (ms)</text>\n", x0 + pw / 2, top + ph + 36
        printf "<text transform=\"translate(%g,%g) rotate(-90)\" text-anchor=\"middle\">error</text>\n", x0 - 50, top + ph / 2
        # one polyline per method
        for (mi = 1; mi <= nm[pi]; mi++) {
            c = color(mname[pi, mi]); pts = ""
            for (k = 1; k <= npt[pi, mi]; k++) {
                if (er[pi, mi, k] <= 0) continue
                x = x0 + (lg(dt[pi, mi, k]) - lx0) / (lx1 - lx0) * pw
                y = top + ph - (lg(er[pi, mi, k]) - ly0) / (ly1 - ly0) * ph
                pts = pts sprintf("%.1f,%.1f ", x, y)
                printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, c
            }
            if (pts != "") printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", pts, c
            # observed order between the largest and the smallest dt
            lo = 0; hi = 0
            for (k = 1; k <= npt[pi, mi]; k++) {
                if (er[pi, mi, k] <= 0) continue
                if (!lo || dt[pi, mi, k] < dt[pi, mi, lo]) lo = k
                if (!hi || dt[pi, mi, k] > dt[pi, mi, hi]) hi = k
            }
            label = mname[pi, mi]; emax = 0
            for (k = 1; k <= npt[pi, mi]; k++) if (er[pi, mi, k] > emax) emax = er[pi, mi, k]
            if (emax < 1e-12)
                label = label " (round-off)"
            else if (lo && hi && dt[pi, mi, hi] > dt[pi, mi, lo])
                label = label sprintf(" (slope %.2f)", lg(er[pi, mi, hi] / er[pi, mi, lo]) / lg(dt[pi, mi, hi] / dt[pi, mi, lo]))
            ly = top + 10 + (mi - 1) * legend_h
            printf "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" stroke-width=\"2\"/>\n", x0 + pw + 8, ly, x0 + pw + 24, ly, c
            printf "<text x=\"%g\" y=\"%g\" dominant-baseline=\"middle\">%s</text>\n", x0 + pw + 28, ly, esc(label)
        }
        printf "</g>\n"
    }
    printf "</svg>\n"
}' "$1"
