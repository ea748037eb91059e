#!/usr/bin/env python3
"""A terminal screen as SVG: reads `tmux capture-pane -e -p` (text with SGR colour codes)
on stdin and writes an SVG of it on stdout. Made for the screenshot of docs/editors.md
(see editors/screenshot.sh); it knows the SGR codes Vim uses: reset, bold, reverse, the
16 colours, the 256-colour palette and 24-bit colour."""
import html
import re
import sys

CELL_W, CELL_H, FONT = 8.4, 17, 14
BASE16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
          "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]


def palette(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    v = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (v, v, v)


class Pen:
    def __init__(self, fg, bg):
        self.default = (fg, bg)
        self.fg, self.bg, self.bold, self.reverse = fg, bg, False, False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        k = 0
        while k < len(codes):
            c = codes[k]
            if c == 0:
                self.fg, self.bg = self.default
                self.bold = self.reverse = False
            elif c == 1:
                self.bold = True
            elif c == 22:
                self.bold = False
            elif c == 7:
                self.reverse = True
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37 or 90 <= c <= 97:
                self.fg = BASE16[c - 30 if c < 90 else c - 90 + 8]
            elif 40 <= c <= 47 or 100 <= c <= 107:
                self.bg = BASE16[c - 40 if c < 100 else c - 100 + 8]
            elif c in (38, 48) and k + 1 < len(codes):
                if codes[k + 1] == 5 and k + 2 < len(codes):
                    colour, k = palette(codes[k + 2]), k + 2
                elif codes[k + 1] == 2 and k + 4 < len(codes):
                    colour, k = "#%02x%02x%02x" % tuple(codes[k + 2:k + 5]), k + 4
                else:
                    colour = None
                if colour and c == 38:
                    self.fg = colour
                elif colour:
                    self.bg = colour
            elif c == 39:
                self.fg = self.default[0]
            elif c == 49:
                self.bg = self.default[1]
            k += 1

    def colours(self):
        return (self.bg, self.fg) if self.reverse else (self.fg, self.bg)


def main():
    lines = sys.stdin.read().rstrip("\n").split("\n")
    pen = Pen("#d0d0d0", "#1c1c1c")
    rows = []   # per row: list of (col, text, fg, bg, bold)
    for line in lines:
        runs, col = [], 0
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                pen.apply(part[2:-1])
            elif part:
                fg, bg = pen.colours()
                runs.append((col, part, fg, bg, pen.bold))
                col += len(part)
        rows.append(runs)
    width = max([80] + [r[-1][0] + len(r[-1][1]) for r in rows if r])
    w, h = width * CELL_W + 16, len(rows) * CELL_H + 16
    bg0 = pen.default[1]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">' % (w, h, w, h),
           '<rect width="100%%" height="100%%" fill="%s"/>' % bg0,
           '<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d">' % FONT]
    for y, runs in enumerate(rows):
        top = 8 + y * CELL_H
        for col, text, fg, bg, bold in runs:
            x = 8 + col * CELL_W
            if bg != bg0:
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                           % (x, top, len(text) * CELL_W, CELL_H, bg))
            if text.strip():
                out.append('<text x="%.1f" y="%d" fill="%s"%s xml:space="preserve" textLength="%.1f">%s</text>'
                           % (x, top + CELL_H - 4, fg, ' font-weight="bold"' if bold else "",
                              len(text) * CELL_W, html.escape(text)))
    out.append("</g></svg>")
    print("\n".join(out))


main()
