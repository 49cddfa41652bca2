"""Diff page: any two scans side by side (drscan.history.diff_scans, as `drscan diff`): new,
regressed, resolved and still-failing findings; resources added, removed and changed with each
attribute's before and after. The HTML shows the first rows of each section; the JSON twin has all."""

from __future__ import annotations

from drscan.history import diff_scans
from drscan.serve import queries
from drscan.serve.pages import NotFound, Page, View

SHOWN_PER_SECTION = 200


def page(view: View) -> Page:
    scans = queries.list_scans(view.connection)
    ids = [s["id"] for s in scans]
    old_id, new_id = view.integer("old"), view.integer("new")
    if new_id is None:
        new_id = ids[-1] if ids else None
    if old_id is None and new_id is not None:
        earlier = [i for i in ids if i < new_id]
        old_id = earlier[-1] if earlier else None
    if old_id is None or new_id is None:
        raise NotFound(f"a diff needs two scans; the database has {len(ids)}")
    by_id = {s["id"]: s for s in scans}
    for scan_id in (old_id, new_id):
        if scan_id not in by_id:
            raise NotFound(f"scan {scan_id} not found")
    old, new = by_id[old_id], by_id[new_id]
    result = view.settings.memo.get(("diff", old_id, new_id, old["started_at"], new["started_at"]),
                                    lambda: diff_scans(view.connection, old_id, new_id))
    document = result.as_dict()
    data = {"old": old, "new": new, "scans": [{"id": s["id"], "started_at": s["started_at"]} for s in scans], **document}
    return Page("serve/diff.html.j2", f"Diff: scan {old_id} → {new_id}", data, {"shown": SHOWN_PER_SECTION})
