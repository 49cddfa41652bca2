"""CI outputs of the report stage: SARIF 2.1.0, JUnit XML and OCSF Compliance Finding events,
each a pure function of the report context (see report/context.py) written to one file.

Mapping choices worth knowing:
- SARIF: PASS findings produce no result; NOT_ASSESSED ones are kind "review" with level "none"
  (the spec requires level "none" for any kind but "fail"). Rule ids seen in findings but missing
  from context["rules"] get a descriptor built from the finding, so every ruleIndex resolves.
- JUnit: one testsuite per rule (rules without findings give an empty suite); PASS is an empty
  testcase, FAIL a <failure>, NOT_ASSESSED a <skipped>. Characters XML 1.0 forbids are dropped.
- OCSF (class 2003, schema 1.1.0): compliance.status_id uses the schema's enum, where 2 "Warning"
  is defined as "did not yield a result due to missing information", i.e. NOT_ASSESSED; drscan's
  own verdict is kept in compliance.status_code. cloud.provider uses the vendors' names (AWS, GCP,
  Azure); resource labels are "app:<name>"; evidence, rule version and source go to `unmapped`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from drscan.outputs import write_atomic

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/drscan/drscan"
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
FINGERPRINT_KEY = "drscanFingerprint/v1"

OCSF_VERSION = "1.1.0"
OCSF_SEVERITY = {"critical": (5, "Critical"), "high": (4, "High"), "medium": (3, "Medium"),
                 "low": (2, "Low"), "info": (1, "Informational")}
OCSF_COMPLIANCE_STATUS = {"PASS": (1, "Pass"), "NOT_ASSESSED": (2, "Warning"), "FAIL": (3, "Fail")}
OCSF_CLOUD_PROVIDER = {"aws": "AWS", "gcp": "GCP", "azure": "Azure"}
STANDARDS = {"iso27001-2022": "ISO/IEC 27001:2022", "soc2": "SOC 2", "hipaa": "HIPAA Security Rule", "gdpr": "GDPR Art. 32",
             "cis-aws-3.0": "CIS AWS Foundations Benchmark v3.0.0"}

# XML 1.0 allows tab, newline, carriage return and U+0020 upwards, minus surrogates and U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def fingerprint(finding: dict[str, Any]) -> str:
    """Stable identity of a finding across scans: the rule and the resource (or Terraform address)."""
    return f"{finding['rule_id']}|{finding.get('address') or finding['resource_id']}"


def _write_json(document: Any, path: Path) -> Path:
    return write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def _camel_case(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _rules_with_findings(context: dict[str, Any]) -> list[dict[str, Any]]:
    """context["rules"], plus a descriptor for any rule id that only appears in findings."""
    rules = list(context.get("rules", []))
    known = {rule["id"] for rule in rules}
    for finding in context.get("findings", []):
        if finding["rule_id"] not in known:
            known.add(finding["rule_id"])
            rules.append({"id": finding["rule_id"], "version": finding.get("rule_version"),
                          "title": finding.get("title") or finding["rule_id"], "severity": finding["severity"],
                          "category": finding.get("category", ""), "kinds": [finding.get("resource_kind", "")],
                          "controls": list(finding.get("controls", []))})
    return rules


def _evidence_lines(evidence: list[dict[str, Any]]) -> list[str]:
    return [f"{item['path']} = {json.dumps(item['value'], ensure_ascii=False, default=str)}" for item in evidence]


# --- SARIF -------------------------------------------------------------------------------------

def _sarif_rule(rule: dict[str, Any], remediation: str) -> dict[str, Any]:
    severity = rule["severity"]
    full = f"{rule['title']}. Applies to: {', '.join(rule.get('kinds') or []) or 'any resource'}."
    if rule.get("controls"):
        full += f" Controls: {', '.join(rule['controls'])}."
    descriptor: dict[str, Any] = {
        "id": rule["id"],
        "name": _camel_case(rule["id"]),
        "shortDescription": {"text": rule["title"]},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(severity, "warning")},
        "properties": {"security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                       "tags": _unique([rule.get("category", ""), *rule.get("controls", [])]),
                       "precision": "high"},
    }
    if remediation:
        descriptor["help"] = {"text": remediation}
    return descriptor


def _sarif_result(finding: dict[str, Any], rule_index: int) -> dict[str, Any]:
    title, reason = finding.get("title") or finding["rule_id"], finding.get("reason") or ""
    if finding["status"] == "FAIL":
        kind, level = "fail", SARIF_LEVEL.get(finding["severity"], "warning")
        text = f"{title}: {reason}" if reason else title
    else:
        kind, level = "review", "none"
        text = f"{title}: could not be assessed: {reason or 'no reason recorded'}"
    location: dict[str, Any] = {"logicalLocations": [{
        "fullyQualifiedName": finding.get("address") or finding["resource_id"],
        "name": finding.get("resource_name") or finding["resource_id"], "kind": "resource"}]}
    file, line = finding.get("file"), finding.get("line")
    if not file and finding.get("source"):
        # Cloud findings point at the export record they were read from ("path#line 12",
        # "path#item 3"): GitHub code scanning rejects results without a physical location.
        first = str(finding["source"]).split("; ")[0]
        file, _, record = first.partition("#")
        if record.startswith("line ") and record[5:].isdigit():
            line = int(record[5:])
    if file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": quote(PurePath(file).as_posix(), safe="/")}}
        if isinstance(line, int) and line >= 1:
            physical["region"] = {"startLine": line}
        location["physicalLocation"] = physical
    return {
        "ruleId": finding["rule_id"], "ruleIndex": rule_index, "kind": kind, "level": level,
        "message": {"text": text}, "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        "properties": {"severity": finding["severity"], "controls": list(finding.get("controls", [])),
                       "provider": finding.get("provider"), "account": finding.get("account"),
                       "region": finding.get("region"), "evidence": finding.get("evidence", [])},
    }


def build_sarif(context: dict[str, Any]) -> dict[str, Any]:
    rules = _rules_with_findings(context)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    remediation: dict[str, str] = {}
    for finding in context.get("findings", []):
        if finding.get("remediation"):
            remediation.setdefault(finding["rule_id"], finding["remediation"])
    results = [_sarif_result(f, index[f["rule_id"]]) for f in context.get("findings", [])
               if f["status"] in ("FAIL", "NOT_ASSESSED")]
    scan = context.get("scan", {})
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if scan.get("started_at"):
        invocation["startTimeUtc"] = scan["started_at"]
    if scan.get("finished_at"):
        invocation["endTimeUtc"] = scan["finished_at"]
    if context.get("notices"):  # e.g. plan changes of types drscan does not evaluate
        invocation["toolExecutionNotifications"] = [{"level": "warning", "message": {"text": notice}}
                                                    for notice in context["notices"]]
    driver = {"name": "drscan", "version": str(context.get("drscan_version", "")),
              "informationUri": INFORMATION_URI,
              "rules": [_sarif_rule(rule, remediation.get(rule["id"], "")) for rule in rules]}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "invocations": [invocation], "results": results}]}


def write_sarif(context: dict[str, Any], path: Path) -> Path:
    return _write_json(build_sarif(context), path)


# --- JUnit XML ---------------------------------------------------------------------------------

def _xml_text(value: Any) -> str:
    return _XML_INVALID.sub("", "" if value is None else str(value))


def _testcase(finding: dict[str, Any]) -> ET.Element:
    name = finding.get("resource_name") or finding.get("address") or finding["resource_id"]
    case = ET.Element("testcase", {"classname": _xml_text(finding["rule_id"]),
                                   "name": _xml_text(f"{name} ({finding['resource_id']})")})
    if finding.get("file"):
        case.set("file", _xml_text(finding["file"]))
        if isinstance(finding.get("line"), int):
            case.set("line", str(finding["line"]))
    reason = finding.get("reason") or ""
    if finding["status"] == "FAIL":
        body = [finding.get("title") or finding["rule_id"], ""]
        if finding.get("address"):
            body.append(f"Address: {finding['address']}")
        body += ["Evidence:", *(f"  {line}" for line in _evidence_lines(finding.get("evidence", [])))]
        if finding.get("remediation"):
            body += ["", f"Remediation: {finding['remediation']}"]
        if finding.get("source"):
            body.append(f"Source: {finding['source']}")
        failure = ET.SubElement(case, "failure", {"message": _xml_text(reason), "type": _xml_text(finding["severity"])})
        failure.text = _xml_text("\n".join(body))
    elif finding["status"] == "NOT_ASSESSED":
        ET.SubElement(case, "skipped", {"message": _xml_text(reason)})
    return case


def build_junit(context: dict[str, Any]) -> ET.Element:
    findings = context.get("findings", [])
    scan = context.get("scan", {})
    root = ET.Element("testsuites", {"name": "drscan"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule in _rules_with_findings(context):
        own = [f for f in findings if f["rule_id"] == rule["id"]]
        counts = {"tests": len(own), "failures": sum(f["status"] == "FAIL" for f in own),
                  "skipped": sum(f["status"] == "NOT_ASSESSED" for f in own)}
        suite = ET.SubElement(root, "testsuite", {"name": _xml_text(rule["id"]), "tests": str(counts["tests"]),
                                                  "failures": str(counts["failures"]), "errors": "0",
                                                  "skipped": str(counts["skipped"]), "time": "0"})
        if scan.get("started_at"):
            suite.set("timestamp", str(scan["started_at"]))
        suite.extend(_testcase(f) for f in own)
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({key: str(value) for key, value in totals.items()})
    root.set("errors", "0")
    root.set("time", str(scan.get("duration_s", 0)))
    return root


def write_junit(context: dict[str, Any], path: Path) -> Path:
    root = build_junit(context)
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return write_atomic(path, b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n")


# --- OCSF ---------------------------------------------------------------------------------------

def _epoch_ms(timestamp: str | None) -> int:
    if not timestamp:
        return 0
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)


def _standards(controls: list[str]) -> list[str]:
    return _unique([STANDARDS.get(control.split(":", 1)[0], control.split(":", 1)[0]) for control in controls])


def _ocsf_resource(finding: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = {"uid": finding["resource_id"], "name": finding.get("resource_name"),
                                "type": finding.get("resource_kind")}
    if finding.get("apps"):
        resource["labels"] = [f"app:{app}" for app in finding["apps"]]
    if finding.get("region"):
        resource["region"] = finding["region"]
    if str(finding["resource_id"]).startswith("arn:"):
        resource["cloud_partition"] = finding["resource_id"].split(":")[1]  # aws, aws-cn, aws-us-gov
    return resource


def ocsf_event(finding: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    severity_id, severity = OCSF_SEVERITY.get(finding["severity"], (0, "Unknown"))
    status_id, status = OCSF_COMPLIANCE_STATUS.get(finding["status"], (0, "Unknown"))
    title = finding.get("title") or finding["rule_id"]
    reason = finding.get("reason") or ""
    provider = finding.get("provider") or ""
    cloud: dict[str, Any] = {"provider": OCSF_CLOUD_PROVIDER.get(provider, provider)}
    if finding.get("account"):
        cloud["account"] = {"uid": str(finding["account"])}
    if finding.get("region"):
        cloud["region"] = finding["region"]
    event: dict[str, Any] = {
        "class_uid": 2003, "class_name": "Compliance Finding",
        "category_uid": 2, "category_name": "Findings",
        "activity_id": 1, "activity_name": "Create",
        "type_uid": 200301, "type_name": "Compliance Finding: Create",
        "time": _epoch_ms(context.get("scan", {}).get("finished_at")),
        "severity_id": severity_id, "severity": severity,
        "status_id": 1, "status": "New",
        "message": f"{title}: {reason}" if reason else title,
        "finding_info": {"uid": fingerprint(finding), "title": title, "desc": reason,
                         "types": _unique([finding.get("category", "")])},
        "compliance": {"control": finding["rule_id"], "requirements": list(finding.get("controls", [])),
                       "standards": _standards(finding.get("controls", [])),
                       "status_id": status_id, "status": status,
                       "status_code": finding["status"], "status_detail": reason},
        "resources": [_ocsf_resource(finding)],
        "cloud": cloud,
        "metadata": {"version": OCSF_VERSION, "profiles": ["cloud"],
                     "product": {"name": "drscan", "vendor_name": "drscan",
                                 "version": str(context.get("drscan_version", ""))}},
        "unmapped": {"evidence": finding.get("evidence", []), "rule_version": finding.get("rule_version"),
                     "source": finding.get("source", "")},
    }
    if finding.get("remediation"):
        event["remediation"] = {"desc": finding["remediation"]}
    return event


def build_ocsf(context: dict[str, Any]) -> list[dict[str, Any]]:
    return [ocsf_event(finding, context) for finding in context.get("findings", [])]


def write_ocsf(context: dict[str, Any], path: Path) -> Path:
    return _write_json(build_ocsf(context), path)
