#!/usr/bin/env python3
"""Sanity-check an estate directory written by synth_estate.py or samples/acme/generate.py.

    python bench/check_estate.py DIR

Parses every export file (JSON, gzipped JSON, NDJSON, CSV), checks the envelopes the real
tools write, counts records per cloud, and verifies that relations resolve: attached
volumes/disks/instances, snapshots' source disks, replicas' primaries, backup selections and
recovery points, S3 replication targets, Azure VM disks/NICs, protected items, SQL geo
secondaries. Exits non-zero and lists problems if anything does not hold. Stdlib only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from estate_builders import CREDENTIAL_REPORT_COLUMNS  # noqa: E402


def main(root: Path) -> int:
    problems: list[str] = []
    counts: Counter = Counter()
    aws: dict[str, dict] = {}          # ARN -> item (snapshot or API shape, normalised keys)
    gcp: dict[str, dict] = {}          # asset name -> asset
    gcp_links: set[str] = set()        # compute selfLinks
    az: dict[str, dict] = {}           # lower-cased id -> row
    cred_users = 0

    def add_aws(item: dict, where: str) -> None:
        arn = item.get("ARN") or item.get("arn")
        if not arn or not item.get("resourceType"):
            problems.append(f"{where}: item without ARN/resourceType")
            return
        if arn in aws:
            problems.append(f"{where}: duplicate ARN {arn}")
        aws[arn] = item
        counts["aws"] += 1

    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.name
        rel = str(path.relative_to(root))
        if not name.endswith((".json", ".json.gz", ".ndjson", ".ndjson.gz", ".jsonl", ".csv")):
            continue                      # only what `drscan scan --import` reads
        raw = path.read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
            name = name[:-3]
        text = raw.decode("utf-8")
        if name.endswith(".csv"):
            rows = list(csv.reader(io.StringIO(text)))
            if rows[0] != CREDENTIAL_REPORT_COLUMNS:
                problems.append(f"{rel}: credential report header differs")
            for r in rows[1:]:
                if len(r) != 22:
                    problems.append(f"{rel}: row with {len(r)} columns")
                if r[0] == "<root_account>":
                    counts["aws"] += 1
                else:
                    cred_users += 1
            continue
        if name.endswith(".ndjson"):
            for n, line in enumerate(text.splitlines(), 1):
                a = json.loads(line)
                if "iam_policy" in a and "resource" not in a:
                    continue
                if not a.get("name") or not a.get("asset_type") or "resource" not in a:
                    problems.append(f"{rel}:{n}: not a resource asset")
                    continue
                gcp[a["name"]] = a
                link = a["resource"]["data"].get("selfLink")
                if link:
                    gcp_links.add(link)
                counts["gcp"] += 1
            continue
        doc = json.loads(text)
        if isinstance(doc, dict) and "configurationItems" in doc:
            if not {"fileVersion", "configSnapshotId"} <= set(doc):
                problems.append(f"{rel}: snapshot envelope incomplete")
            for item in doc["configurationItems"]:
                add_aws(item, rel)
        elif isinstance(doc, dict) and "Results" in doc:
            if "QueryInfo" not in doc:
                problems.append(f"{rel}: select output without QueryInfo")
            for r in doc["Results"]:
                if not isinstance(r, str):
                    problems.append(f"{rel}: Results entry is not a string")
                    continue
                add_aws(json.loads(r), rel)
        elif isinstance(doc, dict) and "data" in doc:
            if set(doc) != {"count", "data", "skip_token", "total_records"} or doc["count"] != len(doc["data"]):
                problems.append(f"{rel}: az graph envelope wrong")
            for row in doc["data"]:
                if row["type"] != row["type"].lower():
                    problems.append(f"{rel}: type not lower-cased: {row['type']}")
                az[row["id"].lower()] = row
                counts["azure"] += 1
        elif isinstance(doc, list) and doc and "assetType" in doc[0]:
            for a in doc:
                if "iamPolicy" not in a:
                    problems.append(f"{rel}: list entry without iamPolicy")
        else:
            problems.append(f"{rel}: unrecognised document")

    # ------------------------------------------------------------------ AWS relations
    def cfg(item):
        c = item.get("configuration")
        return json.loads(c) if isinstance(c, str) else c

    by_type: Counter = Counter()
    instances = {i["resourceId"] for i in aws.values() if i["resourceType"] == "AWS::EC2::Instance"}
    volumes = {i["resourceId"] for i in aws.values() if i["resourceType"] == "AWS::EC2::Volume"}
    for arn, item in aws.items():
        t = item["resourceType"]
        by_type[t] += 1
        c = cfg(item)
        if t == "AWS::EC2::Volume":
            for att in c["attachments"]:
                if att["instanceId"] not in instances:
                    problems.append(f"volume {arn} attached to missing {att['instanceId']}")
        elif t == "AWS::EC2::Instance":
            for m in c["blockDeviceMappings"]:
                if m["ebs"]["volumeId"] not in volumes:
                    problems.append(f"instance {arn} maps missing volume {m['ebs']['volumeId']}")
        elif t == "AWS::AutoScaling::AutoScalingGroup":
            for i in c["instances"]:
                if i["instanceId"] not in instances:
                    problems.append(f"ASG {arn} lists missing instance {i['instanceId']}")
        elif t == "AWS::RDS::DBInstance":
            src = c.get("readReplicaSourceDBInstanceIdentifier")
            if src and src not in aws:
                problems.append(f"replica {arn} of missing {src}")
            for r in c.get("readReplicaDBInstanceIdentifiers") or []:
                if r not in aws:
                    problems.append(f"primary {arn} lists missing replica {r}")
        elif t == "AWS::Backup::BackupSelection":
            for r in c["BackupSelection"]["Resources"]:
                if r not in aws:
                    problems.append(f"selection {arn} lists missing {r}")
        elif t == "AWS::Backup::RecoveryPoint":
            if c["ResourceArn"] not in aws:
                problems.append(f"recovery point {arn} of missing {c['ResourceArn']}")
            if c["BackupVaultArn"] not in aws:
                problems.append(f"recovery point {arn} in missing vault {c['BackupVaultArn']}")
        elif t == "AWS::S3::Bucket":
            supp = item.get("supplementaryConfiguration") or {}
            for rule in ((supp.get("BucketReplicationConfiguration") or {}).get("rules") or {}).values():
                if rule["destinationConfig"]["bucketARN"] not in aws:
                    problems.append(f"bucket {arn} replicates to missing {rule['destinationConfig']['bucketARN']}")
        elif t == "AWS::ElasticLoadBalancingV2::Listener":
            if c["LoadBalancerArn"] not in aws:
                problems.append(f"listener {arn} of missing LB")

    # ------------------------------------------------------------------ GCP relations
    for name, a in gcp.items():
        t, d = a["asset_type"], a["resource"]["data"]
        if t == "compute.googleapis.com/Disk":
            for u in d.get("users", []):
                if u not in gcp_links:
                    problems.append(f"disk {name} used by missing {u}")
            for p in d.get("resourcePolicies", []):
                if p not in gcp_links:
                    problems.append(f"disk {name} uses missing policy {p}")
        elif t == "compute.googleapis.com/Instance":
            for dk in d["disks"]:
                if dk["source"] not in gcp_links:
                    problems.append(f"instance {name} has missing disk {dk['source']}")
        elif t == "compute.googleapis.com/Snapshot":
            if d["sourceDisk"] not in gcp_links:
                problems.append(f"snapshot {name} of missing disk {d['sourceDisk']}")
        elif t == "sqladmin.googleapis.com/Instance":
            m = d.get("masterInstanceName")
            if m:
                proj, inst = m.split(":")
                if f"//cloudsql.googleapis.com/projects/{proj}/instances/{inst}" not in gcp:
                    problems.append(f"sql replica {name} of missing {m}")
            for r in d.get("replicaNames", []):
                if f"//cloudsql.googleapis.com/projects/{d['project']}/instances/{r}" not in gcp:
                    problems.append(f"sql {name} lists missing replica {r}")
        k = (d.get("diskEncryptionKey") or {}).get("kmsKeyName") or (d.get("encryption") or {}).get("defaultKmsKeyName")
        if k:
            key = "//cloudkms.googleapis.com/" + k.split("/cryptoKeyVersions/")[0]
            if key not in gcp:
                problems.append(f"{name} encrypted with missing key {key}")

    # ------------------------------------------------------------------ Azure relations
    for rid, row in az.items():
        t, p = row["type"], row["properties"]
        if t == "microsoft.compute/virtualmachines":
            sp = p["storageProfile"]
            for did in [sp["osDisk"]["managedDisk"]["id"]] + [x["managedDisk"]["id"] for x in sp["dataDisks"]]:
                if did.lower() not in az:
                    problems.append(f"VM {row['id']} has missing disk {did}")
            for nic in p["networkProfile"]["networkInterfaces"]:
                if nic["id"].lower() not in az:
                    problems.append(f"VM {row['id']} has missing NIC {nic['id']}")
        elif t.endswith("/protecteditems"):
            if p["sourceResourceId"].lower() not in az:
                problems.append(f"protected item {row['id']} of missing VM")
            if p["policyId"].lower() not in az:
                problems.append(f"protected item {row['id']} with missing policy")
        elif t == "microsoft.compute/snapshots":
            if p["creationData"]["sourceResourceId"].lower() not in az:
                problems.append(f"snapshot {row['id']} of missing disk")
        elif t == "microsoft.sql/servers/databases" and p.get("sourceDatabaseId"):
            if p["sourceDatabaseId"].lower() not in az:
                problems.append(f"secondary {row['id']} of missing primary")

    print(json.dumps({"records": dict(counts), "total": sum(counts.values()),
                      "credential_report_users": cred_users, "aws_types": dict(sorted(by_type.items())),
                      "problems": len(problems)}, indent=2))
    for p in problems[:50]:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
