"""No planted credential survives into anything drscan writes. Every kind of secret is planted in
every place an export (or drscan.yaml, attestations, waivers) lets it reach: resource names and
ids, tag keys and values, attribute keys and values, nested list values, Kubernetes object names,
labels, annotations and container environments, backup stanza names and status messages, export
file and directory names, app names, owners and contacts. Then the real command line runs a full scan (database, all
seven report formats, alerts to a local webhook) and builds an evidence pack, and every byte it
wrote is searched: every table of the database, every output file (the PDFs as extracted text),
every member of the pack and every webhook payload."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import SAMPLES
from tests.notify.test_delivery_deadline import SlowServer
from tests.test_cli import drscan

_B64 = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGwAbCd"


def _secret40(u: str) -> str:
    return f"wJal{u}rXUtnFEMI/K7MDENG/bPxRfiCYEX"  # 40 characters, both letter cases


# kind -> u -> (text to plant, the part that must never be written). `u` is 8 unique characters.
KINDS = {
    "aws-key-id": lambda u: (f"AKIA{u}ABCD2345",) * 2,
    "aws-key-and-secret": lambda u: (f"AKIAIOSFODNN7EXAMPLE {_secret40(u)}", _secret40(u)),
    "aws-secret-bare": lambda u: (_secret40(u),) * 2,
    "aws-secret-assignment": lambda u: (f"aws_secret_access_key={_secret40(u)}", _secret40(u)),
    "private-key": lambda u: (f"-----BEGIN RSA PRIVATE KEY-----\nMIIE{u}pAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
                              f"MIIE{u}"),
    "gcp-service-account": lambda u: ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n'
                                      f'MIIEv{u}QIBADAN\\n-----END PRIVATE KEY-----\\n"}}', f"MIIEv{u}"),
    "jwt": lambda u: (f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi{u}fQ.sig{u}abcdefgh", f"sig{u}"),
    "github": lambda u: (f"ghp_{u}aBcDeFgHiJkLmNoPqRsTuVwXyZ01",) * 2,
    "github-pat": lambda u: (f"github_pat_11AB{u}_abcdefghijklmnopqrstuvwxyz0123", f"11AB{u}"),
    "gitlab": lambda u: (f"glpat-{u}abcdefghijkl",) * 2,
    "slack-token": lambda u: (f"xoxb-1234-{u}abcdef", f"{u}abcdef"),
    "slack-webhook": lambda u: (f"https://hooks.slack.com/services/T01/B02/{u}xyz", f"{u}xyz"),
    "bearer": lambda u: (f"Authorization: Bearer {u}tokentoken", f"{u}tokentoken"),
    "password-equals": lambda u: (f"password={u}pw", f"{u}pw"),
    "password-colon": lambda u: (f"password: {u}pw", f"{u}pw"),
    "api-key": lambda u: (f"api_key={u}ak", f"{u}ak"),
    "url-password": lambda u: (f"postgres://admin:{u}pw@db.example.com:5432/app", f"{u}pw"),
    "url-token": lambda u: (f"https://deploy:{u}tk@git.example.com/r.git", f"{u}tk"),
    "azure-account-key": lambda u: (f"AccountKey={(u + _B64)[:86]}==;EndpointSuffix=core.windows.net", (u + _B64)[:30]),
    "azure-sas": lambda u: (f"https://a.blob.core.windows.net/c?sv=2022-11-02&sig={u}sg&se=2030", f"{u}sg"),
}
# Kinds that can be part of a file name or an app name (no '/', newline, space or '=').
NAME_SAFE = ("aws-key-id", "github", "gitlab", "jwt")


class Plants:
    """Hands out a unique secret of a kind for a place, and remembers what must not leak."""

    def __init__(self) -> None:
        self.needles: dict[str, str] = {}  # needle -> "place/kind"

    def __call__(self, place: str, kind: str) -> str:
        u = f"Z{len(self.needles):03d}QX7"[:8].ljust(8, "Q")
        text, needle = KINDS[kind](u)
        self.needles[needle] = f"{place}/{kind}"
        return text


def _sample(path: Path, predicate) -> dict:
    return json.loads(json.dumps(next(item for item in path if predicate(item))))


def write_estate(root: Path, plant: Plants) -> tuple[Path, Path, list[str]]:
    """Exports of real shapes (copied from the bundled samples) with secrets planted; returns
    the import directory, drscan.yaml and the plain-text prefixes of the planted resources."""
    exports = root / f"exports-{plant('directory name', 'gitlab')}"
    exports.mkdir()
    config_items = json.loads((SAMPLES / "aws" / "config-snapshot-111111111111-us-west-2.json").read_text())["configurationItems"]
    s3 = _sample(config_items, lambda i: i["resourceType"] == "AWS::S3::Bucket")
    function = _sample(config_items, lambda i: i["resourceType"] == "AWS::Lambda::Function")
    assets = [json.loads(line) for line in (SAMPLES / "gcp" / "cloud-asset-export.ndjson").read_text().splitlines() if line]
    gcs = _sample(assets, lambda a: a["asset_type"] == "storage.googleapis.com/Bucket")
    rows = json.loads((SAMPLES / "azure" / "resources-20261120T0600Z.json").read_text())["data"]
    account = _sample(rows, lambda r: r["type"] == "microsoft.storage/storageaccounts")
    report = list(csv.reader(io.StringIO((SAMPLES / "aws" / "credential-report-111111111111-20261120T0600Z.csv").read_text())))
    header, user_row = report[0], report[2]

    cluster_items = json.loads((SAMPLES / "k8s" / "prod-eks" / "cluster-20261120T0600Z.json").read_text())["items"]
    deployment = _sample(cluster_items, lambda i: i["kind"] == "Deployment")
    namespace = _sample(cluster_items, lambda i: i["kind"] == "Namespace" and i["metadata"]["name"] == deployment["metadata"]["namespace"])
    items, gcp, azure, users, prefixes = [], [], [], [], []
    workloads, stanzas = [namespace], []
    for k, kind in enumerate(KINDS):
        name = f"n{k:02d}-{plant('resource name', kind)}"
        bucket = json.loads(json.dumps(s3))
        bucket.update(resourceId=name, resourceName=name, ARN=f"arn:aws:s3:::{name}",
                      tags={plant("tag key", kind): "v", "app": "pay", "note": plant("tag value", kind)})
        bucket["configuration"]["name"] = name
        supplementary = bucket["supplementaryConfiguration"]
        supplementary["PublicAccessBlockConfiguration"] = {"blockPublicAcls": False, plant("attribute key", kind): False}
        supplementary["BucketLoggingConfiguration"] = {"destinationBucketName": plant("attribute value", kind),
                                                       "logFilePrefix": None}
        items.append(bucket)
        prefixes.append(f"n{k:02d}-")

        fn = json.loads(json.dumps(function))
        fn_name = f"fn{k:02d}"
        fn.update(resourceId=fn_name, resourceName=fn_name,
                  ARN=f"arn:aws:lambda:us-west-2:111111111111:function:{fn_name}", tags={"app": "pay"})
        fn["configuration"]["functionName"] = fn_name
        fn["configuration"]["environment"] = {"variables": {plant("nested list value", kind): "x", "LOG_LEVEL": "info"}}
        items.append(fn)

        asset = json.loads(json.dumps(gcs))
        gname = f"g{k:02d}-{plant('gcp resource name', kind)}"
        asset["name"] = f"//storage.googleapis.com/{gname}"
        asset["resource"]["data"].update(name=gname, id=gname,
                                         labels={plant("gcp label key", kind): "v", "note": plant("gcp label value", kind)})
        gcp.append(asset)

        row = json.loads(json.dumps(account))
        aname = f"a{k:02d}-{plant('azure resource name', kind)}"
        row.update(name=aname, id=row["id"].rsplit("/", 1)[0] + "/" + aname,
                   tags={plant("azure tag key", kind): "v", "note": plant("azure tag value", kind)})
        azure.append(row)

        workload = json.loads(json.dumps(deployment))
        workload["metadata"].update(name=f"d{k:02d}-{plant('kubernetes object name', kind)}",
                                    labels={plant("kubernetes label key", kind): "v", "note": plant("kubernetes label value", kind)},
                                    annotations={"note": plant("kubernetes annotation", kind)})
        workload["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "DSN", "value": plant("container env", kind)}]
        workloads.append(workload)

        stanzas.append({"name": f"s{k:02d}-{plant('backup stanza name', kind)}",
                        "status": {"code": 2, "message": plant("backup status message", kind)},
                        "cipher": "none", "repo": [{"cipher": "none"}], "db": [{"id": 1, "system-id": 7000 + k, "version": "16"}],
                        "archive": [], "backup": []})

        user = list(user_row)
        user[0] = f"u{k:02d}-{plant('iam user name', kind)}"
        user[1] = f"arn:aws:iam::111111111111:user/{user[0]}"
        users.append(user)

    (exports / f"aws-config-{plant('file name', 'aws-key-id')}.json").write_text(json.dumps({"configurationItems": items}))
    (exports / f"gcp-assets-{plant('file name', 'github')}.ndjson").write_text("\n".join(json.dumps(a) for a in gcp) + "\n")
    (exports / f"azure-graph-{plant('file name', 'jwt')}.json").write_text(json.dumps({"count": len(azure), "data": azure}))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *users])
    (exports / "credential-report.csv").write_text(buffer.getvalue())
    (exports / "k8s" / "prod-eks").mkdir(parents=True)
    (exports / "k8s" / "prod-eks" / "workloads.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": workloads}))
    (exports / "pg.pgbackrest.json").write_text(json.dumps(stanzas))
    (exports / f"notes-{plant('unknown file name', 'gitlab')}.json").write_text('{"not": "an export"}')

    config = root / "drscan.yaml"
    config.write_text(json.dumps({
        "organization": f"Acme {plant('organization', 'password-equals')}",
        "scope": {"name": plant("scope name", "bearer")},
        "apps": [{"name": plant("app name", "aws-key-id"), "tier": 1, "owner": plant("app owner", "url-password"),
                  "contacts": [plant("app contact", "slack-token"), plant("app contact", "github")],
                  "rpo": "1h", "rto": "4h", "members": {"tags": {"app": "pay"}}}],
        "shared_services": [{"name": "dns", "type": "third_party", "description": plant("shared service", "jwt")}],
    }))
    return exports, config, prefixes


@pytest.fixture(scope="module")
def webhook():
    server = SlowServer("answer")  # answers every alert at once, and keeps its body
    yield server.url, server.bodies
    server.stop()


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def written(tmp_path_factory, webhook):
    """Everything one scan + pack wrote, as {where: text}, and what was planted."""
    root = tmp_path_factory.mktemp("leak")
    plant = Plants()
    exports, config, prefixes = write_estate(root, plant)
    url, received = webhook
    (root / "notify.yaml").write_text(f"min_severity: info\nretries: 0\ntargets:\n  - name: hook\n    kind: webhook\n"
                                      f"    url: {url}\n")
    assurance = root / "assurance"
    (assurance / "evidence").mkdir(parents=True)
    (assurance / "evidence" / "minutes.md").write_text("Tabletop minutes.\n")
    (assurance / "attestations.yaml").write_text(json.dumps({"attestations": [{
        "control": "iso27001-2022:A.5.29", "type": "tabletop",
        "statement": f"Tabletop held; {plant('attestation statement', 'password-colon')}",
        "owner": plant("attestation owner", "github"), "date": "2026-10-14", "expires": "2027-10-14",
        "evidence": ["evidence/minutes.md"]}]}))
    (assurance / "waivers.yaml").write_text(json.dumps({"waivers": [{
        "rule": "aws-s3-bucket-access-logging", "resources": ["*"], "owner": plant("waiver owner", "gitlab"),
        "reason": f"Accepted: {plant('waiver reason', 'url-token')}", "ticket": "SEC-1", "expires": "2099-01-01"}]}))

    db, out = root / "drscan.db", root / "reports"
    runs = [drscan("scan", "--import", str(exports), "--config", str(config), "--db", str(db), "--out", str(out),
                   "--format", "json,csv,html,pdf,sarif,junit,ocsf", "--notify", str(root / "notify.yaml"),
                   "--as-of", "2026-11-20T06:00:00Z")]
    assert runs[0].returncode in (0, 1), runs[0].stderr
    runs.append(drscan("keygen", "--out", str(root / "signing.key")))
    runs.append(drscan("pack", "--db", str(db), "--sign", str(root / "signing.key"), "-o", str(root / "pack.zip"),
                       "--config", str(config), "--attestations", str(assurance / "attestations.yaml"),
                       "--waivers", str(assurance / "waivers.yaml")))
    assert runs[-1].returncode == 0, runs[-1].stderr
    runs.append(drscan("history", "--db", str(db)))

    texts: dict[str, str] = {}
    connection = sqlite3.connect(db)
    texts["database (every table)"] = "\n".join(connection.iterdump())
    connection.close()
    for path in sorted(out.iterdir()):
        texts[f"reports/{path.name}"] = _pdf_text(path.read_bytes()) if path.suffix == ".pdf" else path.read_text()
    with zipfile.ZipFile(root / "pack.zip") as archive:
        for name in archive.namelist():
            data = archive.read(name)
            texts[f"pack:{name}"] = _pdf_text(data) if name.endswith(".pdf") else data.decode("utf-8", "replace")
    for number, body in enumerate(received):
        texts[f"webhook payload {number}"] = json.dumps(body, ensure_ascii=False)
    for run in runs:
        texts[f"terminal: {' '.join(run.args[3:5])}"] = run.stdout + run.stderr
    return texts, plant.needles, prefixes, received


def test_every_output_was_written_and_the_planted_resources_are_in_it(written):
    texts, needles, prefixes, received = written
    assert {"reports/findings.json", "reports/findings.csv", "reports/report.html", "reports/report.pdf",
            "reports/findings.sarif", "reports/junit.xml", "reports/findings.ocsf.json", "pack:report.pdf",
            "pack:inventory.json", "pack:inputs/drscan.yaml", "pack:inputs/attestations.yaml"} <= set(texts)
    assert received, "no alert reached the webhook"
    findings = texts["reports/findings.json"]
    assert all(prefix in findings for prefix in prefixes)  # every planted resource was read and reported
    assert "[REDACTED]" in texts["database (every table)"] and "[REDACTED]" in texts["pack:inputs/drscan.yaml"]
    for kind in ("k8s.apps.deployment", "backup.pgbackrest.stanza"):  # Kubernetes and backup exports were read
        assert texts["database (every table)"].count(f"'{kind}'") >= len(KINDS), kind
    assert len(needles) > 19 * len(KINDS)  # 19 places per kind, plus names and free text


def test_no_planted_secret_is_in_the_database_a_report_the_pack_or_an_alert(written):
    texts, needles, _, _ = written
    leaks = []
    for where, text in texts.items():
        squeezed = "".join(text.split())  # PDF text extraction breaks long words across lines
        leaks += [f"{needles[needle]} -> {where}" for needle in needles if needle in text or needle in squeezed]
    assert not leaks, "\n".join(leaks)
