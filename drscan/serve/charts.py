"""Server-side SVG charts for `drscan serve` (no JavaScript, no CDN): a line chart of values
across scans. Colours are SVG presentation attributes, not inline styles, so the page's strict
Content-Security-Policy allows them; every label is escaped."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#c0392b", "#a65f00", "#237a46", "#2f6fde", "#7d3c98", "#16a085", "#d35400", "#34495e", "#b03a6f", "#7f8c8d")
STATUS_COLOURS = {"FAIL": "#c0392b", "NOT_ASSESSED": "#a65f00", "PASS": "#237a46"}
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 46, 14, 14, 34
MAX_SERIES = 10


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]
    colour: str = ""


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value / 1e6:.1f}M"


def line_chart(title: str, labels: list[str], series: list[Series], unit: str = "") -> Markup:
    """One polyline and one circle per point for each series (at most MAX_SERIES), x = scans."""
    shown = [s if s.colour else Series(s.name, s.values, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series[:MAX_SERIES])]
    values = [v for s in shown for v in s.values if v is not None]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * v / top

    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 18 * ((len(shown) + 3) // 4)}"'
           f' role="img" aria-label="{escape(title)}" data-points="{len(labels)}" data-series="{len(shown)}">',
           f"<title>{escape(title)}</title>"]
    for step in range(5):
        value = top * step / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#eef1f4"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="10" fill="#6b7785">'
                   f"{escape(_number(value))}</text>")
    every = max(1, (count + 7) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == count - 1:
            out.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="10" fill="#6b7785">'
                       f"{escape(label)}</text>")
    for s in shown:
        points = [(x(i), y(v), v, labels[i] if i < len(labels) else "") for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="2" points="{path}"/>')
        for px, py, v, label in points:
            out.append(f'<circle class="pt" data-series="{escape(s.name)}" cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{s.colour}">'
                       f"<title>{escape(s.name)} {escape(label)}: {escape(_number(v))}{escape(unit)}</title></circle>")
    for i, s in enumerate(shown):
        lx, ly = LEFT + (i % 4) * (plot_w / 4), HEIGHT + 4 + 18 * (i // 4)
        out.append(f'<rect x="{lx:.1f}" y="{ly:.1f}" width="10" height="10" fill="{s.colour}"/>'
                   f'<text x="{lx + 14:.1f}" y="{ly + 9:.1f}" font-size="11" fill="#3e4c59">{escape(s.name[:28])}</text>')
    out.append("</svg>")
    return Markup("".join(out))
