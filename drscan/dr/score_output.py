"""`drscan dr score` output: the score table (terminal) and JSON document (report stage)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from drscan import __version__
from drscan.dr.score import DISRUPTION_ORDER, FORMULA
from drscan.report.terminal import markup_safe, shown

HEADINGS = {"zone": "Zone", "region": "Region", "provider": "Provider", "data_corruption": "Corruption",
            "account_compromise": "Account"}


def _colour(score: int | None, floor: int | None = None) -> str:
    if score is None:
        return "[dim]n/a[/]"
    style = "red" if (floor is not None and score < floor) or score < 50 else "yellow" if score < 75 else "green"
    return f"[{style}]{score}[/]"


def print_scores(report, console: Console) -> None:
    table = Table(title=f"DR readiness score - scan {report.scan.id} (as of {report.as_of.isoformat(timespec='minutes')})",
                  show_lines=True)
    for column in ("App", "Score", "Floor", *[HEADINGS[d] for d in DISRUPTION_ORDER]):
        table.add_column(column)
    for name, score in report.scores.items():
        table.add_row(f"{markup_safe(name)}\ntier {score.tier if score.tier is not None else '-'}", _colour(score.score, score.floor),
                      str(score.floor), *[f"{_colour(score.disruptions[d].score)}\n{score.disruptions[d].basis.replace('_', ' ')}"
                                          for d in DISRUPTION_ORDER])
    console.print(table)
    for name, score in report.scores.items():
        for disruption in DISRUPTION_ORDER:
            part = score.disruptions[disruption]
            if part.score is not None and part.score < 100:
                console.print(f"[bold]{markup_safe(name)}[/] {HEADINGS[disruption].lower()}: {markup_safe(part.why, 2000)}",
                              highlight=False)
    history = [row for row in report.trend if row["apps"]]
    if len(history) > 1:
        trend = Table(title="Score over time (stored scans)")
        trend.add_column("Scan")
        trend.add_column("Started")
        names = list(report.scores)
        for name in names:
            trend.add_column(shown(name))
        for row in history[-10:]:
            trend.add_row(str(row["scan_id"]), shown(row["started_at"]), *[_colour(row["apps"].get(n)) for n in names])
        console.print(trend)


def scores_json(report, exit_code: int) -> dict[str, Any]:
    return {"drscan_version": __version__, "formula": FORMULA,
            "scan": {"id": report.scan.id, "started_at": report.scan.started_at, "as_of": report.scan.as_of},
            "as_of": report.as_of.isoformat(timespec="seconds"),
            "apps": [s.as_dict() for s in report.scores.values()], "trend": report.trend, "exit_code": exit_code}
