"""A small server-side SVG line chart of an app's DR readiness score across scans (report
stage): self-contained markup for the HTML and PDF DR chapter, no scripts, no external assets."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 520, 150
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 26


def trend_svg(points: list[tuple[str, int | None]], floor: int | None = None, title: str = "") -> str:
    """points: (label, score) oldest first; None = no score in that scan (a gap in the line)."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(points), 1)

    def x(i: int) -> float:
        return LEFT + (inner_w * i / (count - 1) if count > 1 else inner_w / 2)

    def y(score: float) -> float:
        return TOP + inner_h * (1 - score / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'role="img" aria-label="{escape(title or "DR readiness score over time")}" class="score-trend">']
    for tick in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}" stroke="#e2e6ea" '
                     f'stroke-width="1"/><text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" font-size="9" text-anchor="end" '
                     f'fill="#5b6770">{tick}</text>')
    if floor:
        parts.append(f'<line x1="{LEFT}" y1="{y(floor):.1f}" x2="{WIDTH - RIGHT}" y2="{y(floor):.1f}" stroke="#c0392b" '
                     f'stroke-width="1" stroke-dasharray="4 3"/><text x="{WIDTH - RIGHT}" y="{y(floor) - 3:.1f}" '
                     f'font-size="9" text-anchor="end" fill="#c0392b">floor {floor}</text>')
    run: list[str] = []
    runs: list[list[str]] = []
    for i, (_, score) in enumerate(points):
        if score is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append(f"{x(i):.1f},{y(score):.1f}")
    if run:
        runs.append(run)
    for segment in runs:
        if len(segment) > 1:
            parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#1f6fb2" stroke-width="2"/>')
    step = max(1, count // 8)
    for i, (label, score) in enumerate(points):
        if score is not None:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(score):.1f}" r="3" fill="#1f6fb2"><title>{escape(label)}: '
                         f'{score}</title></circle>')
        if i % step == 0 or i == count - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" font-size="9" text-anchor="middle" fill="#5b6770">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
