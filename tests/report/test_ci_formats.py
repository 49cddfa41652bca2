"""SARIF, JUnit XML and OCSF outputs: written from the fixture context (plus one Terraform-plan
finding with address/file/line) and checked against the official SARIF schema, two JUnit parsers
and the OCSF Compliance Finding fields and enums."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml, Skipped

from drscan.report.formats.ci import fingerprint, write_junit, write_ocsf, write_sarif

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "report_context.json"
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
OCSF_SEVERITY = {"critical": (5, "Critical"), "high": (4, "High"), "medium": (3, "Medium"),
                 "low": (2, "Low"), "info": (1, "Informational")}
OCSF_COMPLIANCE = {"PASS": (1, "Pass"), "NOT_ASSESSED": (2, "Warning"), "FAIL": (3, "Fail")}
XSS_NAME = "<script>window.__drscan_xss = true</script>"
XSS_OWNER = '<img src=x onerror="window.__drscan_xss = 2">'

TERRAFORM_FINDING = {
    "rule_id": "aws-s3-bucket-versioning", "rule_version": 1, "title": "S3 bucket has versioning enabled",
    "status": "FAIL", "severity": "medium", "category": "backup",
    "resource_id": "arn:aws:s3:::acme-plan-logs", "resource_name": "acme-plan-logs", "resource_kind": "aws.s3.bucket",
    "provider": "aws", "account": "111111111111", "region": "us-east-1", "apps": ["payments"],
    "controls": ["iso27001-2022:A.8.13", "soc2:A1.2"],
    "evidence": [{"path": "versioning.status", "value": "Suspended"}],
    "reason": "versioning.status = \"Suspended\" in the planned configuration",
    "remediation": "Add an aws_s3_bucket_versioning resource with status = \"Enabled\".",
    "source": "plan.json#resource_changes[4]",
    "address": "aws_s3_bucket.logs", "file": "infra/storage/main.tf", "line": 12,
}


@pytest.fixture(scope="module")
def context() -> dict:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    terraform = copy.deepcopy(TERRAFORM_FINDING)
    # Remediation is per rule (context.py copies rule.remediation), so reuse the fixture's text.
    terraform["remediation"] = next(f["remediation"] for f in data["findings"] if f["rule_id"] == terraform["rule_id"])
    data["findings"].append(terraform)
    return data


@pytest.fixture(scope="module")
def statuses(context) -> Counter:
    return Counter(f["status"] for f in context["findings"])


@pytest.fixture(scope="module")
def sarif(context, tmp_path_factory) -> dict:
    path = write_sarif(context, tmp_path_factory.mktemp("sarif") / "findings.sarif")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def junit_path(context, tmp_path_factory) -> Path:
    return write_junit(context, tmp_path_factory.mktemp("junit") / "findings.junit.xml")


@pytest.fixture(scope="module")
def ocsf(context, tmp_path_factory) -> list:
    path = write_ocsf(context, tmp_path_factory.mktemp("ocsf") / "findings.ocsf.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


# --- SARIF -------------------------------------------------------------------------------------

def test_shipped_sarif_schema_is_the_draft07_oasis_schema():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft7Validator.check_schema(schema)
    assert {"run", "result", "reportingDescriptor", "logicalLocation", "physicalLocation"} <= set(schema["definitions"])


def test_sarif_output_validates_against_the_official_schema(sarif):
    _sarif_validator().validate(sarif)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(sarif["runs"]) == 1


def test_sarif_has_a_result_per_fail_and_not_assessed_and_none_for_pass(sarif, statuses):
    results = sarif["runs"][0]["results"]
    kinds = Counter(r["kind"] for r in results)
    assert kinds == {"fail": statuses["FAIL"], "review": statuses["NOT_ASSESSED"]}
    assert len(results) == statuses["FAIL"] + statuses["NOT_ASSESSED"] == 21 + 7


def test_sarif_levels_follow_severity_and_review_results_have_level_none(sarif, context):
    by_fingerprint = {fingerprint(f): f for f in context["findings"]}
    for result in sarif["runs"][0]["results"]:
        finding = by_fingerprint[result["partialFingerprints"]["drscanFingerprint/v1"]]
        if finding["status"] == "FAIL":
            assert result["level"] == LEVEL[finding["severity"]]
        else:
            assert finding["status"] == "NOT_ASSESSED" and result["level"] == "none"
        assert result["properties"]["severity"] == finding["severity"]
        assert result["properties"]["evidence"] == finding["evidence"]


def test_sarif_rules_cover_every_context_rule_with_level_and_security_severity(sarif, context):
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r["id"] for r in context["rules"]]
    for descriptor, rule in zip(rules, context["rules"]):
        assert descriptor["shortDescription"]["text"] == rule["title"]
        assert descriptor["defaultConfiguration"]["level"] == LEVEL[rule["severity"]]
        assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[rule["severity"]]
        assert descriptor["properties"]["tags"][0] == rule["category"]
        assert set(rule["controls"]) <= set(descriptor["properties"]["tags"])
        assert descriptor["name"][0].isupper() and "-" not in descriptor["name"]
    assert rules[[r["id"] for r in rules].index("aws-s3-bucket-encrypted-cmk")]["name"] == "AwsS3BucketEncryptedCmk"


def test_sarif_rule_help_is_the_remediation_from_findings(sarif, context):
    remediation = {f["rule_id"]: f["remediation"] for f in context["findings"]}
    for descriptor in sarif["runs"][0]["tool"]["driver"]["rules"]:
        assert descriptor["help"]["text"] == remediation[descriptor["id"]]


def test_sarif_rule_index_points_at_the_result_rule(sarif):
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_fingerprints_are_unique(sarif):
    fingerprints = [r["partialFingerprints"]["drscanFingerprint/v1"] for r in sarif["runs"][0]["results"]]
    assert len(fingerprints) == len(set(fingerprints))


def test_sarif_not_assessed_message_says_why(sarif, context):
    reasons = {fingerprint(f): f["reason"] for f in context["findings"] if f["status"] == "NOT_ASSESSED"}
    for result in sarif["runs"][0]["results"]:
        key = result["partialFingerprints"]["drscanFingerprint/v1"]
        if result["kind"] == "review":
            assert "could not be assessed" in result["message"]["text"]
            assert result["message"]["text"].endswith(reasons[key])


def test_sarif_terraform_finding_has_a_physical_location_and_address(sarif):
    results = sarif["runs"][0]["results"]
    [result] = [r for r in results if r["partialFingerprints"]["drscanFingerprint/v1"] == "aws-s3-bucket-versioning|aws_s3_bucket.logs"]
    location = result["locations"][0]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "infra/storage/main.tf"}, "region": {"startLine": 12}}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "aws_s3_bucket.logs", "name": "acme-plan-logs", "kind": "resource"}]
    assert result["message"]["text"] == f"S3 bucket has versioning enabled: {TERRAFORM_FINDING['reason']}"
    # Cloud findings point at the export record they came from (GitHub needs a physical location).
    others = [r for r in results if r is not result]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in others)


def test_sarif_invocation_carries_scan_times(sarif, context):
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation == {"executionSuccessful": True, "startTimeUtc": context["scan"]["started_at"],
                          "endTimeUtc": context["scan"]["finished_at"]}
    assert sarif["runs"][0]["tool"]["driver"]["version"] == context["drscan_version"]


def test_sarif_finding_for_an_unlisted_rule_still_gets_a_valid_rule_index(tmp_path):
    orphan = dict(TERRAFORM_FINDING, rule_id="custom-rule-not-in-catalogue", severity="high")
    document = json.loads(write_sarif({"drscan_version": "0.1.0", "scan": {}, "rules": [], "findings": [orphan]},
                                      tmp_path / "orphan.sarif").read_text(encoding="utf-8"))
    _sarif_validator().validate(document)
    run = document["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "custom-rule-not-in-catalogue"


# --- JUnit XML ---------------------------------------------------------------------------------

def test_junit_counts_match_with_junitparser(junit_path, context, statuses):
    xml = JUnitXml.fromfile(str(junit_path))
    assert xml.name == "drscan"
    assert (xml.tests, xml.failures, xml.skipped, xml.errors) == (len(context["findings"]), statuses["FAIL"],
                                                                   statuses["NOT_ASSESSED"], 0)
    suites = list(xml)
    assert [s.name for s in suites] == [r["id"] for r in context["rules"]]
    for suite in suites:
        own = Counter(f["status"] for f in context["findings"] if f["rule_id"] == suite.name)
        assert (suite.tests, suite.failures, suite.skipped) == (sum(own.values()), own["FAIL"], own["NOT_ASSESSED"])
        cases = list(suite)
        assert len(cases) == suite.tests
        assert sum(any(isinstance(r, Failure) for r in c.result) for c in cases) == own["FAIL"]
        assert sum(any(isinstance(r, Skipped) for r in c.result) for c in cases) == own["NOT_ASSESSED"]
        assert sum(c.is_passed for c in cases) == own["PASS"]


def test_junit_structure_with_elementtree(junit_path, context, statuses):
    raw = junit_path.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(raw)
    assert root.tag == "testsuites" and root.get("name") == "drscan"
    assert root.get("tests") == str(len(context["findings"]))
    assert root.get("failures") == str(statuses["FAIL"]) and root.get("skipped") == str(statuses["NOT_ASSESSED"])
    findings = {(f["rule_id"], f"{f['resource_name']} ({f['resource_id']})"): f for f in context["findings"]}
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(findings) == len(context["findings"])
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            assert case.get("classname") == suite.get("name")
            finding = findings[(case.get("classname"), case.get("name"))]
            children = list(case)
            if finding["status"] == "PASS":
                assert children == []
            elif finding["status"] == "FAIL":
                [failure] = children
                assert failure.tag == "failure"
                assert failure.get("message") == finding["reason"] and failure.get("type") == finding["severity"]
                assert finding["remediation"] in failure.text
                assert all(e["path"] in failure.text for e in finding["evidence"])
            else:
                assert [(c.tag, c.get("message")) for c in children] == [("skipped", finding["reason"])]


def test_junit_escapes_markup_and_ampersands_from_the_fixture(junit_path):
    raw = junit_path.read_text(encoding="utf-8")
    assert "<script>" not in raw and "<img" not in raw
    assert "&lt;script&gt;window.__drscan_xss = true&lt;/script&gt;" in raw
    assert "bastion-legacy &amp; jump-hosts" in raw
    assert "password never used &amp; user still active" in raw
    root = ET.fromstring(junit_path.read_bytes())
    [xss_case] = [c for c in root.iter("testcase") if c.get("name", "").startswith(XSS_NAME)]
    assert json.dumps(XSS_OWNER) in xss_case.find("failure").text  # evidence values are shown as JSON
    names = {c.get("name") for c in root.iter("testcase")}
    assert any(name.startswith("bastion-legacy & jump-hosts (") for name in names)
    xml = JUnitXml.fromfile(str(junit_path))
    assert any(case.name.startswith(XSS_NAME) for suite in xml for case in suite)


def test_junit_terraform_case_names_its_file_and_line(junit_path):
    root = ET.fromstring(junit_path.read_bytes())
    [case] = [c for c in root.iter("testcase") if c.get("file")]
    assert (case.get("file"), case.get("line")) == ("infra/storage/main.tf", "12")
    assert "Address: aws_s3_bucket.logs" in case.find("failure").text


def test_junit_drops_characters_that_xml_forbids(tmp_path):
    finding = dict(TERRAFORM_FINDING, reason="bell\x07 and nul\x00 gone", resource_name="tab\tok\x0c",
                   evidence=[{"path": "tags.Name", "value": "a\x1bb"}])
    path = write_junit({"scan": {}, "rules": [], "findings": [finding]}, tmp_path / "control.xml")
    case = ET.fromstring(path.read_bytes()).find("./testsuite/testcase")
    assert case.find("failure").get("message") == "bell and nul gone"
    assert case.get("name").startswith("tab\tok (")
    assert 'tags.Name = "a\\u001bb"' in case.find("failure").text  # JSON-escaped, so nothing is lost


# --- OCSF --------------------------------------------------------------------------------------

def test_ocsf_has_one_compliance_finding_event_per_finding_with_required_fields(ocsf, context):
    assert isinstance(ocsf, list) and len(ocsf) == len(context["findings"])
    for event in ocsf:
        assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (2003, 2, 1)
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"] == 200301
        assert isinstance(event["time"], int) and event["severity_id"] in range(1, 6)
        assert (event["status_id"], event["status"]) == (1, "New")
        assert event["metadata"]["version"] == "1.1.0"
        assert event["metadata"]["product"] == {"name": "drscan", "vendor_name": "drscan", "version": "0.1.0"}
        assert event["finding_info"]["uid"] and event["finding_info"]["title"]
        assert event["compliance"]["standards"] and event["compliance"]["control"]
        assert event["cloud"]["provider"] in {"AWS", "GCP", "Azure"}
        assert event["resources"][0]["uid"] and event["resources"][0]["type"]
        assert event["remediation"]["desc"]


def test_ocsf_enums_are_mapped_from_severity_and_status(ocsf, context):
    for event, finding in zip(ocsf, context["findings"]):
        assert (event["severity_id"], event["severity"]) == OCSF_SEVERITY[finding["severity"]]
        compliance = event["compliance"]
        assert (compliance["status_id"], compliance["status"]) == OCSF_COMPLIANCE[finding["status"]]
        assert compliance["status_code"] == finding["status"]
        assert compliance["requirements"] == finding["controls"]
        assert event["finding_info"]["types"] == [finding["category"]]
        assert event["finding_info"]["desc"] == finding["reason"]
        assert event["unmapped"]["evidence"] == finding["evidence"]
        assert event["cloud"]["account"]["uid"] == finding["account"]


def test_ocsf_time_is_the_scan_finish_in_epoch_milliseconds(ocsf, context):
    finished = datetime(2026, 11, 25, 18, 39, 58, tzinfo=timezone.utc)
    assert context["scan"]["finished_at"] == "2026-11-25T18:39:58Z"
    assert {event["time"] for event in ocsf} == {int(finished.timestamp()) * 1000}


def test_ocsf_standards_follow_the_control_prefixes(ocsf):
    for event in ocsf:
        prefixes = {c.split(":")[0] for c in event["compliance"]["requirements"]}
        expected = {"iso27001-2022": "ISO/IEC 27001:2022", "soc2": "SOC 2"}
        assert set(event["compliance"]["standards"]) == {expected[p] for p in prefixes}


def test_ocsf_finding_uid_is_the_sarif_fingerprint(ocsf, sarif):
    uids = [event["finding_info"]["uid"] for event in ocsf]
    assert len(uids) == len(set(uids))
    sarif_fingerprints = {r["partialFingerprints"]["drscanFingerprint/v1"] for r in sarif["runs"][0]["results"]}
    assert sarif_fingerprints <= set(uids)
    assert "aws-s3-bucket-versioning|aws_s3_bucket.logs" in uids


def test_ocsf_resource_details_keep_partition_labels_and_unicode(ocsf, tmp_path, context):
    [terraform] = [e for e in ocsf if e["finding_info"]["uid"].endswith("|aws_s3_bucket.logs")]
    assert terraform["resources"] == [{"uid": "arn:aws:s3:::acme-plan-logs", "name": "acme-plan-logs",
                                       "type": "aws.s3.bucket", "labels": ["app:payments"], "region": "us-east-1",
                                       "cloud_partition": "aws"}]
    azure = [e for e in ocsf if "rg-données-zürich" in e["resources"][0]["uid"]]
    assert azure and "cloud_partition" not in azure[0]["resources"][0]
    text = write_ocsf(context, tmp_path / "findings.ocsf.json").read_text(encoding="utf-8")
    assert "rg-données-zürich" in text
