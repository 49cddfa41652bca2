"""The readiness score through every output: stored per scan (schema 4, old databases migrate),
`drscan history`, `drscan dr score`, the metrics file, the HTML report's trend chart and the
evidence pack."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from drscan import api
from drscan.cli import app as cli_app
from drscan.paths import templates_dir
from drscan.report.formats.metrics import metrics_text
from drscan.report.render import render_html
from drscan.store.db import SCHEMA_VERSION, open_db
from tests.conftest import FIXED_NOW, SAMPLES

CONFIG = SAMPLES / "drscan.yaml"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    out = tmp_path_factory.mktemp("scores")
    db = out / "drscan.db"
    first = api.scan(SAMPLES, config_path=CONFIG, db_path=db, as_of=FIXED_NOW)
    second = api.scan(SAMPLES, config_path=CONFIG, db_path=db, as_of=FIXED_NOW)
    return db, first, second


def test_scores_are_stored_per_scan_and_shown_by_history(scanned):
    db, first, second = scanned
    summary = api.history(db)
    assert [row["dr_score_by_app"]["payments"] for row in summary["scans"]] == [22, 22]
    assert summary["scans"][-1]["dr_score_by_app"]["identity"] == 50
    rows = open_db(db).execute("select disruption, score, basis from dr_scores where scan_id = ? and app = 'payments'",
                               [second.scan.id]).fetchall()
    assert ("overall", 22, "below_floor") in rows and ("zone", 0, "untested") in rows
    assert ("provider", None, "not_applicable") in rows


def test_a_version_2_database_is_migrated_and_stays_readable(scanned, tmp_path):
    db, _, _ = scanned
    old = tmp_path / "old.db"
    source = sqlite3.connect(db)
    source.backup(target := sqlite3.connect(old))
    source.close()
    target.execute("drop table dr_scores")
    target.execute("update meta set value = '2' where key = 'schema_version'")  # schema 2: drills, no dr_scores
    target.commit()
    target.close()
    summary = api.history(old)  # opens, migrates to schema 4, reads
    assert [row["dr_score_by_app"] for row in summary["scans"]] == [{}, {}]  # scores of old scans were never stored
    assert next(open_db(old).query("select value from meta where key = 'schema_version'"))["value"] == str(SCHEMA_VERSION)


def test_dr_score_command(scanned):
    db, _, _ = scanned
    runner = CliRunner()
    result = runner.invoke(cli_app, ["dr", "score", "--config", str(CONFIG), "--db", str(db), "--format", "json"])
    assert result.exit_code == 1, result.output  # payments and others are below their floors
    document = json.loads(result.output)
    apps = {a["app"]: a for a in document["apps"]}
    assert apps["identity"]["score"] == 50 and apps["identity"]["below_floor"] is False
    zone = apps["identity"]["disruptions"]["zone"]
    assert zone["score"] == 100 and zone["deciding_test"]["source"].startswith("arn:aws:fis:us-east-1:111111111111:experiment/")
    catalog = apps["catalog"]["disruptions"]
    assert catalog["zone"]["basis"] == "failed"  # FIS stopped by its stop condition
    assert catalog["data_corruption"]["basis"] == "failed" and "measured RTO" not in catalog["data_corruption"]["why"]
    assert [row["apps"]["payments"] for row in document["trend"]] == [22, 22]
    table = runner.invoke(cli_app, ["dr", "score", "--config", str(CONFIG), "--db", str(db), "--app", "payments"])
    assert "payments" in table.output and "never tested" in table.output and "identity" not in table.output


def test_metrics_and_html_trend(scanned):
    _, _, second = scanned
    text = metrics_text(second.context, 0.0, 1.0)
    assert 'drscan_dr_readiness_score{app="payments",disruption="overall"} 22' in text
    assert 'drscan_dr_readiness_score{app="identity",disruption="zone"} 100' in text
    html = render_html(second.context, templates_dir())
    assert html.count('class="score-trend"') == len(second.context["dr"]) and "DR readiness score: 22/100" in html
    payments = next(a for a in second.context["dr"] if a["name"] == "payments")
    assert payments["score_trend_svg"].count("<circle") == 2  # the first scan and this one


def test_evidence_pack_carries_the_scores(sample_pack):
    """The session's pack of the sample (`drscan pack`, conftest) rather than a pack of its own:
    rendering the pack's PDF is the longest step, and this test reads only dr/readiness.json."""
    import zipfile

    with zipfile.ZipFile(sample_pack / "evidence.zip") as pack:
        scores = json.loads(pack.read("dr/readiness.json"))
    assert {s["app"]: s["score"] for s in scores}["payments"] == 22
