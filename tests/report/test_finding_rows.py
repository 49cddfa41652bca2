"""The report context of a scan's own outputs holds no dict per finding: FindingRows builds each
row as it is read, in report order, and the context is otherwise the one build_context makes
with a list of rows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from drscan.config import Config
from drscan.engine.loader import load_rules
from drscan.model import Evidence, Finding, Relation, Resource, Scan, Status
from drscan.paths import rules_dir
from drscan.report.context import FindingRows, build_context

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)


def scan_of(count: int) -> Scan:
    resources, findings = [], []
    for n in range(count):
        rid = f"arn:aws:s3:::bucket-{n:05d}"
        resources.append(Resource(kind="aws.s3.bucket", id=rid, name=f"bucket-{n:05d}", provider="aws", account="111111111111",
                                  region="us-east-1", source=f"snap.json#item {n + 1}",
                                  observed_at=f"2026-11-{1 + n % 20:02d}T00:00:00Z"))
        status = (Status.FAIL, Status.PASS, Status.NOT_ASSESSED)[n % 3]
        findings.append(Finding(rule_id=f"AWS-S3-00{1 + n % 4}", rule_version=1, resource_id=rid, resource_kind="aws.s3.bucket",
                                provider="aws", account="111111111111", region="us-east-1", status=status,
                                severity=("high", "low")[n % 2], category="encryption", controls=("cis-aws:2.1.1",),
                                evidence=(Evidence("encryption", n % 2 == 0),), reason=f"reason {n}"))
    return Scan(id=1, started_at="2026-11-21T00:00:00Z", finished_at="2026-11-21T00:00:01Z", scope={"name": "t"},
                sources=("snap.json",), resources=tuple(resources), relations=(Relation(resources[0].id, "app:a", "member_of_app"),),
                findings=tuple(findings), gaps=())


@pytest.fixture(scope="module")
def rules():
    return load_rules(rules_dir())


def test_lazy_context_equals_the_listed_one(rules):
    scan = scan_of(60)
    args = (scan, rules, Config(), "high", 1, "2026-11-21T00:00:02Z")
    listed = build_context(*args, now=NOW, dr=False)
    lazy = build_context(*args, now=NOW, dr=False, lazy=True)
    assert isinstance(lazy["findings"], FindingRows) and isinstance(listed["findings"], list)
    assert lazy["findings"] == listed["findings"]
    assert {k: v for k, v in lazy.items() if k != "findings"} == {k: v for k, v in listed.items() if k != "findings"}
    rows = lazy["findings"]
    assert len(rows) == 60 and rows[0] == listed["findings"][0] and rows[-2:] == listed["findings"][-2:]
    assert rows + [] == listed["findings"] and [] + rows == listed["findings"]
    assert [f["status"] for f in rows][:2] == ["FAIL", "FAIL"] and rows[0]["apps"] == ["a"]


def test_rows_are_built_when_read_not_held(rules):
    """Reading the rows twice builds them twice: nothing per finding is kept in the context."""
    context = build_context(scan_of(30), rules, Config(), "high", 1, now=NOW, dr=False, lazy=True)
    first, second = list(context["findings"]), list(context["findings"])
    assert first == second and all(a is not b for a, b in zip(first, second))
