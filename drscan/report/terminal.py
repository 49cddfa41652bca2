"""The rich terminal summary printed at the end of a scan."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STATUS_STYLE = {"PASS": "green", "FAIL": "bold red", "NOT_ASSESSED": "yellow"}
SEVERITY_STYLE = {"critical": "bold white on red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _verdict_table(title: str, key: str, rows: list[dict]) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(key.capitalize())
    for status in ("PASS", "FAIL", "NOT_ASSESSED"):
        table.add_column(status.replace("_", " ").title(), justify="right", style=STATUS_STYLE[status])
    for row in rows:
        table.add_row(str(row[key]), str(row["PASS"]), str(row["FAIL"]), str(row["NOT_ASSESSED"]))
    return table


def print_summary(context: dict, console: Console, worst: int = 10) -> None:
    scan = context["scan"]
    totals = context["totals"]
    console.print(
        f"[bold]drscan[/] scan {scan['id'] if scan['id'] is not None else '(not stored)'} · "
        f"{scan['resource_count']} resources · {scan['relation_count']} relations · {scan['rule_count']} rules · "
        f"{scan['duration_s']}s")
    if scan.get("data_as_of"):
        console.print(f"Data as of {escape(scan['data_as_of']['text'])}", highlight=False)
    console.print(
        f"[green]{totals['PASS']} passed[/]  [bold red]{totals['FAIL']} failed[/]  "
        f"[yellow]{totals['NOT_ASSESSED']} not assessed[/]  ·  {len(context['gaps'])} gaps")
    console.print(_verdict_table("By category", "category", context["by_category"]))

    frameworks = Table(title="By framework (controls)", title_justify="left")
    for column in ("Framework", "Controls", "Pass", "Fail", "Not assessed", "Manual", "Not covered"):
        frameworks.add_column(column, justify="left" if column == "Framework" else "right")
    for fw in context["frameworks"]:
        s = fw["summary"]
        frameworks.add_row(fw["id"], str(s["controls"]), f"[green]{s['pass']}[/]", f"[red]{s['fail']}[/]",
                           f"[yellow]{s['not_assessed']}[/]", str(s["manual"]), str(s["not_covered"]))
    console.print(frameworks)

    failing = [f for f in context["findings"] if f["status"] == "FAIL"][:worst]
    if failing:
        table = Table(title=f"Worst findings (top {len(failing)} of {totals['FAIL']})", title_justify="left")
        for column in ("Severity", "Rule", "Resource", "Reason"):
            table.add_column(column, overflow="fold")
        for f in failing:
            table.add_row(f"[{SEVERITY_STYLE.get(f['severity'], '')}]{f['severity']}[/]", f["rule_id"],
                          f["resource_name"], f["reason"])
        console.print(table)
    if context["gaps"]:
        codes: dict[str, int] = {}
        for gap in context["gaps"]:
            codes[gap["code"]] = codes.get(gap["code"], 0) + 1
        console.print("[yellow]Could not see:[/] " + ", ".join(f"{n} × {code}" for code, n in sorted(codes.items())))
    verdict = "[bold red]FAIL[/]" if scan["exit_code"] else "[bold green]PASS[/]"
    console.print(f"Gate (--fail-on {scan['fail_on']}): {verdict}")
