"""Terminal output: the rich summary printed at the end of a scan, and the one way every command
prints text it did not write itself (resource names, reasons, zip entry names, error messages):
`shown()` for table cells, `markup_safe()` inside markup strings, on a `console()` that never
turns `:x:` into an emoji. Control characters and bidi overrides become visible escapes, `[red]`
stays literal, long values are cut (the full value is in the JSON output)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from drscan.safe_text import display

TERMINAL_LIMIT = 300  # characters of one untrusted value in a table cell or a message


def console(*, stderr: bool = False, min_width: int | None = None, soft_wrap: bool = False) -> Console:
    """A rich Console for drscan output: no emoji codes, no automatic highlighting of untrusted text."""
    width = max(Console().width, min_width) if min_width else None
    return Console(stderr=stderr, width=width, emoji=False, highlight=False, soft_wrap=soft_wrap)


def shown(value: object, limit: int = TERMINAL_LIMIT) -> Text:
    """An untrusted value as a table cell or print argument: inert, no markup, at most `limit` characters."""
    return Text(display("" if value is None else value, limit))


def markup_safe(value: object, limit: int = TERMINAL_LIMIT) -> str:
    """An untrusted value to put inside a markup string: inert, brackets escaped, cut to `limit`."""
    return escape(display("" if value is None else value, limit))

STATUS_STYLE = {"PASS": "green", "FAIL": "bold red", "NOT_ASSESSED": "yellow"}
SEVERITY_STYLE = {"critical": "bold white on red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _verdict_table(title: str, key: str, rows: list[dict]) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column(key.capitalize())
    for status in ("PASS", "FAIL", "NOT_ASSESSED"):
        table.add_column(status.replace("_", " ").title(), justify="right", style=STATUS_STYLE[status])
    for row in rows:
        table.add_row(shown(row[key]), str(row["PASS"]), str(row["FAIL"]), str(row["NOT_ASSESSED"]))
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
        frameworks.add_row(shown(fw["id"]), str(s["controls"]), f"[green]{s['pass']}[/]", f"[red]{s['fail']}[/]",
                           f"[yellow]{s['not_assessed']}[/]", str(s["manual"]), str(s["not_covered"]))
    console.print(frameworks)

    failing = [f for f in context["findings"] if f["status"] == "FAIL"][:worst]
    if failing:
        table = Table(title=f"Worst findings (top {len(failing)} of {totals['FAIL']})", title_justify="left")
        for column in ("Severity", "Rule", "Resource", "Reason"):
            table.add_column(column, overflow="fold")
        for f in failing:
            table.add_row(Text(display(f["severity"], 20), style=SEVERITY_STYLE.get(f["severity"], "")), shown(f["rule_id"]),
                          shown(f["resource_name"]), shown(f["reason"]))
        console.print(table)
    if context["gaps"]:
        codes: dict[str, int] = {}
        for gap in context["gaps"]:
            codes[gap["code"]] = codes.get(gap["code"], 0) + 1
        console.print("[yellow]Could not see:[/] " + ", ".join(f"{n} × {markup_safe(code, 80)}"
                                                             for code, n in sorted(codes.items())[:20])
                      + (f", ... and {len(codes) - 20} more" if len(codes) > 20 else ""))
    verdict = "[bold red]FAIL[/]" if scan["exit_code"] else "[bold green]PASS[/]"
    console.print(f"Gate (--fail-on {markup_safe(scan['fail_on'])}): {verdict}")
