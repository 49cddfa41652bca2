"""End to end: a real drill stored in drscan.db, then a scan of the dump directory joins the
drill to the database it restored; `drscan dr` shows the measured RPO and RTO; the evidence
pack carries drills.json (signed) and the PDF's DR chapter lists the drill."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

from pypdf import PdfReader
from typer.testing import CliRunner

from drscan import api
from drscan.cli import app
from drscan.cli_dr import dr_app
from drscan.pack.keys import generate_keypair, load_public_key
from drscan.pack.verify import verify_pack
from tests.dbservers import postgres_bin

RDS = {"configurationItems": [{
    "configurationItemCaptureTime": "2026-12-01T00:00:00Z", "resourceType": "AWS::RDS::DBInstance",
    "resourceId": "db-ORDERS", "resourceName": "orders", "awsAccountId": "111111111111", "awsRegion": "us-east-1",
    "availabilityZone": "us-east-1a", "ARN": "arn:aws:rds:us-east-1:111111111111:db:orders", "tags": {"app": "orders"},
    "configuration": {"dBInstanceIdentifier": "orders", "engine": "postgres", "multiAZ": False, "storageEncrypted": True,
                      "backupRetentionPeriod": 0, "allocatedStorage": 20, "dBInstanceArn": "arn:aws:rds:us-east-1:111111111111:db:orders"}}]}


def test_drill_enters_the_dr_estimate_the_pack_and_the_pdf(postgres_server, tmp_path):
    exports = tmp_path / "exports"
    (exports / "dumps").mkdir(parents=True)
    (exports / "aws-config.json").write_text(json.dumps(RDS))
    postgres_server.psql("DROP DATABASE IF EXISTS evidence_src")
    postgres_server.psql("CREATE DATABASE evidence_src")
    postgres_server.psql("CREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 300) g", database="evidence_src")
    dump = exports / "dumps" / "orders-2026-12-07.dump"
    subprocess.run([str(postgres_bin() / "pg_dump"), "-Fc", "-f", str(dump), postgres_server.dsn("evidence_src")],
                   env=postgres_server.env, check=True, timeout=120)
    db = tmp_path / "drscan.db"
    drill = CliRunner().invoke(app, ["drill", "restore", "postgres", "--from", str(dump), "--target",
                                     postgres_server.dsn("drscan_drill_evidence"), "--verify", "select count(*) from orders",
                                     "--expect", "= 300", "--app", "orders", "--db", str(db), "--json"])
    assert drill.exit_code == 0, drill.output
    config = tmp_path / "drscan.yaml"
    config.write_text("apps:\n  - {name: orders, rpo: 1d, rto: 4h, members: {tags: {app: orders}}, primary_region: us-east-1}\n"
                      "backups:\n  - {source: orders, protects: orders, repository_region: us-west-2}\n")
    result = api.scan(exports, config_path=config, db_path=db, formats=())
    dump_set = next(r for r in result.scan.resources if r.kind == "backup.dump.set")
    drill_resource = next(r for r in result.scan.resources if r.kind == "drscan.drill.restore")
    assert dump_set.attrs["protects"] == ["arn:aws:rds:us-east-1:111111111111:db:orders"]
    assert ("drill:1", "arn:aws:rds:us-east-1:111111111111:db:orders", "restore_of") in \
        {(r.source, r.target, r.type) for r in result.scan.relations}
    assert drill_resource.attrs["status"] == "passed"
    status = CliRunner().invoke(dr_app, ["--config", str(config), "--db", str(db), "--format", "json"])
    corruption = json.loads(status.output)["apps"][0]["disruptions"]["data_corruption"]
    assert corruption["rpo_basis"] == "measured" and corruption["rto_measured_by"] == ["drill:1"]
    checks = json.loads(status.output)["apps"][0]["checks"]
    assert checks["restore_tested_within_days"] is True and checks["restore_test_source"] == "drill:1"
    # The drill is DR-test evidence for the readiness score (data corruption: proven by a restore).
    proven = checks["readiness"]["disruptions"]["data_corruption"]
    assert proven["basis"] == "proven" and proven["deciding_test"]["source"] == "drill:1"
    assert proven["deciding_test"]["kind"] == "restore" and proven["deciding_test"]["measured_rto_seconds"] > 0

    key = tmp_path / "signing.key"
    generate_keypair(key)
    out = tmp_path / "evidence.zip"
    api.pack(db, out, key, config_path=config, frameworks=("iso27001-2022",))
    assert verify_pack(out, load_public_key(key.with_suffix(".pub"))).ok
    with zipfile.ZipFile(out) as archive:
        drills = json.loads(archive.read("drills.json"))
        assert drills[0]["status"] == "passed" and drills[0]["verification"][0]["actual"] == "300"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("report.pdf"))).pages)
    assert "Restore drills" in text and "#1" in text and "orders-2026-12-07.dump" in text.replace("\n", "")
