"""DR tests as evidence: the drills file (old and new fields, one-line errors), and the Chaos Mesh
and LitmusChaos adapters on realistic custom-resource JSON."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from drscan.dr.drills import load_drills_file
from drscan.drtests.adapters import drill_tests, fis_disruption
from drscan.drtests.chaos import chaos_mesh_test, litmus_test
from drscan.errors import ConfigError

CHAOS = Path(__file__).resolve().parents[1] / "fixtures" / "chaos"
APPS = {"payments", "checkout"}


def load(tmp_path, text: str):
    path = tmp_path / "drills.yaml"
    path.write_text(text)
    return load_drills_file(path, APPS)


def test_files_of_earlier_versions_keep_working(tmp_path):
    loaded = load(tmp_path, "drills:\n  - {app: payments, date: 2026-10-01, type: drill, scenario: region_loss, measured_rto: 50m}\n"
                            "  - {app: checkout, date: 2026-06-15, type: tabletop}\n")
    drill, tabletop = loaded.drills
    assert (drill.kind, drill.disruption, drill.outcome, drill.measured_rto_seconds) == ("failover", "region", "pass", 3000)
    assert (tabletop.kind, tabletop.disruption) == ("tabletop", None)
    assert loaded.runbooks == ()


def test_new_fields_follow_ups_and_runbooks(tmp_path):
    loaded = load(tmp_path, """\
drills:
  - app: payments
    date: 2026-09-01
    kind: restore
    disruption: data_corruption
    outcome: fail
    participants: [alice]
    follow_ups:
      - {item: raise restore throughput, owner: alice, due: 2026-10-01}
      - {item: document the KMS grant, owner: bob, due: 2026-09-15, done: true}
runbooks:
  - {app: payments, reviewed_by: alice, reviewed_at: 2026-05-01, location: https://wiki.acme.example/payments-dr}
""")
    (drill,) = loaded.drills
    assert (drill.kind, drill.type, drill.disruption, drill.outcome) == ("restore", "drill", "data_corruption", "fail")
    assert [(f.item, f.due, f.done) for f in drill.follow_ups] == [("raise restore throughput", date(2026, 10, 1), False),
                                                                  ("document the KMS grant", date(2026, 9, 15), True)]
    assert drill.follow_ups[0].source.endswith("drills.yaml:9")
    (review,) = loaded.runbooks
    assert (review.reviewed_by, review.reviewed_at) == ("alice", date(2026, 5, 1))
    (test,) = drill_tests(loaded.drills)
    assert (test.kind, test.outcome, test.date) == ("restore", "fail", datetime(2026, 9, 1, tzinfo=timezone.utc))


@pytest.mark.parametrize("text,message", [
    ("drills:\n  - {app: payments, date: 2026-10-01}\n", "drills.yaml:2: invalid drills file at drills/0"),
    ("drills:\n  - {app: payments, date: 2026-10-01, kind: drill}\n", "drills.yaml:2:"),
    ("drills:\n  - {app: payments, date: 2026-10-01, kind: failover, disruption: meteor}\n", "drills.yaml:2:"),
    ("drills:\n  - {app: nobody, date: 2026-10-01, kind: failover}\n", "drills.yaml:2: drill for unknown app 'nobody'"),
    ("drills:\n  - app: payments\n    date: 2026-10-01\n    kind: failover\n    follow_ups:\n      - {item: x, owner: y, due: soon}\n",
     "drills.yaml:6: due: not a date"),
    ("runbooks:\n  - {app: payments, reviewed_by: a, reviewed_at: yesterday}\n", "drills.yaml:2: reviewed_at: not a date"),
    ("drills:\n  - {app: payments, date: 2026-10-01, kind: failover, measured_rto: fast}\n", "drills.yaml:2: measured_rto:"),
])
def test_bad_entries_are_one_line_errors_naming_file_and_line(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, text)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_litmus_result_with_its_engine():
    result = json.loads((CHAOS / "litmus-chaosresult-pod-delete.json").read_text())
    engine = json.loads((CHAOS / "litmus-chaosengine.json").read_text())
    test = litmus_test(result, engine)
    assert (test.app, test.disruption, test.kind, test.outcome) == ("payments", "zone", "chaos", "pass")
    assert test.date == datetime(2026, 11, 2, 9, 16, 11, tzinfo=timezone.utc)  # the engine's lastUpdateTime
    assert "probes 100% passed" in test.detail and "checkout-api-available: Passed" in test.detail
    # Without the engine the result alone names no app (its labels are Litmus' own): not attributable.
    assert litmus_test(result) is None
    failed = json.loads(json.dumps(result))
    failed["status"]["experimentStatus"].update(verdict="Fail", phase="Completed_With_Probe_Failure")
    assert litmus_test(failed, engine).outcome == "fail"
    failed["status"]["experimentStatus"]["verdict"] = "Awaited"
    assert litmus_test(failed, engine).outcome == "inconclusive"


def test_chaos_mesh_experiment_and_workflow():
    pod_chaos = json.loads((CHAOS / "chaos-mesh-podchaos.json").read_text())
    test = chaos_mesh_test(pod_chaos)
    assert (test.app, test.disruption, test.outcome) == ("identity", "zone", "fail")  # annotated outcome
    del pod_chaos["metadata"]["annotations"]
    assert chaos_mesh_test(pod_chaos).outcome == "inconclusive"  # Chaos Mesh does not judge the app
    workflow = json.loads((CHAOS / "chaos-mesh-workflow.json").read_text())
    test = chaos_mesh_test(workflow)
    assert (test.app, test.disruption, test.outcome) == ("catalog", "zone", "pass")
    assert test.date == datetime(2026, 11, 10, 8, 4, 2, tzinfo=timezone.utc)
    workflow["status"]["conditions"] = [{"type": "Aborted", "status": "True"}]
    assert chaos_mesh_test(workflow).outcome == "fail"
    workflow["spec"]["templates"] = [t for t in workflow["spec"]["templates"] if t["templateType"] != "StatusCheck"]
    workflow["status"]["conditions"] = [{"type": "Accomplished", "status": "True"}]
    assert chaos_mesh_test(workflow).outcome == "inconclusive"


def test_fis_actions_map_to_disruptions():
    assert fis_disruption(["aws:ec2:stop-instances", "aws:rds:failover-db-cluster"]) == "zone"
    assert fis_disruption(["aws:ec2:stop-instances", "aws:network:route-table-disrupt-cross-region-connectivity"]) == "region"
    assert fis_disruption(["aws:fis:inject-api-internal-error"]) is None
