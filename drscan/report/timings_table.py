"""`drscan scan --timings`: where the scan's time went, as the `timings` object of findings.json
and as tables printed at the end of the scan (stages; per live-AWS service and per API operation:
calls, retries, API wait, backoff, CPU). Reads what the collect stage measured
(drscan.collect.aws.timings.ApiTimings) and the scan's stage clock; writes nothing itself."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from drscan.report.terminal import shown

TOP_OPERATIONS = 15  # operation rows shown in the terminal (all of them are in findings.json)


def timings_document(stages: dict[str, float], api: Any | None) -> dict[str, Any]:
    """{"stages": {name: seconds}, "aws": {"totals", "services", "operations"}} (aws only for live AWS)."""
    document: dict[str, Any] = {"stages": {name: round(seconds, 3) for name, seconds in stages.items()}}
    if api is not None:
        document["aws"] = api.to_json()
    return document


def print_timings(document: dict[str, Any], console: Console) -> None:
    stages = document["stages"]
    console.print("Stages: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in stages.items()))
    aws = document.get("aws")
    if not aws:
        return
    totals = aws["totals"]
    console.print(f"AWS: {totals['calls']} calls, {totals['requests']} requests ({totals['retries']} retries), "
                  f"API wait {totals['api_wait_s']:.2f} s (backoff {totals['backoff_s']:.2f} s), "
                  f"CPU {totals['sdk_cpu_s']:.2f} s in the SDK + {totals['own_cpu_s']:.2f} s drscan "
                  "(times are summed over concurrent tasks)")
    table = Table(title="AWS time by service", title_justify="left")
    for column in ("Service", "Tasks", "Calls", "Retries", "Errors", "API wait s", "Backoff s", "SDK CPU s",
                   "Own CPU s", "Task wall s"):
        table.add_column(column, justify="left" if column == "Service" else "right")
    for row in aws["services"]:
        table.add_row(shown(row["service"]), str(row["tasks"]), str(row["calls"]), str(row["retries"]), str(row["errors"]),
                      f"{row['api_wait_s']:.2f}", f"{row['backoff_s']:.2f}", f"{row['sdk_cpu_s']:.2f}",
                      f"{row['own_cpu_s']:.2f}", f"{row['task_wall_s']:.2f}")
    console.print(table)
    operations = aws["operations"]
    table = Table(title=f"Slowest AWS operations ({min(TOP_OPERATIONS, len(operations))} of {len(operations)})",
                  title_justify="left")
    for column in ("Service", "Operation", "Calls", "Retries", "Errors", "API wait s", "Backoff s", "Mean ms"):
        table.add_column(column, justify="left" if column in ("Service", "Operation") else "right")
    for row in operations[:TOP_OPERATIONS]:
        table.add_row(shown(row["service"]), shown(row["operation"]), str(row["calls"]), str(row["retries"]),
                      str(row["errors"]), f"{row['api_wait_s']:.2f}", f"{row['backoff_s']:.2f}",
                      f"{1000 * row['api_wait_s'] / max(1, row['calls']):.0f}")
    console.print(table)
