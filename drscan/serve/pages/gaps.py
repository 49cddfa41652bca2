"""Gaps and coverage page: per scan, what drscan could not see (gaps: access denied, throttled,
unsupported, with the operation and message) and what it therefore could not assess (the
NOT_ASSESSED findings per rule and reason); gap and not-assessed counts across scans."""

from __future__ import annotations

from drscan.serve import queries
from drscan.serve.charts import STATUS_COLOURS, Series, line_chart
from drscan.serve.pages import Page, View, pagination


def page(view: View) -> Page:
    scan = view.scan()
    number = view.integer("page", 1) or 1
    size = view.integer("size", 100, 1, queries.MAX_PAGE_SIZE) or 100
    total, gaps = queries.list_gaps(view.connection, scan["id"], number, size)
    scans = queries.list_scans(view.connection, view.settings.trend_scans)
    data = {"scan": scan, "by_service": queries.gap_counts(view.connection, scan["id"]), "gaps": gaps,
            "pagination": pagination(total, number, size),
            "not_assessed": queries.not_assessed_by_rule(view.connection, scan["id"]),
            "trend": [{"id": s["id"], "started_at": s["started_at"], "gaps": s["gaps"], "not_assessed": s["not_assessed"]}
                      for s in scans]}
    chart = line_chart("Gaps and not-assessed findings across scans", [f"#{s['id']}" for s in scans],
                       [Series("gaps", tuple(s["gaps"] for s in scans), "#51606f"),
                        Series("not assessed", tuple(s["not_assessed"] for s in scans), STATUS_COLOURS["NOT_ASSESSED"])])
    return Page("serve/gaps.html.j2", "Gaps and coverage", data, {"chart": chart})
