"""Charts for the violation reports, drawn server-side as inline SVG (no CDN, no JavaScript).

Plain SVG strings keep the pages light and printable, and the same markup is served as
``image/svg+xml`` by the API. Every label is XML-escaped: category names and organisation
names come from data.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
FONT = 'font-family="sans-serif" font-size="11"'


def _nice_max(v: float) -> int:
    """The smallest 4 x step (step 1, 2, 5, 10, 20, ...) at or above ``v``: four whole-number gridlines."""
    mag = 1
    while True:
        for step in (1, 2, 5):
            if 4 * step * mag >= v:
                return 4 * step * mag
        mag *= 10


def trend(series: list[dict[str, Any]], title: str = "Violations per period", width: int = 760,
          height: int = 300, top_n: int = 6) -> str:
    """Stacked bars per period, one colour per category (the ``top_n`` largest, the rest as 'other')."""
    totals: dict[str, int] = {}
    for p in series:
        for cat, n in p["by_category"].items():
            totals[cat] = totals.get(cat, 0) + n
    cats = [c for c, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:top_n]]
    has_other = len(totals) > len(cats)
    left, right, top, bottom = 44, 10, 28, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(p["by_category"].values()) for p in series] + [0])
    ymax = _nice_max(peak)
    n = max(len(series), 1)
    slot = plot_w / n
    bar = max(min(slot * 0.75, 40), 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" class="chart chart-trend"><title>{escape(title)}</title>',
           f'<text x="{left}" y="16" {FONT} font-weight="bold">{escape(title)}</text>']
    for i in range(5):
        v = ymax * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" {FONT} text-anchor="end">{int(v)}</text>')
    label_every = max(1, round(n / 12))
    for i, p in enumerate(series):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        parts = [(c, p["by_category"].get(c, 0)) for c in cats]
        if has_other:
            parts.append(("other", sum(v for c, v in p["by_category"].items() if c not in cats)))
        for j, (cat, v) in enumerate(parts):
            if not v:
                continue
            h = plot_h * v / ymax
            y -= h
            color = PALETTE[j % len(PALETTE)] if cat != "other" else "#bbb"
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}">'
                       f'<title>{escape(p["period"])} {escape(cat)}: {v}</title></rect>')
        if i % label_every == 0:
            cx = left + i * slot + slot / 2
            out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 14}" {FONT} text-anchor="end" '
                       f'transform="rotate(-35 {cx:.1f} {top + plot_h + 14})">{escape(p["period"])}</text>')
    legend = cats + (["other"] if has_other else [])
    lx = left
    for j, cat in enumerate(legend):
        color = PALETTE[j % len(PALETTE)] if cat != "other" else "#bbb"
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 5}" {FONT}>{escape(cat)}</text>')
        lx += 24 + 7 * len(cat)
    if not series:
        out.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" {FONT} text-anchor="middle">no violations</text>')
    out.append("</svg>")
    return "".join(out)


def bars(counts: dict[str, int], title: str, width: int = 420, row: int = 20) -> str:
    """Horizontal bars, largest first (categories, sources, organisations)."""
    items = sorted(((k, v) for k, v in counts.items()), key=lambda kv: -kv[1])
    label_w = min(220, 12 + 7 * max([len(str(k)) for k, _ in items] + [4]))
    height = 28 + row * max(len(items), 1) + 6
    peak = max([v for _, v in items] + [1])
    plot_w = width - label_w - 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" class="chart chart-bars"><title>{escape(title)}</title>',
           f'<text x="4" y="16" {FONT} font-weight="bold">{escape(title)}</text>']
    for i, (k, v) in enumerate(items):
        y = 28 + i * row
        w = plot_w * v / peak
        out.append(f'<text x="{label_w - 6}" y="{y + row * 0.65:.1f}" {FONT} text-anchor="end">{escape(str(k))}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(k))}: {v}</title></rect>')
        out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + row * 0.65:.1f}" {FONT}>{v}</text>')
    if not items:
        out.append(f'<text x="4" y="44" {FONT}>no data</text>')
    out.append("</svg>")
    return "".join(out)
